import Foundation
import XCTest
@testable import RDBKit

/// Streams in every state a server can hold — empty from MKSTREAM (last ID 0-0), every entry
/// deleted, trimmed to nothing, groups whose entries-read is unknown — through `convert --to aof`
/// and `merge --to aof`, loaded by a real Redis 7.0; and the unknown entries-read through JSON.
final class StreamStatesAOFTests: XCTestCase {
    private static let states: [[String]] = [
        ["XGROUP", "CREATE", "mkstream", "g", "$", "MKSTREAM"],
        ["XADD", "deleted", "5-1", "a", "b"], ["XDEL", "deleted", "5-1"],
        ["XADD", "trimmed", "1-1", "a", "b"], ["XADD", "trimmed", "1-2", "a", "b"], ["XTRIM", "trimmed", "MAXLEN", "0"],
        ["XGROUP", "CREATE", "trimmed", "g2", "0"],
        ["XADD", "unknown-read", "1-1", "a", "b"], ["XADD", "unknown-read", "2-1", "c", "d"], ["XADD", "unknown-read", "3-1", "e", "f"],
        ["XGROUP", "CREATE", "unknown-read", "mid", "2-1"],
        ["XADD", "plain", "7-7", "f", "v"],
    ]
    private static let streams = ["mkstream", "deleted", "trimmed", "unknown-read", "plain"]

    private var scratch: URL!

    override func setUpWithError() throws { scratch = try RDBKitProcess.scratch("stream-states") }
    override func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    private func sourceServer() throws -> RedisServerProcess {
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        try server.pipe(Self.states.map { $0.map { Array($0.utf8) } })
        _ = try server.command("SAVE")
        return server
    }

    func testEveryStreamStateLoadsFromOurAOF() throws {
        let source = try sourceServer()
        defer { source.stop() }
        let converted = scratch.appendingPathComponent("converted.aof").path
        let merged = scratch.appendingPathComponent("merged.aof").path
        XCTAssertEqual(try RDBKitProcess.run(["convert", source.dumpPath, converted, "--target-version", "redis-7.0"]).status, 0)
        let merge = try RDBKitProcess.run(["merge", source.dumpPath, "-o", merged, "--to", "aof", "--target-version", "redis-7.0"])
        XCTAssertEqual(merge.status, 0, merge.err)
        let text = try String(contentsOfFile: converted, encoding: .utf8)
        XCTAssertFalse(text.contains("\r\n$3\r\n0-0\r\n$1\r\nx\r\n"), "XADD 0-0 is refused by Redis")
        for aof in [converted, merged] {
            let dir = scratch.appendingPathComponent(UUID().uuidString)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: aof, toPath: dir.appendingPathComponent("appendonly.aof").path)
            guard let loaded = try RedisServerProcess(command: [RedisServerProcess.executable("redis-server")!],
                                                      extraArguments: ["--dir", dir.path, "--appendonly", "yes"]) else { return }
            defer { loaded.stop() }
            XCTAssertEqual(try loaded.command("DEBUG", "DIGEST"), try source.command("DEBUG", "DIGEST"), aof)
            for stream in Self.streams {
                XCTAssertEqual(try loaded.command("XINFO", "STREAM", stream, "FULL"), try source.command("XINFO", "STREAM", stream, "FULL"),
                               "\(stream) from \(aof)")
            }
        }
    }

    /// jq and every JSON library read numbers as doubles: 2^64-1 came back as 2^64 and convert
    /// refused it. The unknown entries-read is exported as XINFO shows it, null, and read back.
    func testUnknownEntriesReadIsNullAndSurvivesAJSONRoundTrip() throws {
        let source = try sourceServer()
        defer { source.stop() }
        let export = try RDBKitProcess.run(["export", source.dumpPath, "--key", "unknown-read"])
        XCTAssertEqual(export.status, 0, export.err)
        XCTAssertTrue(export.out.contains("\"entries_read\":null"), export.out)
        // As a JSON tool would pass it on: parsed and written again.
        let object = try JSONSerialization.jsonObject(with: Data(export.out.utf8))
        let rewritten = scratch.appendingPathComponent("rewritten.jsonl")
        try JSONSerialization.data(withJSONObject: object).write(to: rewritten)
        let rebuilt = scratch.appendingPathComponent("rebuilt.rdb").path
        let convert = try RDBKitProcess.run(["convert", rewritten.path, rebuilt, "--target-version", "redis-7.0"])
        XCTAssertEqual(convert.status, 0, convert.err)
        XCTAssertEqual(try RDBKitProcess.run(["export", rebuilt]).out, export.out)
        guard let loaded = try RedisServerProcess(command: [RedisServerProcess.executable("redis-server")!], dump: rebuilt) else { return }
        defer { loaded.stop() }
        XCTAssertEqual(try loaded.command("XINFO", "STREAM", "unknown-read", "FULL"), try source.command("XINFO", "STREAM", "unknown-read", "FULL"))
    }
}
