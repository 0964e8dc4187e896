import Foundation
import XCTest
@testable import RDBKit

/// The replay engine against the real thing: random command sequences run on a Redis 7.0 with
/// `appendonly yes`; `merge` of its base and incremental files, loaded into a fresh server, must
/// hold what the live server holds (DEBUG DIGEST, and key by key through the content oracle).
final class MergeDifferentialTests: XCTestCase {
    /// RESTORE payloads for the workload, made by our own writer for Redis 7.0.
    private static func payload(_ key: String) -> [UInt8] {
        let writer = try! RDBWriter(path: nil, target: RDBTarget.named("redis-7.0")!)
        let elements = (0..<(key.count % 5 + 1)).map { Array("restored-\($0)".utf8) }
        return try! writer.dumpPayload(for: KeyRecord(db: 0, key: Array(key.utf8), value: .list(elements)))
    }

    private func runSeed(_ seed: UInt64, commands: Int, rewriteHalfway: Bool) throws {
        guard let source = try RedisServerProcess(extraArguments: ["--appendonly", "yes", "--aof-use-rdb-preamble", "yes",
                                                                   "--aof-timestamp-enabled", "yes"]) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { source.stop() }
        var workload = ReplayWorkload(seed: seed, payload: Self.payload)
        try source.pipeAllowingErrors(workload.commands(commands / 2))
        if rewriteHalfway {
            try source.command("BGREWRITEAOF")
            for _ in 0..<200 where try !source.command("INFO", "persistence").contains("aof_rewrite_in_progress:0") { usleep(50_000) }
            usleep(200_000)
        }
        try source.pipeAllowingErrors(workload.commands(commands / 2))
        let dir = source.directory.appendingPathComponent("appendonlydir").path
        let merged = source.directory.appendingPathComponent("merged.rdb").path
        var options = Merge.Options(target: RDBTarget.named("redis-7.0")!, now: Int64(Date().timeIntervalSince1970 * 1000))
        options.lossy = true
        let summary = try Merge.run(base: dir, deltas: [], outputPath: merged, options: options)
        XCTAssertTrue(summary.skipped.isEmpty)
        guard let loaded = try RedisServerProcess(command: [RedisServerProcess.executable("redis-server")!], dump: merged) else { return }
        defer { loaded.stop() }
        let label = "seed \(seed), \(summary.commands) commands replayed, refused: \(summary.refused)"
        XCTAssertEqual(try loaded.command("DEBUG", "DIGEST"), try source.command("DEBUG", "DIGEST"), label)
        if ServerContentOracle.isAvailable {
            let ours = try ServerContentOracle.read(port: loaded.port)
            let theirs = try ServerContentOracle.read(port: source.port)
            XCTAssertEqual(ours.count, theirs.count, label)
            let problems = ExpectedContent(expiryTolerance: 2_000, fileVersion: 10)
                .differences(ours: ours, expected: theirs, now: Int64(Date().timeIntervalSince1970 * 1000))
            XCTAssertTrue(problems.isEmpty, "\(label):\n" + problems.prefix(6).joined(separator: "\n"))
        }
        print("merge differential: \(label), \(summary.keysWritten) keys")
    }

    func testRandomCommandSequencesMatchTheServer() throws {
        for seed: UInt64 in [1, 2, 3] {
            try runSeed(seed, commands: 3000, rewriteHalfway: seed != 2)
        }
    }
}
