import Foundation
import XCTest
@testable import RDBKit

/// `rdbkit backup --follow` as users run it: stopped by SIGTERM (exit 0, files whole), listed by
/// `rdbkit backups`, and restored by `rdbkit merge DIR --until` to the dataset of a chosen second.
final class BackupCommandLineTests: XCTestCase {
    private func rdbkit(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FixturePaths.rdbkitBinary!)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    private func replicaOffset(_ server: RedisServerProcess) throws -> (replica: Int64, master: Int64) {
        let info = try server.command("INFO", "replication")
        func number(after label: String) -> Int64 {
            Int64(info.components(separatedBy: label).dropFirst().first?.prefix(while: \.isNumber) ?? "") ?? -1
        }
        return (number(after: ",offset="), number(after: "master_repl_offset:"))
    }

    private func waitForAcknowledgement(_ server: RedisServerProcess) throws {
        for _ in 0..<200 {
            let (replica, master) = try replicaOffset(server)
            if replica == master { return }
            usleep(50_000)
        }
        XCTFail("the backup did not acknowledge \(try replicaOffset(server))")
    }

    private func digestOfMerge(_ arguments: [String], scratch: String) throws -> String {
        let merged = scratch + "/merged-\(UUID().uuidString).rdb"
        let result = try rdbkit(["merge"] + arguments + ["-o", merged, "--lossy", "--target-version", "redis-7.0"])
        XCTAssertEqual(result.status, 0, result.err)
        guard let loaded = try RedisServerProcess(command: [RedisServerProcess.executable("redis-server")!], dump: merged) else { return "" }
        defer { loaded.stop() }
        return try loaded.command("DEBUG", "DIGEST")
    }

    func testFollowStopListAndRestoreASecond() throws {
        guard FixturePaths.rdbkitBinary != nil else { throw XCTSkip("the rdbkit binary was not built next to the tests") }
        guard let server = try RedisServerProcess(extraArguments: ["--repl-diskless-sync-delay", "0"]) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { server.stop() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-backup-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try server.pipe(LiveDataset.everyType())

        let backups = scratch + "/backups"
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: FixturePaths.rdbkitBinary!)
        follower.arguments = ["backup", "redis://127.0.0.1:\(server.port)", "-o", backups, "--follow", "--rotate-every", "1s", "--json"]
        let out = Pipe(), err = Pipe()
        follower.standardOutput = out
        follower.standardError = err
        try follower.run()
        defer { if follower.isRunning { follower.terminate() } }
        try waitForAcknowledgement(server)

        try server.pipe((0..<300).map { ["RPUSH", "phase1:list", "item\($0)"] } + (0..<100).map { ["INCR", "counter:\($0 % 7)"] })
        try waitForAcknowledgement(server)
        let chosenSecond = Int64(Date().timeIntervalSince1970)
        let digestThen = try server.command("DEBUG", "DIGEST")
        while Int64(Date().timeIntervalSince1970) <= chosenSecond { usleep(20_000) }
        usleep(100_000)
        try server.pipe((0..<200).map { ["HSET", "phase2:hash", "f\($0)", "v\($0)"] } + [["DEL", "phase1:list"], ["MULTI"], ["INCR", "counter:1"], ["EXEC"]])
        try waitForAcknowledgement(server)
        let digestNow = try server.command("DEBUG", "DIGEST")
        XCTAssertNotEqual(digestThen, digestNow)

        follower.terminate() // SIGTERM
        follower.waitUntilExit()
        let status = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(follower.terminationStatus, 0, log)
        XCTAssertTrue(status.contains("\"event\":\"snapshot\"") && status.contains("\"event\":\"stopped\""), status)

        let listing = try rdbkit(["backups", backups, "--json"])
        XCTAssertEqual(listing.status, 0, listing.out + listing.err)
        let points = try parseJSONLines(Data(listing.out.utf8))
        XCTAssertEqual(points.count, 1, listing.out)
        XCTAssertEqual(points.first?["kind"] as? String, "chain")
        XCTAssertEqual(points.first?["valid"] as? Bool, true)
        XCTAssertGreaterThanOrEqual(points.first?["last"] as? Int ?? 0, Int(chosenSecond) + 1)
        XCTAssertTrue(try rdbkit(["backups", backups]).out.hasPrefix("OK  chain"))

        XCTAssertEqual(try digestOfMerge([backups, "--until", String(chosenSecond)], scratch: scratch), digestThen,
                       "merge --until gives back the dataset of that second")
        XCTAssertEqual(try digestOfMerge([backups], scratch: scratch), digestNow)

        // restore chooses the same restore point, and replays the chain up to that second.
        guard let fresh = try RedisServerProcess(extraArguments: []) else { return }
        defer { fresh.stop() }
        let url = "redis://127.0.0.1:\(fresh.port)"
        let restored = try rdbkit(["restore", backups, url, "--until", String(chosenSecond), "-q"])
        XCTAssertEqual(restored.status, 0, restored.err)
        XCTAssertTrue(restored.err.contains("rdbkit: restoring from \(points.first?["path"] as? String ?? "?")"), restored.err)
        XCTAssertEqual(try fresh.command("DEBUG", "DIGEST"), digestThen, "restore --until gives back the dataset of that second")
        // A dump restored twice without --replace: its keys are there already and left as they
        // are (exit 4: 3 means an output that cannot be written).
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-7.0/lru.rdb").path
        XCTAssertEqual(try rdbkit(["restore", dump, url, "-q"]).status, 0)
        let again = try rdbkit(["restore", dump, url, "-q"])
        XCTAssertEqual(again.status, 4, again.err)
        XCTAssertTrue(again.err.contains("0 keys restored, 0 replaced, "), again.err)
    }

