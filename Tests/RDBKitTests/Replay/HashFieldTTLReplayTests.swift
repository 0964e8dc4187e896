import Foundation
import XCTest
@testable import RDBKit

/// Hash-field TTLs (Redis 7.4+) through the replay and the rewrite, judged by Redis 8.2: an AOF
/// of HSET/HEXPIRE/HPEXPIREAT/HPERSIST/HDEL and Redis 8's HSETEX/HGETEX/HGETDEL merged into an RDB, and that RDB converted back to an
/// AOF, each loaded by a fresh 8.2 with the DEBUG DIGEST of a server that reloads the original AOF.
final class HashFieldTTLReplayTests: XCTestCase {
    func testFieldTTLCommandsMatchRedis82() throws {
        guard let command = RedisServerProcess.installedServers()["redis-8.2"] else { throw XCTSkip("no Redis 8.2 (Scripts/setup.sh)") }
        let source: RedisServerProcess
        do {
            guard let started = try RedisServerProcess(command: command, extraArguments: ["--appendonly", "yes", "--appendfsync", "always"]) else {
                throw XCTSkip("redis-cli is not installed")
            }
            source = started
        } catch {
            throw XCTSkip("Redis 8.2 does not start here: \(error)")
        }
        defer { source.stop() }
        var random = CommandWorkload(seed: 82)
        func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        let future = Int64(Date().timeIntervalSince1970 * 1000) + 86_400_000
        var commands: [[String]] = []
        for _ in 0..<600 {
            let key = "h:\(pick(4))", field = "f\(pick(40))"
            switch pick(12) {
            case 0, 1: commands.append(["HSET", key, field, "v\(pick(1000))", "f\(pick(40))", String(repeating: "x", count: pick(80))])
            case 2: commands.append(["HEXPIRE", key, "\(3600 + pick(3600))", "FIELDS", "2", field, "f\(pick(40))"])
            case 3: commands.append(["HPEXPIREAT", key, "\(future + Int64(pick(100_000)))", ["NX", "XX", "GT", "LT"][pick(4)], "FIELDS", "1", field])
            case 4: commands.append(["HPERSIST", key, "FIELDS", "1", field])
            case 5: commands.append(["HDEL", key, field])
            case 6: commands.append(["HINCRBY", key, field, "\(pick(10))"])
            case 7: commands.append(["HPEXPIRE", key, "\(5_000_000 + pick(1000))", "FIELDS", "1", field])
            // Redis 8: propagated as HSETEX … PXAT, HPEXPIREAT / HPERSIST and HDEL.
            case 8: commands.append(["HSETEX", key] + [["FNX"], ["FXX"], []][pick(3)] + [["PX", "\(4_000_000 + pick(1000))"], ["KEEPTTL"], ["EXAT", "\(future / 1000 + Int64(pick(100)))"], []][pick(4)]
                                    + ["FIELDS", "2", field, "s\(pick(100))", "f\(pick(40))", "t"])
            case 9: commands.append(["HGETEX", key] + [["EX", "\(7200 + pick(100))"], ["PERSIST"], ["PXAT", "\(future + Int64(pick(1000)))"]][pick(3)] + ["FIELDS", "1", field])
            case 10: commands.append(["HGETDEL", key, "FIELDS", "2", field, "f\(pick(40))"])
            default: commands.append(["HSET", key, field, "w"])
            }
        }
        try source.pipeAllowingErrors(commands.map { $0.map { Array($0.utf8) } })
        let dir = source.directory.appendingPathComponent("appendonlydir").path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-hfe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(atPath: dir, toPath: scratch.appendingPathComponent("appendonlydir").path)
        guard let reloaded = try RedisServerProcess(command: command, extraArguments: ["--appendonly", "yes", "--dir", scratch.path]) else { return }
        defer { reloaded.stop() }
        let expected = try reloaded.command("DEBUG", "DIGEST")
        XCTAssertEqual(expected, try source.command("DEBUG", "DIGEST"))

        let target = try XCTUnwrap(RDBTarget.named("redis-8.2"))
        let merged = scratch.appendingPathComponent("merged.rdb").path
        let summary = try Merge.run(base: dir, deltas: [], outputPath: merged,
                                    options: Merge.Options(target: target, now: Int64(Date().timeIntervalSince1970 * 1000)))
        XCTAssertTrue(summary.losses.isEmpty, "\(summary.losses)")
        XCTAssertTrue(try RDBReader.records(path: merged).contains { record in
            if case .hash(let fields) = record.value { return fields.contains { $0.expireAtMs != nil } }
            return false
        }, "the workload leaves fields with TTLs")
        guard let fromRDB = try RedisServerProcess(command: command, dump: merged) else { return }
        defer { fromRDB.stop() }
        XCTAssertEqual(try fromRDB.command("DEBUG", "DIGEST"), expected, "merged RDB")

        let rewritten = scratch.appendingPathComponent("rewritten").path
        try FileManager.default.createDirectory(atPath: rewritten, withIntermediateDirectories: true)
        _ = try Convert.rdbToAOF(inputPath: merged, outputPath: rewritten + "/appendonly.aof", layout: .singleFile,
                                 target: target, lossy: false, withoutModules: true)
        guard let fromAOF = try RedisServerProcess(command: command, extraArguments: ["--appendonly", "yes", "--dir", rewritten]) else { return }
        defer { fromAOF.stop() }
        XCTAssertEqual(try fromAOF.command("DEBUG", "DIGEST"), expected, "rewritten AOF")
    }
}
