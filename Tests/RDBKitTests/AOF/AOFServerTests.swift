import Foundation
import XCTest
@testable import RDBKit

/// AOFs written by real servers (Redis 7.0 multi-part, with and without RDB preamble and
/// timestamps, before and after BGREWRITEAOF; Redis 6.2 single file with preamble), read by
/// validate/export, damaged and compared with what redis-check-aof says, and repaired.
final class AOFServerTests: XCTestCase {
    private func startServer(_ arguments: [String]) throws -> RedisServerProcess {
        guard let server = try RedisServerProcess(extraArguments: ["--appendonly", "yes", "--appendfsync", "always"] + arguments) else {
            throw XCTSkip("redis-server is not installed")
        }
        return server
    }

    private func exportedCommands(_ path: String, until: Int64? = nil) throws -> [[String: Any]] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("aof-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = try AOFExport.run(path: path, outputPath: out, until: until)
        return try parseJSONLines(try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    func testMultiPartWithAndWithoutPreambleBeforeAndAfterRewrite() throws {
        for preamble in ["yes", "no"] {
            let server = try startServer(["--aof-use-rdb-preamble", preamble, "--aof-timestamp-enabled", "yes"])
            defer { server.stop() }
            var workload = CommandWorkload(seed: 7)
            try server.pipe(workload.commands(300))
            let dir = server.directory.appendingPathComponent("appendonlydir").path
            let before = AOFValidation.validate(path: dir)
            XCTAssertTrue(before.isValid, before.summaryLine)
            XCTAssertGreaterThan(before.commands, 150)

            try server.command("BGREWRITEAOF")
            try server.waitForAOFRewrite()
            try server.pipe(workload.commands(100))
            let after = AOFValidation.validate(path: dir)
            XCTAssertTrue(after.isValid, after.summaryLine)
            let layout = try AOFFiles.open(dir)
            XCTAssertEqual(layout.parts.first?.isRDB, preamble == "yes", "the base after a rewrite")
            let lines = try exportedCommands(dir)
            let keyLines = lines.filter { $0["key"] != nil }
            let commandLines = lines.filter { $0["args"] != nil }
            let dbsize = (0..<3).reduce(0) { sum, db in
                sum + (Int((try? server.command("-n", "\(db)", "DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines)) ?? "") ?? 0)
            }
            if preamble == "yes" {
                // The rewrite's RDB base holds about the dataset (keys written later come as commands).
                XCTAssertGreaterThan(keyLines.count, dbsize / 2, "keys of the RDB base")
            } else {
                XCTAssertTrue(keyLines.isEmpty)
                // A RESP rewrite starts with a timestamp annotation (aof.c rewriteAppendOnlyFileRio).
                XCTAssertNotNil(commandLines.first?["ts"], "\(commandLines.first ?? [:])")
            }
            // Only commands before the first annotation (of a new incremental file whose second had
            // already been annotated in the history file) lack a time.
            // (After an RDB base, a rewrite within the same second may leave no annotation at all.)
            if let firstTimed = commandLines.firstIndex(where: { $0["ts"] != nil }) {
                XCTAssertTrue(commandLines[firstTimed...].allSatisfy { $0["ts"] != nil })
            }
        }
    }

    /// Redis 6.2 writes one file: an RDB preamble, then the commands after the rewrite.
    func testSingleFileWithRDBPreambleFromRedis62() throws {
        guard let command = RedisServerProcess.installedServers()["redis-6.2"] else { throw XCTSkip("no Redis 6.2 (Scripts/setup.sh)") }
        guard let server = try RedisServerProcess(command: command, extraArguments: ["--appendonly", "yes", "--aof-use-rdb-preamble", "yes"]) else {
            throw XCTSkip("redis-cli is not installed")
        }
        defer { server.stop() }
        var workload = CommandWorkload(seed: 3)
        try server.pipe(workload.commands(200))
        try server.command("BGREWRITEAOF")
        try server.waitForAOFRewrite()
        try server.pipe([["SET", "after-rewrite", "1"], ["RPUSH", "after-list", "a", "b"]])
        let file = server.directory.appendingPathComponent("appendonly.aof").path
        let head = try XCTUnwrap(FileHandle(forReadingAtPath: file)?.readData(ofLength: 5))
        XCTAssertEqual(String(decoding: head, as: UTF8.self), "REDIS")

        let report = AOFValidation.validate(path: file)
        XCTAssertTrue(report.isValid, report.summaryLine)
        XCTAssertGreaterThan(report.rdbKeys, 0)
        let lines = try exportedCommands(file)
        let args = lines.compactMap { $0["args"] as? [String] }
        XCTAssertTrue(args.contains { $0.map { $0.lowercased() } == ["set", "after-rewrite", "1"] }, "\(args.suffix(3))")
        XCTAssertEqual(lines.filter { $0["key"] != nil }.count, report.rdbKeys)

        // Damage after the preamble is cut off by repair; redis-check-aof agrees with the result.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes.removeLast(4)
        let damaged = server.directory.appendingPathComponent("damaged.aof").path
        try Data(bytes).write(to: URL(fileURLWithPath: damaged))
        let verdict = AOFValidation.validate(path: damaged)
        XCTAssertFalse(verdict.isValid)
        XCTAssertFalse(verdict.damageInRDB)
        let fixed = server.directory.appendingPathComponent("fixed.aof").path
        let outcome = try AOFRepair.run(path: damaged, outputPath: fixed)
        XCTAssertEqual(outcome.cutAt, verdict.validUpTo)
        XCTAssertTrue(AOFValidation.validate(path: fixed).isValid)
        if let checker = RedisServerProcess.executable("redis-check-aof") {
            XCTAssertEqual(try RedisServerProcess.run(checker, [fixed]).status, 0)
            XCTAssertNotEqual(try RedisServerProcess.run(checker, [damaged]).status, 0)
        }
    }

    /// `--until`: the point in time of a `#TS:` annotation, as redis-check-aof
    /// --truncate-to-timestamp cuts it, and repair's output loads in a server.
    func testUntilTimestamp() throws {
        let server = try startServer(["--aof-timestamp-enabled", "yes"])
        defer { server.stop() }
        try server.pipe([["SET", "early", "1"]])
        let cutTime = Int64(Date().timeIntervalSince1970)
        // Timestamps have one-second resolution: the next write must carry a later one.
        while Int64(Date().timeIntervalSince1970) <= cutTime { usleep(50_000) }
        try server.pipe([["SET", "late", "2"], ["RPUSH", "late-list", "x"]])
        let dir = server.directory.appendingPathComponent("appendonlydir").path

        let all = try exportedCommands(dir).compactMap { ($0["args"] as? [String])?.dropFirst().first }
        XCTAssertTrue(all.contains("late"))
        let early = try exportedCommands(dir, until: cutTime).compactMap { ($0["args"] as? [String])?.dropFirst().first }
        XCTAssertTrue(early.contains("early"))
        XCTAssertFalse(early.contains("late"))
        XCTAssertNotNil(AOFValidation.validate(path: dir, until: cutTime).stoppedByTimestamp)

        let fixed = server.directory.appendingPathComponent("point-in-time").path
        let outcome = try AOFRepair.run(path: dir, outputPath: fixed, until: cutTime)
        XCTAssertNotNil(outcome.cutAt)
        XCTAssertEqual(try exportedCommands(fixed).compactMap { ($0["args"] as? [String])?.dropFirst().first }, early)

        // redis-check-aof cuts the same file at the same place.
        let layout = try AOFFiles.open(dir)
        let incr = try XCTUnwrap(layout.parts.last?.path)
        if let checker = RedisServerProcess.executable("redis-check-aof") {
            let copy = server.directory.appendingPathComponent("check-copy.aof").path
            try FileManager.default.copyItem(atPath: incr, toPath: copy)
            _ = try RedisServerProcess.run(checker, ["--truncate-to-timestamp", "\(cutTime)", copy], input: Data("y\n".utf8))
            let cut = try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int
            let ours = try FileManager.default.attributesOfItem(atPath: fixed + "/" + (incr.split(separator: "/").last.map(String.init) ?? ""))[.size] as? Int
            XCTAssertEqual(ours, cut)
        }

        // merge gives the dataset as it was then.
        var options = Merge.Options(target: RDBTarget.named("redis-7.0")!, now: Int64(Date().timeIntervalSince1970 * 1000))
        options.until = cutTime
        let snapshot = server.directory.appendingPathComponent("then.rdb").path
        _ = try Merge.run(base: dir, deltas: [], outputPath: snapshot, options: options)
        XCTAssertEqual(try RDBReader.records(path: snapshot).map { String(decoding: $0.key, as: UTF8.self) }, ["early"])

        // The repaired directory loads in a fresh server with exactly the early data.
        let loaded = try RedisServerProcess(extraArguments: ["--appendonly", "yes", "--appenddirname", "point-in-time",
                                                             "--dir", server.directory.path])
        defer { loaded?.stop() }
        if let loaded {
            XCTAssertEqual(try loaded.command("GET", "early").trimmingCharacters(in: .whitespacesAndNewlines), "1")
            XCTAssertEqual(try loaded.command("EXISTS", "late").trimmingCharacters(in: .whitespacesAndNewlines), "0")
        }
    }

    /// Of random single-bit flips in a real AOF, how many each checker catches: redis-check-aof
    /// checks framing only; validate also checks every command against the command table.
    func testBitFlipsCaughtVersusRedisCheckAOF() throws {
        guard let checker = RedisServerProcess.executable("redis-check-aof") else { throw XCTSkip("redis-check-aof is not installed") }
        let server = try startServer(["--aof-use-rdb-preamble", "yes"])
        defer { server.stop() }
        var workload = CommandWorkload(seed: 11)
        var size = 0
        let dir = server.directory.appendingPathComponent("appendonlydir").path
        var incr = ""
        while size < 22_000 {
            try server.pipe(workload.commands(40))
            incr = try XCTUnwrap(AOFFiles.open(dir).parts.last?.path)
            size = (try FileManager.default.attributesOfItem(atPath: incr)[.size] as? Int) ?? 0
        }
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: incr)))
        XCTAssertTrue(AOFValidation.validate(path: incr).isValid)
        var rng = CommandWorkload(seed: 2024)
        var passedByThem = 0, passedByUs = 0, caughtOnlyByThem = 0, inNames = 0, bothCaught = 0, samePrefix = 0
        let flipped = server.directory.appendingPathComponent("flipped.aof").path
        for _ in 0..<300 {
            var bytes = original
            let bit = Int.random(in: 0..<(bytes.count * 8), using: &rng)
            bytes[bit / 8] ^= UInt8(1 << (bit % 8))
            try Data(bytes).write(to: URL(fileURLWithPath: flipped))
            let check = try RedisServerProcess.run(checker, [flipped])
            let theirs = check.status == 0
            let verdict = AOFValidation.validate(path: flipped)
            let ours = verdict.isValid
            if theirs { passedByThem += 1 }
            if ours { passedByUs += 1 }
            if theirs && !ours, case .corrupt(let reason) = verdict.error?.kind, reason.hasPrefix("unknown command") { inNames += 1 }
            if !theirs && ours { caughtOnlyByThem += 1 }
            // Where both object, the valid prefix is redis-check-aof's ok_up_to, or shorter when
            // a command before its framing damage is already wrong.
            let said = String(decoding: check.stdout, as: UTF8.self)
            if !theirs, !ours, let range = said.range(of: #"ok_up_to=\d+"#, options: .regularExpression),
               let okUpTo = Int64(said[range].dropFirst("ok_up_to=".count)), let validUpTo = verdict.validUpTo {
                XCTAssertLessThanOrEqual(validUpTo, okUpTo, "\(verdict.summaryLine)\n\(said)")
                if validUpTo == okUpTo { samePrefix += 1 }
                bothCaught += 1
            }
        }
        print("bit flips in a \(original.count)-byte Redis 7.0 AOF: 300 flips; redis-check-aof passed \(passedByThem), rdbkit validate passed \(passedByUs) (caught \(passedByThem - passedByUs) that redis-check-aof passed, \(inNames) of them in command names); where both caught it, the valid prefix equals redis-check-aof's ok_up_to in \(samePrefix) of \(bothCaught)")
        XCTAssertEqual(caughtOnlyByThem, 0, "every flip redis-check-aof catches, validate catches")
        XCTAssertLessThan(passedByUs, passedByThem)
    }
}