    /// SIGINT and SIGTERM during a snapshot remove its partial file (exit 130, 143); during
    /// --follow they close the current file whole and exit 0, with a chain that validates.
    func testSignalsDuringASnapshotAndAFollow() throws {
        guard FixturePaths.rdbkitBinary != nil else { throw XCTSkip("the rdbkit binary was not built next to the tests") }
        // 2 ms per key: a 3,000-key snapshot takes 6 s to arrive.
        guard let server = try RedisServerProcess(extraArguments: ["--repl-diskless-sync-delay", "0", "--rdb-key-save-delay", "2000"]) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { server.stop() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-backup-signal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try server.pipe((0..<3000).map { ["SET", "key:\($0)", String(repeating: "v", count: 100)] })

        for (signal, expected) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let backups = scratch + "/snapshot-\(signal)"
            let backup = Process()
            backup.executableURL = URL(fileURLWithPath: FixturePaths.rdbkitBinary!)
            backup.arguments = ["backup", "redis://127.0.0.1:\(server.port)", "-o", backups, "-q"]
            backup.standardOutput = FileHandle.nullDevice
            backup.standardError = FileHandle.nullDevice
            try backup.run()
            var partial: [String] = []
            for _ in 0..<200 where partial.isEmpty {
                usleep(20_000)
                partial = ((try? FileManager.default.contentsOfDirectory(atPath: backups)) ?? []).filter { $0.contains(".tmp-") }
            }
            XCTAssertFalse(partial.isEmpty, "the snapshot began arriving")
            usleep(200_000)
            kill(backup.processIdentifier, signal)
            backup.waitUntilExit()
            XCTAssertEqual(backup.terminationStatus, expected, "signal \(signal)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: backups), [], "the partial file \(partial) was removed")
        }

        _ = try server.command("CONFIG", "SET", "rdb-key-save-delay", "0")
        let backups = scratch + "/follow"
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: FixturePaths.rdbkitBinary!)
        follower.arguments = ["backup", "redis://127.0.0.1:\(server.port)", "-o", backups, "--follow", "-q"]
        follower.standardOutput = FileHandle.nullDevice
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        try waitForAcknowledgement(server)
        try server.pipe((0..<200).map { ["INCR", "counter:\($0 % 3)"] })
        try waitForAcknowledgement(server)
        kill(follower.processIdentifier, SIGINT)
        follower.waitUntilExit()
        XCTAssertEqual(follower.terminationStatus, 0)
        let sets = try FileManager.default.contentsOfDirectory(atPath: backups)
        XCTAssertEqual(sets.count, 1)
        let set = backups + "/" + sets[0]
        XCTAssertTrue(AOFValidation.validate(path: set).isValid, AOFValidation.validate(path: set).summaryLine)
        XCTAssertEqual(try digestOfMerge([set], scratch: scratch), try server.command("DEBUG", "DIGEST"))
    }

