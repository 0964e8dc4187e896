import Foundation
import XCTest
@testable import RDBKit

/// A 96 MiB value must not be held by verbs that can pass it through: each runs as a child
/// process and its peak RSS (getrusage of that child, from wait4) stays under 64 MiB, which a
/// held copy alone would exceed.
final class LongValueMemoryTests: XCTestCase {
    private static let valueSize = 96 << 20
    private static let bound = 64 << 20

    private func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-long-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Bytes that LZF cannot shrink (a xorshift stream), so the dump stores them plain.
    private static func noise(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                buffer[i] = UInt8(truncatingIfNeeded: state)
            }
            initialized = count
        }
    }

    /// Peak RSS in bytes of `rdbkit arguments`, and its exit status: getrusage of that child,
    /// from wait4 in a small Python parent. Spawned from this test process directly, the
    /// child's figure would start at this process's own peak (posix_spawn shares its memory
    /// until the exec, and the kernel keeps that memory's high-water mark for the child).
    private func peakRSS(_ arguments: [String]) throws -> (status: Int32, bytes: Int) {
        guard let python = RedisServerProcess.executable("python3") else { throw XCTSkip("needs python3 to measure a child's peak RSS") }
        let script = """
            import os, subprocess, sys
            p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
            """
        let out = try RedisServerProcess.run(python, ["-c", script, try RDBKitProcess.binary()] + arguments)
        let fields = String(decoding: out.stdout, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard fields.count == 2 else { throw XCTSkip("could not measure the child's peak RSS") }
        return (Int32(fields[0]), fields[1] * 1024)
    }

    /// A Redis 7.0 dump of the long value under "big" and a short one under "small".
    private func writeBigDump(in dir: URL) throws -> String {
        let dump = dir.appendingPathComponent("big.rdb").path
        let writer = try RDBWriter(path: dump, target: try XCTUnwrap(RDBTarget.named("redis-7.0")))
        try writer.write(KeyRecord(db: 0, key: Array("big".utf8), value: .string(Self.noise(Self.valueSize))))
        try writer.write(KeyRecord(db: 0, key: Array("small".utf8), value: .string(Array("hello".utf8))))
        _ = try writer.finish()
        return dump
    }

    func testLongStringsPassThroughInPieces() throws {
        let dir = try directory()
        let dump = try writeBigDump(in: dir)
        let delta = dir.appendingPathComponent("delta.aof")
        try Data("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\ny\r\n".utf8).write(to: delta)
        let out = dir.appendingPathComponent("out").path
        let jobs: [[String]] = [
            ["convert", dump, out + ".resp", "--to", "resp"],
            ["convert", dump, out + ".rdb", "--min-size", "1"],
            ["export", dump, "-o", out + ".jsonl", "--min-size", "1"],
            ["merge", dump, delta.path, "-o", out + "-merged.rdb"],
        ]
        for job in jobs {
            let run = try peakRSS(job)
            XCTAssertEqual(run.status, 0, job.joined(separator: " "))
            print("peak RSS \(run.bytes >> 20) MiB: rdbkit \(job[0]) \(job.dropFirst(3).joined(separator: " "))")
            XCTAssertLessThan(run.bytes, Self.bound, job.joined(separator: " "))
        }
        XCTAssertTrue(try Diff.run(dump, out + ".rdb") { _ in }.isEqual)
        // What went through in pieces arrives whole: the RESP file holds one RESTORE of the value.
        let resp = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: out + ".resp")[.size] as? Int)
        XCTAssertGreaterThan(resp, Self.valueSize)
    }

    /// A JSON export holding the 96 MiB value (base64, as export writes binary) imports in pieces.
    func testJSONImportOfALongStringIsBounded() throws {
        let dir = try directory()
        let dump = try writeBigDump(in: dir)
        let json = dir.appendingPathComponent("big.jsonl").path
        XCTAssertEqual(try RDBKitProcess.run(["export", dump, "-o", json]).status, 0)
        let back = dir.appendingPathComponent("back.rdb").path
        let run = try peakRSS(["convert", json, back])
        XCTAssertEqual(run.status, 0)
        print("peak RSS \(run.bytes >> 20) MiB: rdbkit convert (JSON with a 96 MiB base64 string)")
        XCTAssertLessThan(run.bytes, Self.bound)
        XCTAssertTrue(try Diff.run(dump, back) { _ in }.isEqual)
    }

    /// A long JSON string whose escapes (a surrogate pair among them) straddle every piece boundary.
    func testLongJSONStringEscapesAcrossPieces() throws {
        var text = "", expected: [UInt8] = []
        let units: [(String, String)] = [("a", "a"), ("\\\"", "\""), ("\\u00e9", "é"), ("\\ud83d\\ude00", "😀"), ("\\n", "\n"), ("xyz", "xyz")]
        var i = 0
        while expected.count < 3 * LongJSONString.threshold {
            let (escaped, plain) = units[i % units.count]
            text += escaped
            expected += Array(plain.utf8)
            i += 1
        }
        let line = "{\"db\":0,\"key\":\"long\",\"type\":\"string\",\"value\":\"\(text)\"}\n{\"db\":0,\"key\":\"list\",\"type\":\"list\",\"value\":[\"\(text)\",\"s\"]}\n"
        let path = try scratchFile(Array(line.utf8), name: "long.jsonl")
        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("long.rdb").path
        _ = try Convert.jsonToRDB(inputPath: path, outputPath: out, target: RDBTarget.named("redis-7.0")!, lossy: false)
        let records = try RDBReader.records(path: out)
        XCTAssertEqual(records.first { $0.key == Array("long".utf8) }?.value, .string(expected))
        XCTAssertEqual(records.first { $0.key == Array("list".utf8) }?.value, .list([expected, Array("s".utf8)]), "a long list element, held")
    }

    /// An AOF whose SET carries a 96 MiB bulk, then an APPEND to it: every verb that reads the
    /// AOF takes the bulk in pieces (export, merge and convert from a temporary file), and what
    /// they write holds the value whole.
    func testAOFBulkIsAppliedInPieces() throws {
        let dir = try directory()
        let dump = try writeBigDump(in: dir)
        let aof = dir.appendingPathComponent("big.aof")
        let value = Self.noise(Self.valueSize)
        var file = Data("*3\r\n$3\r\nSET\r\n$4\r\nlong\r\n$\(Self.valueSize)\r\n".utf8)
        file.append(contentsOf: value)
        file.append(contentsOf: Array("\r\n*3\r\n$6\r\nAPPEND\r\n$4\r\nlong\r\n$4\r\ntail\r\n".utf8))
        try file.write(to: aof)
        let out = dir.appendingPathComponent("out").path
        let jobs: [[String]] = [
            ["export", aof.path, "-o", out + ".jsonl"],
            ["convert", aof.path, out + ".rdb"],
            ["merge", dump, aof.path, "-o", out + "-merged.rdb"],
            ["repair", aof.path, "-o", out + "-repaired.aof"],
        ]
        for job in jobs {
            let run = try peakRSS(job)
            XCTAssertEqual(run.status, 0, job.joined(separator: " "))
            print("peak RSS \(run.bytes >> 20) MiB: rdbkit \(job[0]) (AOF with a 96 MiB bulk)")
            XCTAssertLessThan(run.bytes, Self.bound, job.joined(separator: " "))
        }
        for rdb in [out + ".rdb", out + "-merged.rdb"] {
            let long = try RDBReader.records(path: rdb).first { $0.key == Array("long".utf8) }
            XCTAssertTrue(long?.value == .string(value + Array("tail".utf8)), rdb)
        }
        let exported = try Data(contentsOf: URL(fileURLWithPath: out + ".jsonl"))
        XCTAssertGreaterThan(exported.count, Self.valueSize * 4 / 3)
    }

    /// A set of 1.5M members (its record alone would pass the bound): restore-payload and
    /// `convert --to resp` copy its stored bytes into its payload as they are read.
    func testABigContainersPayloadIsMadeInPieces() throws {
        let dir = try directory()
        let dump = dir.appendingPathComponent("bigset.rdb").path
        let members = (0..<1_500_000).map { Array("member:\($0):xyzw".utf8) }
        let writer = try RDBWriter(path: dump, target: try XCTUnwrap(RDBTarget.named("redis-7.0")))
        try writer.write(KeyRecord(db: 0, key: Array("big:set".utf8), value: .set(members)))
        try writer.write(KeyRecord(db: 0, key: Array("small".utf8), value: .string(Array("hello".utf8))))
        try writer.finish()
        let out = dir.appendingPathComponent("out").path
        for job in [["restore-payload", dump, "-o", out + ".jsonl"], ["convert", dump, out + ".resp", "--to", "resp"]] {
            let run = try peakRSS(job)
            XCTAssertEqual(run.status, 0, job.joined(separator: " "))
            print("peak RSS \(run.bytes >> 20) MiB: rdbkit \(job[0]) (a set of 1.5M members)")
            XCTAssertLessThan(run.bytes, Self.bound, job.joined(separator: " "))
        }
        let lines = try parseJSONLines(try Data(contentsOf: URL(fileURLWithPath: out + ".jsonl")))
        let line = try XCTUnwrap(lines.first { $0["key"] as? String == "big:set" })
        let base64 = try XCTUnwrap((line["payload"] as? [String: Any])?["base64"] as? String)
        guard case .set(let back) = try RestorePayload.decode(try XCTUnwrap(Base64.decode(Array(base64.utf8)))) else {
            return XCTFail("not a set")
        }
        XCTAssertEqual(Set(back), Set(members))
    }

    /// An AOF whose SET carries a 96 MiB bulk: validate passes over it in pieces.
    func testAOFBulkIsNotHeldByValidate() throws {
        let dir = try directory()
        let aof = dir.appendingPathComponent("big.aof")
        var file = Data("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$\(Self.valueSize)\r\n".utf8)
        file.append(contentsOf: Self.noise(Self.valueSize))
        file.append(contentsOf: Array("\r\n*2\r\n$3\r\nDEL\r\n$3\r\nbig\r\n".utf8))
        try file.write(to: aof)
        let run = try peakRSS(["validate", aof.path])
        XCTAssertEqual(run.status, 0)
        print("peak RSS \(run.bytes >> 20) MiB: rdbkit validate (AOF with a 96 MiB bulk)")
        XCTAssertLessThan(run.bytes, Self.bound)
    }
}
