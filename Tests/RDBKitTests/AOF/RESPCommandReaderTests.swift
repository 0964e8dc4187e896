import Foundation
import XCTest
@testable import RDBKit

final class RESPCommandReaderTests: XCTestCase {
    private func commands(_ bytes: [UInt8]) throws -> ([AOFCommand], RESPCommandReader) {
        let reader = RESPCommandReader(source: PrefixedSource(prefix: bytes, rest: try FileSource(path: "/dev/null")))
        var all: [AOFCommand] = []
        while let c = try reader.next() { all.append(c) }
        return (all, reader)
    }

    func testCommandsAnnotationsAndOffsets() throws {
        let text = "#TS:1700000000\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$3\r\nv\u{0}1\r\n"
        let (all, reader) = try commands(Array(text.utf8))
        XCTAssertEqual(all.map(\.name), ["select", "set"])
        XCTAssertEqual(all[1].arguments[2], [0x76, 0x00, 0x31], "binary-safe")
        XCTAssertEqual(all[0].offset, 16)
        XCTAssertEqual(all[1].timestamp, 1_700_000_000)
        XCTAssertEqual(reader.validUpTo, Int64(text.utf8.count))
    }

    func testTruncatedTailKeepsTheLastWholeCommand() throws {
        let whole = "*1\r\n$4\r\nPING\r\n"
        let bytes = Array((whole + "*2\r\n$3\r\nDEL\r\n$5\r\nab").utf8)
        let reader = RESPCommandReader(source: PrefixedSource(prefix: bytes, rest: try FileSource(path: "/dev/null")))
        XCTAssertEqual(try reader.next()?.name, "ping")
        XCTAssertThrowsError(try reader.next()) { error in
            guard case .truncated = (error as? RDBError)?.kind else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(reader.validUpTo, Int64(whole.utf8.count))
    }

    func testBadFramingIsNamed() throws {
        for (text, expected) in [("x\r\n", "expected '*'"), ("*1\r\n:4\r\n", "expected prefix '$'"), ("*0\r\n", "argument count"),
                                 ("*1\r\n$-3\r\n", "bulk length"), ("*1\r\n$4\r\nPINGxx", "expected \\r\\n"), ("#TS:abc\r\n", "timestamp")] {
            XCTAssertThrowsError(try commands(Array(text.utf8)), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }

    /// A real Redis 7.0 multi-part AOF: the manifest and the incremental file as the server wrote them.
    func testRealServerAOF() throws {
        guard let server = try RedisServerProcess(extraArguments: ["--appendonly", "yes", "--aof-timestamp-enabled", "yes"]) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { server.stop() }
        try server.pipe([[Array("SET".utf8), Array("a".utf8), Array("1".utf8)],
                         [Array("RPUSH".utf8), Array("l".utf8), [0xFF, 0x00], Array("x".utf8)],
                         [Array("EXPIRE".utf8), Array("a".utf8), Array("100".utf8)]])
        _ = try server.command("SELECT", "3")
        let dir = server.directory.appendingPathComponent("appendonlydir")
        var manifest: AOFManifest?
        for _ in 0..<50 {
            if let data = try? Data(contentsOf: dir.appendingPathComponent("appendonly.aof.manifest")),
               let m = try? AOFManifest.parse([UInt8](data)), !m.incrementals.isEmpty {
                manifest = m
                break
            }
            usleep(100_000)
        }
        let m = try XCTUnwrap(manifest)
        XCTAssertNotNil(m.base)
        let incr = try XCTUnwrap(m.incrementals.last)
        var found: [AOFCommand] = []
        for _ in 0..<50 {  // appendfsync everysec: give the server a moment to write
            let reader = RESPCommandReader(source: try FileSource(path: dir.appendingPathComponent(incr.name).path))
            found = []
            while let c = try reader.next() { found.append(c) }
            if found.count >= 4 { break }
            usleep(100_000)
        }
        XCTAssertEqual(found.map(\.name).filter { $0 != "select" }, ["set", "rpush", "pexpireat"])
        XCTAssertEqual(found.first { $0.name == "rpush" }?.arguments[2], [0xFF, 0x00])
        XCTAssertNotNil(found.first?.timestamp, "aof-timestamp-enabled writes #TS: annotations")
    }
}
