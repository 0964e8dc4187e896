import Foundation
import XCTest
@testable import RDBKit

final class KeyFilterTests: XCTestCase {
    func testGlobFollowsRedisStringMatch() {
        func m(_ p: String, _ s: String) -> Bool { GlobPattern(Array(p.utf8)).matches(Array(s.utf8)) }
        XCTAssertTrue(m("*", ""))
        XCTAssertTrue(m("user:*", "user:17"))
        XCTAssertFalse(m("user:*", "users:17"))
        XCTAssertTrue(m("h?llo", "hello"))
        XCTAssertFalse(m("h?llo", "hllo"))
        XCTAssertTrue(m("h[ae]llo", "hallo"))
        XCTAssertFalse(m("h[^e]llo", "hello"))
        XCTAssertTrue(m("h[a-b]llo", "hbllo"))
        XCTAssertTrue(m("h[b-a]llo", "hallo"), "reversed ranges match, as in Redis")
        XCTAssertTrue(m("a\\*b", "a*b"))
        XCTAssertFalse(m("a\\*b", "axb"))
        XCTAssertTrue(m("*:*:*", "a:b:c"))
        XCTAssertTrue(GlobPattern([0x2A, 0xFF]).matches([0x00, 0xFF]), "bytes, not text")
        // Pathological patterns end (Redis's own recursion bound), they do not hang.
        XCTAssertFalse(m(String(repeating: "*a", count: 30) + "b", String(repeating: "a", count: 60)))
    }

    /// A filtered read delivers only the accepted keys, and the others' values are not decoded.
    func testFilteredReadSkipsOtherKeys() throws {
        final class Counter: RDBVisitor {
            var keys: [String] = []
            var elements = 0
            func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
                keys.append(String(decoding: key.array, as: UTF8.self))
                return .read
            }
            func listElement(_ element: RDBString) throws(RDBError) { elements += 1 }
            func setMember(_ member: RDBString) throws(RDBError) { elements += 1 }
            func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) { elements += 1 }
            func zsetMember(_ member: RDBString, score: Double) throws(RDBError) { elements += 1 }
        }
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { throw XCTSkip("no Redis 7.0 fixture") }
        var filter = KeyFilter(nowMs: 0)
        filter.types = [.set]
        filter.keyPatterns = [GlobPattern(Array("set:int*".utf8))]
        let counter = Counter()
        let filtering = FilteringVisitor(counter, filter: filter)
        try RDBReader.read(path: dump, visitor: filtering)
        XCTAssertEqual(counter.keys.sorted(), ["set:int16", "set:int32", "set:int64"])
        XCTAssertEqual(counter.elements, 9)
        XCTAssertGreaterThan(filtering.keysSkipped, 30)

        var byDB = KeyFilter(nowMs: 0)
        byDB.databases = [15]
        byDB.keyRegex = try KeyRegex("list$")
        let second = Counter()
        try RDBReader.read(path: dump, visitor: FilteringVisitor(second, filter: byDB))
        XCTAssertEqual(second.keys, ["db15:list"])
    }

    func testExpiryFilterUsesTheGivenNow() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { throw XCTSkip("no Redis 7.0 fixture") }
        var keys: [KeyRecord] = []
        var filter = KeyFilter(nowMs: 2_100_000_000_000)  // after the fixtures' 2033 expiries
        filter.expired = true
        try RDBReader.read(path: dump, visitor: FilteringVisitor(RecordCollector { keys.append($0) }, filter: filter))
        XCTAssertEqual(Set(keys.map { String(decoding: $0.key, as: UTF8.self) }), ["str:ttl", "hash:ttl"])
        filter.nowMs = 0
        keys = []
        try RDBReader.read(path: dump, visitor: FilteringVisitor(RecordCollector { keys.append($0) }, filter: filter))
        XCTAssertEqual(keys.count, 0)
    }
}
