import XCTest
@testable import RDBKit

final class BoundedSummaryTests: XCTestCase {
    private func stats(_ name: String, _ memory: Int) -> KeyStats {
        KeyStats(db: 0, key: Array(name.utf8), type: .string, encoding: "raw", elements: 1, largestElement: 1, memory: memory, expireAtMs: nil)
    }

    func testTopKeysKeepsTheBiggest() {
        var top = BoundedTopKeys(capacity: 3)
        for (i, m) in [5, 1, 9, 7, 3, 8, 2].enumerated() { top.offer(stats("k\(i)", m)) }
        XCTAssertEqual(top.sorted.map(\.memory), [9, 8, 7])
    }

    /// Space-Saving: heavy prefixes survive a full table, and their counts are over by at most
    /// the reported bound.
    func testPrefixSummaryFindsHeavyHittersInBoundedSpace() {
        var summary = PrefixSummary(capacity: 10)
        for i in 0..<5000 {
            let prefix = i % 2 == 0 ? "heavy" : i % 5 == 1 ? "medium" : "rare\(i)"
            Array(prefix.utf8).withUnsafeBytes { summary.add($0, memory: 10) }
        }
        let (top, error) = summary.top(3)
        XCTAssertEqual(top.first.map { String(decoding: $0.prefix, as: UTF8.self) }, "heavy")
        XCTAssertGreaterThanOrEqual(top.first!.keys, 2500)
        XCTAssertLessThanOrEqual(top.first!.keys - 2500, error)
        XCTAssertTrue(top.contains { String(decoding: $0.prefix, as: UTF8.self) == "medium" })
    }

    /// Many distinct prefixes against a full table: each key costs O(log capacity) (a linear scan
    /// of the table per new prefix made 300,000 UUID-prefixed keys take 29 s), and the heavy
    /// prefix is still found with its bound.
    func testPrefixSummaryStaysFastWithManyDistinctPrefixes() {
        var summary = PrefixSummary(capacity: 10_000)
        for i in 0..<300_000 {
            Array((i % 3 == 0 ? "heavy" : "p\(i)").utf8).withUnsafeBytes { summary.add($0, memory: 1) }
        }
        let (top, error) = summary.top(1)
        XCTAssertEqual(top.first.map { String(decoding: $0.prefix, as: UTF8.self) }, "heavy")
        XCTAssertLessThanOrEqual(top.first!.keys - 100_000, error)
    }

    func testPrefixIsWhatComesBeforeTheSeparator() {
        func prefix(_ key: String, _ separator: String) -> String? {
            Array(key.utf8).withUnsafeBytes { PrefixSummary.prefix(of: $0, separator: Array(separator.utf8)).map { String(decoding: $0, as: UTF8.self) } }
        }
        XCTAssertEqual(prefix("user:1:name", ":"), "user")
        XCTAssertEqual(prefix("a::b", "::"), "a")
        XCTAssertEqual(prefix("::b", "::"), "")
        XCTAssertNil(prefix("0f8fad5b-d9cb-469f-a165-70867728950e", ":"))
        XCTAssertNil(prefix("a:b", "::"))
    }

    func testJemallocClasses() {
        XCTAssertEqual([1, 8, 9, 17, 128, 129, 160, 161, 257, 1025, 5000].map(jemallocSize),
                       [8, 8, 16, 32, 128, 160, 160, 192, 320, 1280, 5120])
    }
}
