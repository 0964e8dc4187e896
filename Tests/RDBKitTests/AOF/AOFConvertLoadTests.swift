import Foundation
import XCTest
@testable import RDBKit

/// `convert --to aof`: what we write, placed as a fresh Redis 7.0's append-only directory (with
/// our manifest) or file, loads at start-up and holds the same data as the server it came from.
final class AOFConvertLoadTests: XCTestCase {
    private func startServer(dir: URL, aofArguments: [String]) throws -> RedisServerProcess {
        guard let apt = RedisServerProcess.executable("redis-server"),
              let server = try RedisServerProcess(command: [apt], extraArguments: ["--dir", dir.path] + aofArguments) else {
            throw XCTSkip("redis-server is not installed")
        }
        return server
    }

    func testEveryFixtureAsAMultiPartAOFLoadsWithTheSameDigest() throws {
        guard ServerContentOracle.isAvailable else { throw XCTSkip("python3 with redis-py is not installed") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-aof-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var digests = 0, loaded = 0
        for (index, (dump, expectedFile)) in FixturePaths.dumpsWithExpectedContent().enumerated() {
            let folder = dump.deletingLastPathComponent().lastPathComponent
            guard ["legacy", "redis-6.2", "redis-7.0"].contains(folder) else { continue }
            let label = "\(folder)/\(dump.lastPathComponent)"
            let name = "aof-\(index)"
            let summary = try Convert.rdbToAOF(inputPath: dump.path, outputPath: scratch.appendingPathComponent(name).path,
                                               layout: .multiPart(prefix: "appendonly.aof"), target: RDBTarget.named("redis-7.0")!,
                                               lossy: true, withoutModules: true)
            XCTAssertTrue(AOFValidation.validate(path: scratch.appendingPathComponent(name).path).isValid, label)
            let server = try startServer(dir: scratch, aofArguments: ["--appendonly", "yes", "--appenddirname", name])
            defer { server.stop() }
            loaded += 1
            if summary.losses.isEmpty, let original = try RedisServerProcess(command: [RedisServerProcess.executable("redis-server")!], dump: dump.path) {
                defer { original.stop() }
                XCTAssertEqual(try server.command("DEBUG", "DIGEST"), try original.command("DEBUG", "DIGEST"), label)
                digests += 1
            }
            let content = try ServerContentOracle.read(port: server.port)
            let expected = try parseJSONLines(try Data(contentsOf: expectedFile)).filter { $0["type"] as? String != "module" }
            let fileVersion = Validator.validate(path: dump.path).header?.version ?? 0
            let problems = ExpectedContent(expiryTolerance: ExpectedContent.expiryTolerance(forServer: folder), fileVersion: min(fileVersion, 10))
                .differences(ours: content, expected: expected, now: now)
            XCTAssertTrue(problems.isEmpty, "\(label):\n" + problems.prefix(8).joined(separator: "\n"))
        }
        print("fixtures loaded from our multi-part AOF by Redis 7.0: \(loaded), same DEBUG DIGEST as the dump: \(digests)")
        XCTAssertGreaterThan(digests, 10)
    }

    /// A live dataset (every type, streams with groups and pending entries, expiries, several
    /// databases) saved, converted to one AOF file, and loaded by a fresh server.
    func testLiveDatasetRoundTripsThroughASingleFileAOF() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-aof-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        guard let source = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { source.stop() }
        var workload = CommandWorkload(seed: 99)
        try source.pipe(workload.commands(2000))
        try source.pipe([
            ["XADD", "stream", "1-1", "a", "1"], ["XADD", "stream", "2-1", "b", "2"], ["XADD", "stream", "3-1", "c", "3"],
            ["XGROUP", "CREATE", "stream", "g1", "0"], ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "stream", ">"],
            ["XGROUP", "CREATECONSUMER", "stream", "g1", "bob"], ["XDEL", "stream", "2-1"],
            ["XADD", "empty", "5-5", "x", "y"], ["XDEL", "empty", "5-5"],
            ["FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"],
            ["HSET", "big-hash"] + (0..<300).flatMap { ["field\($0)", String(repeating: "v", count: $0 % 90)] },
            ["ZADD", "scores", "inf", "top", "-inf", "bottom", "0.1", "tenth", "-0", "zero"],
        ])
        try source.command("SAVE")
        let aof = scratch.appendingPathComponent("appendonly.aof")
        let summary = try Convert.rdbToAOF(inputPath: source.dumpPath, outputPath: aof.path, layout: .singleFile,
                                           target: RDBTarget.named("redis-7.0")!, lossy: true)
        // Alice's pending 2-1 was deleted from the stream: no command recreates it, and it says so.
        XCTAssertEqual(summary.losses.map(\.what), ["pending entry 2-1 of group \"g1\" dropped: its message was deleted, and XCLAIM recreates only existing ones"])
        XCTAssertTrue(AOFValidation.validate(path: aof.path).isValid)
        // Redis 7.0 adopts a lone appendonly.aof in its dir as the base of a new multi-part AOF.
        let loaded = try startServer(dir: scratch, aofArguments: ["--appendonly", "yes"])
        defer { loaded.stop() }
        XCTAssertEqual(try loaded.command("DEBUG", "DIGEST"), try source.command("DEBUG", "DIGEST"))
        XCTAssertEqual(try loaded.command("XINFO", "STREAM", "stream"), try source.command("XINFO", "STREAM", "stream"))
        // redis-cli's raw form: id, consumer, idle ms, deliveries per pending entry.
        let pending = try loaded.command("XPENDING", "stream", "g1", "-", "+", "10").split(separator: "\n")
        XCTAssertEqual(pending.count, 4)
        XCTAssertEqual(pending.first, "1-1")
        XCTAssertEqual(pending.dropFirst().first, "alice")
        XCTAssertEqual(try loaded.command("FUNCTION", "LIST"), try source.command("FUNCTION", "LIST"))
    }
}
