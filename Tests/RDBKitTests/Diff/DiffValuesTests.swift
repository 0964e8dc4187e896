import Foundation
import XCTest
@testable import RDBKit

/// `diff --values`: a changed key with its old and new value, big values as a bounded summary.
final class DiffValuesTests: XCTestCase {
    func testChangedKeysShowOldAndNewValues() throws {
        let dir = try RDBKitProcess.scratch("diff-values")
        defer { try? FileManager.default.removeItem(at: dir) }
        func list(_ n: Int) -> String { (0..<n).map { "\"e\($0)\"" }.joined(separator: ",") }
        let a = try RDBKitProcess.dump([#"{"db":0,"key":"s","type":"string","value":"old"}"#, #"{"db":0,"key":"same","type":"string","value":"x"}"#,
                                        #"{"db":1,"key":"big","type":"list","value":[\#(list(2000))]}"#, #"{"db":0,"key":"gone","type":"string","value":"g"}"#],
                                       in: dir, name: "a.rdb")
        let b = try RDBKitProcess.dump([#"{"db":0,"key":"s","type":"hash","value":{"f":"new"}}"#, #"{"db":0,"key":"same","type":"string","value":"x"}"#,
                                        #"{"db":1,"key":"big","type":"list","value":[\#(list(2001))]}"#], in: dir, name: "b.rdb")
        let r = try RDBKitProcess.run(["diff", a, b, "--values"])
        XCTAssertEqual(r.status, 1, r.err)
        let lines = try r.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(lines.count, 3)
        let s = try XCTUnwrap(lines.first { $0["key"] as? String == "s" })
        XCTAssertEqual((s["old"] as? [String: Any])?["value"] as? String, "old")
        XCTAssertEqual(((s["new"] as? [String: Any])?["value"] as? [String: String]), ["f": "new"])
        let big = try XCTUnwrap(lines.first { $0["key"] as? String == "big" })
        XCTAssertEqual((big["old"] as? [String: Any])?["type"] as? String, "list")
        XCTAssertGreaterThan((big["new"] as? [String: Any])?["json_bytes"] as? Int ?? 0, 4096)
        XCTAssertTrue(lines.contains { $0["change"] as? String == "only_in_a" && $0["old"] == nil })
        let wide = try RDBKitProcess.run(["diff", a, b, "--values", "--value-limit", "100000"])
        XCTAssertTrue(wide.out.contains("\"e2000\""), "the whole value under a larger limit")
        XCTAssertFalse(try RDBKitProcess.run(["diff", a, b]).out.contains("\"old\""))
    }
}
