import Foundation
import XCTest
@testable import RDBKit

final class DiffTests: XCTestCase {
    /// Same data from different servers (other encodings, member orders) compares equal; edits
    /// made through the JSON form show up as exactly those differences.
    func testDiffFindsExactlyTheEdits() throws {
        let a = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path
        let other = FixturePaths.fixtures.appendingPathComponent("valkey-9.1/types.rdb").path
        guard FileManager.default.fileExists(atPath: a), FileManager.default.fileExists(atPath: other) else {
            throw XCTSkip("server fixtures missing")
        }
        XCTAssertTrue(try Diff.run(a, other) { _ in }.isEqual, "same dataset written by Redis 7.0 and Valkey 9.1")

        var lines = String(decoding: try exportToMemory(a), as: UTF8.self).split(separator: "\n").map(String.init)
        func edit(_ key: String, _ change: (inout [String: Any]) -> Void) throws {
            let i = try XCTUnwrap(lines.firstIndex { $0.contains("\"key\":\"\(key)\"") })
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[i].utf8)) as? [String: Any])
            change(&object)
            lines[i] = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        try edit("set:int16") { $0["value"] = ["1", "-2", "301"] }
        try edit("str:raw") { $0["expire_at_ms"] = 2_100_000_000_000 }
        try edit("hash:small") { $0["type"] = "string"; $0["value"] = "x" }
        lines.removeAll { $0.contains("\"key\":\"list:small\"") }
        lines.append("{\"db\":3,\"key\":\"new\",\"type\":\"string\",\"value\":\"v\"}")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let json = scratch.appendingPathComponent("edited.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: json)
        let b = scratch.appendingPathComponent("edited.rdb").path
        _ = try Convert.jsonToRDB(inputPath: json.path, outputPath: b, target: RDBTarget.named("redis-7.0")!, lossy: false)

        var found: [String: String] = [:]
        let summary = try Diff.run(a, b) { d in
            found[String(decoding: d.key, as: UTF8.self)] = d.change.rawValue + (d.what.isEmpty ? "" : ":" + d.what.joined(separator: ","))
        }
        XCTAssertEqual(found, ["set:int16": "changed:value", "str:raw": "changed:expiry", "hash:small": "changed:type",
                               "list:small": "only_in_a", "new": "only_in_b"])
        XCTAssertEqual(summary.changed, 3)
        XCTAssertEqual(summary.onlyInA, 1)
        XCTAssertEqual(summary.onlyInB, 1)
        XCTAssertFalse(summary.isEqual)
    }
}
