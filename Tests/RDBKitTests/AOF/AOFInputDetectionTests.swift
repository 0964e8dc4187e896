import Foundation
import XCTest
@testable import RDBKit

/// AOFs given where users give files: a Redis 6.2 single file with an RDB preamble (by content,
/// whatever its name), and an AOF on standard input.
final class AOFInputDetectionTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try RDBKitProcess.scratch("aof-detection") }
    override func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    func testRedis62PreambleAOFIsReadAsAnAOFAndMergesToTheLiveData() throws {
        guard let command = RedisServerProcess.installedServers()["redis-6.2"] else { throw XCTSkip("no Redis 6.2 (Scripts/setup.sh)") }
        guard let server = try RedisServerProcess(command: command, extraArguments: ["--appendonly", "yes", "--aof-use-rdb-preamble", "yes"]) else {
            throw XCTSkip("redis-cli is not installed")
        }
        defer { server.stop() }
        var workload = CommandWorkload(seed: 16)
        try server.pipe(workload.commands(300))
        try server.command("BGREWRITEAOF")
        try server.waitForAOFRewrite()
        try server.pipe([["SET", "after-rewrite", "1"], ["RPUSH", "after-list", "a", "b"], ["DEL", "missing"], ["INCR", "counter"]])
        let live = try server.command("DEBUG", "DIGEST")
        let original = server.directory.appendingPathComponent("appendonly.aof")
        let unnamed = scratch.appendingPathComponent("backup-0600")
        try FileManager.default.copyItem(at: original, to: unnamed)

        for file in [original.path, unnamed.path] {
            let validate = try RDBKitProcess.run(["validate", file])
            XCTAssertEqual(validate.status, 0, validate.out + validate.err)
            XCTAssertTrue(validate.out.contains(": AOF, 1 file, 4 commands"), validate.out)
            XCTAssertTrue(validate.out.contains("in RDB form"), validate.out)
            XCTAssertFalse(validate.out.contains("after the checksum"), validate.out)
        }
        let merged = scratch.appendingPathComponent("merged.rdb").path
        let merge = try RDBKitProcess.run(["merge", unnamed.path, "-o", merged, "--target-version", "redis-6.2"])
        XCTAssertEqual(merge.status, 0, merge.err)
        guard let loaded = try RedisServerProcess(command: command, dump: merged) else { return }
        defer { loaded.stop() }
        XCTAssertEqual(try loaded.command("DEBUG", "DIGEST"), live)

        // A dump is still a dump.
        try server.command("SAVE")
        let dump = try RDBKitProcess.run(["validate", server.dumpPath])
        XCTAssertTrue(dump.out.contains(": RDB v9"), dump.out)
    }

    func testAnAOFOnStandardInputIsRecognised() throws {
        let aof = scratch.appendingPathComponent("in.aof")
        try Data("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".utf8).write(to: aof)
        let validate = try RDBKitProcess.run(["validate", "-"], stdin: aof)
        XCTAssertEqual(validate.status, 0, validate.out + validate.err)
        XCTAssertTrue(validate.out.contains("-: AOF, 1 file, 2 commands"), validate.out)
        let export = try RDBKitProcess.run(["export", "-"], stdin: aof)
        XCTAssertEqual(export.status, 0, export.err)
        XCTAssertTrue(export.out.contains(#""args":["SET","k","v"]"#), export.out)
        let merged = scratch.appendingPathComponent("m.rdb").path
        let merge = try RDBKitProcess.run(["merge", "-", "-o", merged], stdin: aof)
        XCTAssertEqual(merge.status, 1)
        XCTAssertTrue(merge.err.contains("standard input can be read only once: give the AOF as a file"), merge.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: merged))
        // An RDB on standard input still streams as one.
        let dump = FixturePaths.fixtures.appendingPathComponent("legacy/ziplist_with_integers.rdb")
        let streamed = try RDBKitProcess.run(["validate", "-"], stdin: dump)
        XCTAssertTrue(streamed.out.hasPrefix("OK  -: RDB v"), streamed.out + streamed.err)
    }
}
