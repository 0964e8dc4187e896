import Foundation
import XCTest
@testable import RDBKit

/// merge's inputs and refusals: an RDB base with AOF files as deltas, point-in-time with
/// `--until`, commands the replay cannot apply, and what is streamed rather than held.
final class MergeTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func aof(_ commands: [[String]], timestamps: [Int64?]? = nil) -> [UInt8] {
        var out: [UInt8] = []
        for (i, args) in commands.enumerated() {
            if let ts = timestamps?[i] { out += Array("#TS:\(ts)\r\n".utf8) }
            out += Array("*\(args.count)\r\n".utf8)
            for a in args { out += Array("$\(a.utf8.count)\r\n\(a)\r\n".utf8) }
        }
        return out
    }

    private func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = scratch.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func options() -> Merge.Options {
        Merge.Options(target: RDBTarget.named("redis-7.0")!, now: 1_700_000_000_000)
    }

    private func dataset(_ path: String) throws -> [String: RedisValue] {
        var out: [String: RedisValue] = [:]
        for r in try RDBReader.records(path: path) { out["\(r.db)/" + String(decoding: r.key, as: UTF8.self)] = r.value }
        return out
    }

    func testRDBBaseWithDeltaFilesStreamsUntouchedKeys() throws {
        let writer = try RDBWriter(path: scratch.appendingPathComponent("base.rdb").path, target: RDBTarget.named("redis-7.0")!)
        for i in 0..<1000 { try writer.write(KeyRecord(db: 0, key: Array("k\(i)".utf8), value: .string(Array("v\(i)".utf8)))) }
        try writer.write(KeyRecord(db: 1, key: Array("gone".utf8), value: .list([Array("x".utf8)])))
        _ = try writer.finish()
        let first = try write(aof([["SET", "k1", "changed"], ["RPUSH", "k2-list", "a", "b"], ["SELECT", "1"], ["FLUSHDB"]]), "1.aof")
        let second = try write(aof([["APPEND", "k1", "!"], ["DEL", "k3"]]), "2.aof")
        let out = scratch.appendingPathComponent("merged.rdb").path
        let summary = try Merge.run(base: scratch.appendingPathComponent("base.rdb").path, deltas: [first, second], outputPath: out, options: options())
        // k1 and k3 are named by commands: held; the rest stream through; db 1 was flushed.
        XCTAssertEqual(summary.keysHeld, 2)
        XCTAssertEqual(summary.keysStreamed, 998)
        let merged = try dataset(out)
        XCTAssertEqual(merged["0/k1"], .string(Array("changed!".utf8)))
        XCTAssertNil(merged["0/k3"])
        XCTAssertEqual(merged["0/k999"], .string(Array("v999".utf8)))
        XCTAssertEqual(merged["0/k2-list"], .list([Array("a".utf8), Array("b".utf8)]))
        XCTAssertNil(merged["1/gone"])
        XCTAssertEqual(merged.count, 1000)
        XCTAssertTrue(Validator.validate(path: out).isValid)
    }

    func testUntilStopsAtThePointInTime() throws {
        let delta = try write(aof([["SET", "a", "1"], ["SET", "b", "2"], ["SET", "a", "3"]], timestamps: [100, 200, 300]), "d.aof")
        var opts = options()
        opts.until = 250
        let out = scratch.appendingPathComponent("pit.rdb").path
        let summary = try Merge.run(base: delta, deltas: [], outputPath: out, options: opts)
        XCTAssertEqual(summary.commands, 2)
        XCTAssertNotNil(summary.stoppedAt)
        let merged = try dataset(out)
        XCTAssertEqual(merged["0/a"], .string(Array("1".utf8)))
        XCTAssertEqual(merged["0/b"], .string(Array("2".utf8)))
    }

    func testCommandsThatCannotBeReplayedStopWithTheirOffset() throws {
        let bytes = aof([["SET", "a", "1"], ["SORT", "l", "STORE", "dst"], ["SET", "b", "2"]])
        let delta = try write(bytes, "d.aof")
        let out = scratch.appendingPathComponent("out.rdb").path
        XCTAssertThrowsError(try Merge.run(base: delta, deltas: [], outputPath: out, options: options())) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("sort"), text)
            XCTAssertTrue(text.contains("offset \(aof([["SET", "a", "1"]]).count)"), text)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output is left behind")
        var skipping = options()
        skipping.skipUnknown = true
        let summary = try Merge.run(base: delta, deltas: [], outputPath: out, options: skipping)
        XCTAssertEqual(summary.skipped, ["sort": 1])
        XCTAssertEqual(try dataset(out).count, 2)
    }

    func testRefusedCommandsChangeNothingAndTransactionsWaitForExec() throws {
        let delta = try write(aof([["SET", "s", "text"], ["INCR", "s"], ["LPUSH", "s", "x"],
                                   ["MULTI"], ["SET", "t", "1"], ["EXEC"], ["MULTI"], ["SET", "u", "1"]]), "d.aof")
        let out = scratch.appendingPathComponent("out.rdb").path
        let summary = try Merge.run(base: delta, deltas: [], outputPath: out, options: options())
        XCTAssertEqual(summary.refused, ["incr": 1, "lpush": 1])
        let merged = try dataset(out)
        XCTAssertEqual(merged["0/s"], .string(Array("text".utf8)))
        XCTAssertEqual(merged["0/t"], .string(Array("1".utf8)))
        XCTAssertNil(merged["0/u"], "a transaction open at the end of the file is dropped")
    }

    func testConvertAnAOFToRDBThroughTheCommandLine() throws {
        let delta = try write(aof([["RPUSH", "l", "a", "b"], ["PEXPIREAT", "l", "4102444800000"]]), "d.aof")
        let out = scratch.appendingPathComponent("out.rdb").path
        guard let binary = FixturePaths.rdbkitBinary else { throw XCTSkip("the rdbkit binary was not built next to the tests") }
        let result = try RedisServerProcess.run(binary, ["convert", delta, out, "--target-version", "redis-7.0"])
        XCTAssertEqual(result.status, 0)
        let records = try RDBReader.records(path: out)
        XCTAssertEqual(records.first?.expireAtMs, 4_102_444_800_000)
        XCTAssertEqual(records.first?.value, .list([Array("a".utf8), Array("b".utf8)]))
    }
}
