import Foundation
import XCTest
@testable import RDBKit

/// inspect, report, restore-payload and diff given a live server's AOF directory: replayed as
/// merge replays it, with the same keys as the server's own dump.
final class AOFDatasetVerbTests: XCTestCase {
    func testDatasetVerbsReadAnAOFDirectory() throws {
        guard let server = try RedisServerProcess(extraArguments: ["--appendonly", "yes", "--aof-use-rdb-preamble", "no"]) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { server.stop() }
        var workload = CommandWorkload(seed: 7)
        try server.pipe(workload.commands(400))
        try server.pipe([["SET", "user:1", "a"], ["SET", "user:2", "b"], ["SELECT", "2"], ["RPUSH", "queue", "x", "y"]])
        try server.command("SAVE")
        let directory = server.directory.appendingPathComponent("appendonlydir").path
        let keys = try Validator.validate(path: server.dumpPath).keys
        XCTAssertGreaterThan(keys, 10)

        let inspect = try RDBKitProcess.run(["inspect", directory, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.err)
        let summary = try JSONSerialization.jsonObject(with: Data(inspect.out.utf8)) as! [String: Any]
        XCTAssertEqual(summary["keys"] as? Int, keys)
        XCTAssertEqual(summary["path"] as? String, directory)
        XCTAssertEqual(summary["replayed_aof"] as? Bool, true)
        let text = try RDBKitProcess.run(["inspect", directory])
        XCTAssertTrue(text.out.hasPrefix("\(directory): AOF, replayed as merge replays it"), text.out)

        let page = server.directory.appendingPathComponent("report.html").path
        XCTAssertEqual(try RDBKitProcess.run(["report", directory, "-o", page]).status, 0)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertTrue(html.contains("<h1>\(directory)</h1>") && html.contains("AOF, replayed"), String(html.prefix(600)))

        let payloads = try RDBKitProcess.run(["restore-payload", directory])
        XCTAssertEqual(payloads.status, 0, payloads.err)
        XCTAssertEqual(payloads.out.split(separator: "\n").count, keys)

        let diff = try RDBKitProcess.run(["diff", directory, server.dumpPath, "--summary"])
        XCTAssertEqual(diff.status, 0, diff.out + diff.err)
        XCTAssertEqual(diff.out, "equal: \(keys) keys\n")
        try server.command("SET", "user:1", "changed")
        let changed = try RDBKitProcess.run(["diff", server.dumpPath, directory, "--summary"])
        XCTAssertEqual(changed.status, 1, changed.out + changed.err)
        XCTAssertTrue(changed.out.contains("1 changed"), changed.out)
    }
}