    /// SIGKILL at random moments (snapshot, stream, rotation): whatever is left validates and merges.
    func testKilledAtRandomMomentsLeavesRestorableChains() throws {
        guard FixturePaths.rdbkitBinary != nil else { throw XCTSkip("the rdbkit binary was not built next to the tests") }
        guard let server = try RedisServerProcess(extraArguments: ["--repl-diskless-sync-delay", "0"]) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { server.stop() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-backup-kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try server.pipe(LiveDataset.everyType())
        var random = SplitMix64(seed: 13)
        var chainsMerged = 0
        for run in 0..<10 {
            let backups = scratch + "/run\(run)"
            let follower = Process()
            follower.executableURL = URL(fileURLWithPath: FixturePaths.rdbkitBinary!)
            follower.arguments = ["backup", "redis://127.0.0.1:\(server.port)", "-o", backups, "--follow", "--rotate-size", "4kb", "-q"]
            follower.standardOutput = FileHandle.nullDevice
            follower.standardError = FileHandle.nullDevice
            try follower.run()
            let writes = (0..<150).flatMap { i in [["INCR", "kill:\(run):\(i % 9)"], ["RPUSH", "kill:list", "\(run)-\(i)"]] } + [["MULTI"], ["SET", "tx", "\(run)"], ["EXEC"]]
            let killAfter = useconds_t(20_000 + random.next() % 1_200_000)
            // The writes go on in their own redis-cli while the backup is killed.
            var stream: [UInt8] = []
            for args in writes {
                stream += Array("*\(args.count)\r\n".utf8)
                for a in args { stream += Array("$\(a.utf8.count)\r\n\(a)\r\n".utf8) }
            }
            let commandsFile = scratch + "/writes\(run).resp"
            try Data(stream).write(to: URL(fileURLWithPath: commandsFile))
            let writer = Process()
            writer.executableURL = URL(fileURLWithPath: RedisServerProcess.executable("redis-cli")!)
            writer.arguments = ["-p", "\(server.port)", "--pipe"]
            writer.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: commandsFile))
            writer.standardOutput = FileHandle.nullDevice
            try writer.run()
            usleep(killAfter)
            kill(follower.processIdentifier, SIGKILL)
            follower.waitUntilExit()
            writer.waitUntilExit()
            guard FileManager.default.fileExists(atPath: backups) else { continue }
            let listing = try rdbkit(["backups", backups, "--json"])
            XCTAssertEqual(listing.status, 0, "run \(run), killed after \(killAfter) µs: \(listing.out)")
            for point in try parseJSONLines(Data(listing.out.utf8)) where point["path"] != nil {
                let merged = scratch + "/merged\(run).rdb"
                let result = try rdbkit(["merge", point["path"] as! String, "-o", merged, "--lossy"])
                XCTAssertEqual(result.status, 0, "run \(run): \(result.err)")
                XCTAssertTrue(Validator.validate(path: merged).isValid)
                chainsMerged += 1
            }
        }
        print("SIGKILL runs: \(chainsMerged) of 10 left a chain, each merged")
        XCTAssertGreaterThanOrEqual(chainsMerged, 3, "kills land after the snapshot too")
    }
}
