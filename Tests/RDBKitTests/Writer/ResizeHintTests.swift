import Foundation
import XCTest
@testable import RDBKit

/// A converted dump carries RESIZEDB after each SELECTDB with the numbers Redis itself writes.
final class ResizeHintTests: XCTestCase {
    func testConvertedDumpHasTheResizeHintsRedisWrites() throws {
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        try server.pipe([["SET", "a", "1"], ["SET", "b", "2", "PX", "900000000"], ["SELECT", "3"], ["RPUSH", "l", "x"],
                         ["HSET", "h", "f", "v"], ["EXPIRE", "h", "900000"], ["SELECT", "9"], ["SADD", "s", "m"]].map { $0.map { Array($0.utf8) } })
        _ = try server.command("SAVE")
        let scratch = try RDBKitProcess.scratch("resize")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let converted = scratch.appendingPathComponent("converted.rdb").path
        XCTAssertEqual(try RDBKitProcess.run(["convert", server.dumpPath, converted, "--target-version", "redis-6.2"]).status, 0)
        func hints(_ path: String) throws -> [String] {
            try RDBKitProcess.run(["export", path, "--with-meta"]).out.split(separator: "\n").filter { $0.contains("\"resizedb\"") }.map(String.init)
        }
        let ours = try hints(converted)
        XCTAssertEqual(ours, try hints(server.dumpPath))
        XCTAssertEqual(ours, [#"{"meta":"resizedb","db":0,"keys":2,"expires":1}"#, #"{"meta":"resizedb","db":3,"keys":2,"expires":1}"#,
                              #"{"meta":"resizedb","db":9,"keys":1,"expires":0}"#])
        // Through the export schema too.
        let json = scratch.appendingPathComponent("dump.jsonl").path
        XCTAssertEqual(try RDBKitProcess.run(["export", server.dumpPath, "-o", json]).status, 0)
        let rebuilt = scratch.appendingPathComponent("rebuilt.rdb").path
        XCTAssertEqual(try RDBKitProcess.run(["convert", json, rebuilt, "--target-version", "redis-7.0"]).status, 0)
        XCTAssertEqual(try hints(rebuilt), ours)
        // Filtered: the hints count what is written.
        let filtered = scratch.appendingPathComponent("filtered.rdb").path
        XCTAssertEqual(try RDBKitProcess.run(["convert", server.dumpPath, filtered, "--db", "3", "--type", "list"]).status, 0)
        XCTAssertEqual(try hints(filtered), [#"{"meta":"resizedb","db":3,"keys":1,"expires":0}"#])
    }
}
