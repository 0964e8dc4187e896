import Foundation
import XCTest
@testable import RDBKit

/// `backup --follow` against a Redis 7.0 under write load: the folder it leaves, merged and
/// loaded into a fresh server, holds what the live server holds (DEBUG DIGEST), also across a
/// killed replica connection (partial resync) and one killed while the snapshot arrives.
final class FollowSessionTests: XCTestCase {
    private static func payload(_ key: String) -> [UInt8] {
        let writer = try! RDBWriter(path: nil, target: RDBTarget.named("redis-7.0")!)
        return try! writer.dumpPayload(for: KeyRecord(db: 0, key: Array(key.utf8), value: .list([Array("restored".utf8)])))
    }

    /// A session on a thread of its own, stopped as SIGTERM would stop it.
    private final class Running: @unchecked Sendable {
        let session: FollowSession
        private var failure: Error?
        private let done = DispatchSemaphore(value: 0)

        init(_ session: FollowSession) {
            self.session = session
            Thread { [self] in
                do { try session.run() } catch { failure = error }
                done.signal()
            }.start()
        }

        func stop() throws {
            session.requestStop()
            XCTAssertEqual(done.wait(timeout: .now() + 15), .success, "the session stops within seconds")
            if let failure { throw failure }
        }
    }

    private func makeScratch() throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-follow-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        return scratch
    }

    /// The apt Redis 7.0 with `extra` arguments.
    private func aptServer(_ extra: [String]) throws -> RedisServerProcess {
        guard let server = try RedisServerProcess(extraArguments: extra) else { throw XCTSkip("redis-server is not installed") }
        return server
    }

    private func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    private func masterOffset(_ server: RedisServerProcess) throws -> Int64 {
        let info = try server.command("INFO", "replication")
        return Int64(info.components(separatedBy: "master_repl_offset:").last?.prefix(while: \.isNumber) ?? "") ?? -1
    }

    private func follow(_ server: RedisServerProcess, into directory: String, options: FollowSession.Options) -> Running {
        Running(FollowSession(url: RedisURL(host: "127.0.0.1", port: server.port),
                              connectionOptions: ConnectionOptions(connectTimeout: 5, replyTimeout: 10),
                              directory: directory, options: options))
    }

    /// Merges `set` for `target`, loads it into a fresh `server`; returns its DEBUG DIGEST.
    private func mergedDigest(_ set: String, scratch: String, target: String = "redis-7.0",
                              server: [String] = [RedisServerProcess.executable("redis-server")!]) throws -> String {
        XCTAssertTrue(AOFValidation.validate(path: set, check: AOFCommandCheck()).isValid, AOFValidation.validate(path: set).summaryLine)
        let merged = scratch + "/merged.rdb"
        var options = Merge.Options(target: RDBTarget.named(target)!, now: Int64(Date().timeIntervalSince1970 * 1000))
        options.lossy = true
        try Merge.run(base: set, deltas: [], outputPath: merged, options: options)
        guard let loaded = try RedisServerProcess(command: server, dump: merged) else { return "" }
        defer { loaded.stop() }
        return try loaded.command("DEBUG", "DIGEST")
    }

    func testConcurrentLoadWithAKilledReplicaConnection() throws {
        let server = try aptServer(["--repl-diskless-sync-delay", "0"])
        defer { server.stop() }
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try server.pipe(LiveDataset.everyType())

        var options = FollowSession.Options(rotateEvery: 1, rotateSize: 64 * 1024)
        options.maximumBackoff = 0.5
        let running = follow(server, into: scratch + "/backups", options: options)
        XCTAssertTrue(waitUntil(10) { running.session.acknowledgedOffset >= 0 }, "the snapshot arrived")

        var workload = ReplayWorkload(seed: 7, payload: Self.payload)
        for round in 0..<4 {
            try server.pipeAllowingErrors(workload.commands(600))
            if round == 1 {
                XCTAssertTrue(try server.command("CLIENT", "KILL", "TYPE", "replica").trimmingCharacters(in: .whitespacesAndNewlines) != "0")
            }
        }
        let target = try masterOffset(server)
        XCTAssertTrue(waitUntil(15) { running.session.acknowledgedOffset >= target },
                      "acknowledged \(running.session.acknowledgedOffset) of \(target)")
        try running.stop()
        XCTAssertEqual(running.session.sets.count, 1, "the killed connection resumed with +CONTINUE: \(running.session.sets)")
        let set = try XCTUnwrap(running.session.sets.first)
        let files = try FileManager.default.contentsOfDirectory(atPath: set)
        XCTAssertGreaterThanOrEqual(files.filter { $0.hasSuffix(".incr.aof") }.count, 2, "rotated: \(files.sorted())")
        XCTAssertEqual(try mergedDigest(set, scratch: scratch), try server.command("DEBUG", "DIGEST"))
    }

    func testConnectionKilledWhileTheSnapshotArrives() throws {
        let server = try aptServer(["--repl-diskless-sync-delay", "0", "--rdb-key-save-delay", "2000"])
        defer { server.stop() }
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try server.pipe((0..<400).map { ["SET", "key:\($0)", String(repeating: "v", count: 200)] })
        var options = FollowSession.Options()
        options.maximumBackoff = 0.5
        let running = follow(server, into: scratch + "/backups", options: options)
        // 400 keys at 2 ms each: the transfer takes about 0.8 s; kill it half-way.
        XCTAssertTrue(try waitUntil(5) { try server.command("INFO", "replication").contains("slave0:") })
        usleep(300_000)
        _ = try server.command("CLIENT", "KILL", "TYPE", "replica")
        _ = try server.command("CONFIG", "SET", "rdb-key-save-delay", "0")
        XCTAssertTrue(waitUntil(10) { running.session.acknowledgedOffset >= 0 })
        try server.pipe((0..<50).map { ["INCR", "counter:\($0 % 5)"] })
        let target = try masterOffset(server)
        XCTAssertTrue(waitUntil(10) { running.session.acknowledgedOffset >= target })
        try running.stop()
        XCTAssertEqual(running.session.sets.count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch + "/backups").count, 1, "no partial set left behind")
        XCTAssertEqual(try mergedDigest(running.session.sets[0], scratch: scratch), try server.command("DEBUG", "DIGEST"))
    }

    /// The same follow, kill and resume against every other server the machine has.
    func testFollowEveryServer() throws {
        let targets = ["redis-6.2": "redis-6.2", "redis-8.2": "redis-8.2", "valkey-9.1": "valkey-9.1"]
        var tested: [String] = []
        for (name, command) in RedisServerProcess.installedServers().sorted(by: { $0.key < $1.key }) {
            guard let target = targets[name] else { continue }
            let server: RedisServerProcess
            do {
                guard let started = try RedisServerProcess(command: command, extraArguments: ["--repl-diskless-sync-delay", "0"]) else { continue }
                server = started
            } catch {
                print("skipping \(name): \(error.localizedDescription.prefix(300))")
                continue
            }
            defer { server.stop() }
            let scratch = try makeScratch()
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            try server.pipe(LiveDataset.everyType(forVersion: name == "redis-6.2" ? 6 : 8))
            var options = FollowSession.Options(rotateSize: 8 * 1024)
            options.maximumBackoff = 0.5
            let running = follow(server, into: scratch + "/backups", options: options)
            XCTAssertTrue(waitUntil(10) { running.session.acknowledgedOffset >= 0 }, "\(name): the snapshot arrived")
            for round in 0..<3 {
                try server.pipe((0..<200).flatMap { i in
                    [["SET", "s:\(i % 50)", "v\(round)-\(i)"], ["RPUSH", "l:\(i % 5)", "\(i)"], ["HSET", "h", "f\(i % 30)", "\(round)"],
                     ["ZADD", "z", "\(i)", "m\(i % 40)"], ["SADD", "set", "\(i % 60)"], ["INCR", "counter"]]
                } + [["MULTI"], ["INCR", "tx"], ["EXPIRE", "tx", "100000"], ["EXEC"]])
                if round == 0 { _ = try server.command("CLIENT", "KILL", "TYPE", "replica") }
            }
            let target0 = try masterOffset(server)
            XCTAssertTrue(waitUntil(15) { running.session.acknowledgedOffset >= target0 }, "\(name): acknowledged \(running.session.acknowledgedOffset) of \(target0)")
            try running.stop()
            XCTAssertEqual(running.session.sets.count, 1, "\(name): resumed with +CONTINUE")
            XCTAssertEqual(try mergedDigest(running.session.sets[0], scratch: scratch, target: target, server: command),
                           try server.command("DEBUG", "DIGEST"), name)
            tested.append(name)
        }
        print("follow tested against: \(tested.joined(separator: ", "))")
    }

    /// The backlog no longer holds our offset: +FULLRESYNC starts a new set; --keep 1 removes the old one.
    func testFullResyncStartsANewSetAndKeepPrunes() throws {
        let server = try aptServer(["--repl-diskless-sync-delay", "0", "--repl-backlog-size", "16kb"])
        defer { server.stop() }
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try server.pipe((0..<100).map { ["SET", "before:\($0)", "x"] })
        var options = FollowSession.Options()
        options.maximumBackoff = 0.5
        options.keep = .count(1)
        let running = follow(server, into: scratch + "/backups", options: options)
        XCTAssertTrue(waitUntil(10) { running.session.acknowledgedOffset >= 0 })
        try server.pipe((0..<50).map { ["SET", "first:\($0)", "y"] })
        let firstTarget = try masterOffset(server)
        XCTAssertTrue(waitUntil(10) { running.session.acknowledgedOffset >= firstTarget })
        // Killed, then 300 KB written while it waits to reconnect: more than the 16 KB backlog holds.
        _ = try server.command("CLIENT", "KILL", "TYPE", "replica")
        try server.pipe((0..<300).map { ["SET", "during:\($0)", String(repeating: "z", count: 1000)] })
        XCTAssertTrue(waitUntil(10) { running.session.sets.count == 2 }, "a new set after +FULLRESYNC: \(running.session.sets)")
        let target = try masterOffset(server)
        XCTAssertTrue(waitUntil(10) { running.session.acknowledgedOffset >= target })
        try running.stop()
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch + "/backups")
        XCTAssertEqual(left, [running.session.sets[1].split(separator: "/").last.map(String.init)!], "--keep 1 removed the first set")
        XCTAssertEqual(try mergedDigest(running.session.sets[1], scratch: scratch), try server.command("DEBUG", "DIGEST"))
    }

    /// MULTI/EXEC pairs of each incremental file: a transaction never spans two files.
    private func transactionsPerFile(_ set: String) throws -> [String: (multi: Int, exec: Int)] {
        var counts: [String: (multi: Int, exec: Int)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: set) where name.hasSuffix(".incr.aof") {
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: set + "/" + name)), as: UTF8.self)
            counts[name] = (text.components(separatedBy: "\r\nMULTI\r\n").count - 1, text.components(separatedBy: "\r\nEXEC\r\n").count - 1)
        }
        return counts
    }

    /// A backup started again on its folder continues the newest set with +CONTINUE (nothing
    /// lost, nothing twice, a 2 MiB transaction whole in one file despite 4 KB rotations); when
    /// the backlog no longer holds its offset, it starts a new set and leaves the old one whole.
    func testARestartedBackupContinuesItsSetOrStartsANewOne() throws {
        let server = try aptServer(["--repl-diskless-sync-delay", "0", "--repl-backlog-size", "64kb"])
        defer { server.stop() }
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try server.pipe(LiveDataset.everyType())
        let backups = scratch + "/backups"
        var options = FollowSession.Options(rotateSize: 4 * 1024)
        options.maximumBackoff = 0.5

        func caughtUp(_ running: Running) throws {
            let target = try masterOffset(server)
            XCTAssertTrue(waitUntil(15) { running.session.acknowledgedOffset >= target }, "acknowledged \(running.session.acknowledgedOffset) of \(target)")
        }
        var first = follow(server, into: backups, options: options)
        XCTAssertTrue(waitUntil(10) { first.session.acknowledgedOffset >= 0 })
        let big = String(repeating: "x", count: 64 * 1024)
        try server.pipe([["MULTI"]] + (0..<32).map { ["SET", "big:\($0)", big] } + [["INCR", "tx"], ["EXEC"]]
                        + (0..<200).map { ["RPUSH", "before", "\($0)"] })
        try caughtUp(first)
        try first.stop()
        let set = try XCTUnwrap(first.session.sets.first)

        // Written while no backup runs, within the 64 KB backlog.
        try server.pipe((0..<100).map { ["INCR", "while-stopped:\($0 % 4)"] } + [["SELECT", "3"], ["SET", "in-db-3", "x"]])
        first = follow(server, into: backups, options: options)
        XCTAssertTrue(waitUntil(10) { first.session.acknowledgedOffset >= 0 })
        try server.pipe((0..<100).map { ["RPUSH", "after", "\($0)"] })
        try caughtUp(first)
        try first.stop()
        XCTAssertEqual(first.session.sets, [set], "the second run continued the first run's set")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: backups).count, 1)
        let transactions = try transactionsPerFile(set)
        XCTAssertGreaterThanOrEqual(transactions.count, 3, "rotated at 4 KB: \(transactions.keys.sorted())")
        for (name, pair) in transactions { XCTAssertEqual(pair.multi, pair.exec, "\(name): a transaction split across files") }
        XCTAssertEqual(transactions.values.reduce(0) { $0 + $1.multi }, 1)
        XCTAssertEqual(try mergedDigest(set, scratch: scratch), try server.command("DEBUG", "DIGEST"), "nothing lost, nothing twice")

        // 300 KB while stopped: more than the backlog holds.
        try server.pipe((0..<300).map { ["SET", "gap:\($0)", String(repeating: "z", count: 1000)] })
        let third = follow(server, into: backups, options: options)
        XCTAssertTrue(waitUntil(10) { third.session.acknowledgedOffset >= 0 })
        try caughtUp(third)
        try third.stop()
        XCTAssertEqual(third.session.sets.count, 1)
        XCTAssertNotEqual(third.session.sets.first, set, "a new set")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: backups).count, 2, "the old set stays")
        XCTAssertEqual(try mergedDigest(third.session.sets[0], scratch: scratch), try server.command("DEBUG", "DIGEST"))
        XCTAssertTrue(AOFValidation.validate(path: set).isValid, "the old set is still whole")
    }

    /// --compact-every at a short interval: the base and closed files are folded into a new
    /// base while the stream goes on; the manifest names the new base, the folded files are
    /// gone, and the set still merges to the live dataset.
    func testCompactionFoldsTheChainIntoANewBase() throws {
        let server = try aptServer(["--repl-diskless-sync-delay", "0"])
        defer { server.stop() }
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try server.pipe(LiveDataset.everyType())
        var options = FollowSession.Options(rotateEvery: 1)
        options.compactEvery = 2
        options.maximumBackoff = 0.5
        let running = follow(server, into: scratch + "/backups", options: options)
        XCTAssertTrue(waitUntil(10) { running.session.acknowledgedOffset >= 0 })
        var workload = ReplayWorkload(seed: 11, payload: Self.payload)
        for _ in 0..<6 where running.session.compactions < 2 {
            try server.pipeAllowingErrors(workload.commands(300))
            usleep(700_000)
        }
        XCTAssertTrue(waitUntil(10) { running.session.compactions >= 2 }, "compacted \(running.session.compactions) times")
        try server.pipeAllowingErrors(workload.commands(200))
        let target = try masterOffset(server)
        XCTAssertTrue(waitUntil(15) { running.session.acknowledgedOffset >= target })
        try running.stop()
        let set = try XCTUnwrap(running.session.sets.first)
        XCTAssertEqual(running.session.sets.count, 1)
        let manifest = try XCTUnwrap(AOFFiles.open(set).manifest)
        XCTAssertGreaterThanOrEqual(manifest.base?.sequence ?? 0, 3, String(decoding: manifest.rendered(), as: UTF8.self))
        let named = Set(manifest.loadOrder.map(\.name) + [BackupSet.prefix + ".manifest", ReplicationState.fileName])
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: set)), named, "the folded files were removed")
        XCTAssertEqual(try mergedDigest(set, scratch: scratch), try server.command("DEBUG", "DIGEST"))
    }
}
