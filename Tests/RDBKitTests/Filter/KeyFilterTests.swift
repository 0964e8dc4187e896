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

    /// --min-size holds each key and replays it: with 0 the export is byte-identical to an
    /// unfiltered one (every type, streams included); with a threshold only big keys remain.
    func testMinimumSizeReplaysKeysExactly() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-minsize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        func export(_ dump: String, _ filter: KeyFilter?, _ format: ExportFormat = .jsonl) throws -> Data {
            let out = scratch.appendingPathComponent("out").path
            _ = try Export.run(path: dump, outputPath: out, format: format, withMeta: true, filter: filter)
            return try Data(contentsOf: URL(fileURLWithPath: out))
        }
        var everything = KeyFilter(nowMs: 0)
        everything.minimumSize = 0
        for dump in FixturePaths.allDumps() {
            XCTAssertEqual(try export(dump.path, everything), try export(dump.path, nil), dump.lastPathComponent)
        }
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { return }
        var big = KeyFilter(nowMs: 0)
        big.minimumSize = 40_000
        let rows = String(decoding: try export(dump, big, .csv), as: UTF8.self).split(separator: "\n").dropFirst()
        XCTAssertEqual(Set(rows.map { String($0.split(separator: ",")[2]) }), ["list:big", "set:bigints", "hash:big", "set:big", "str:1mb"])
        XCTAssertTrue(rows.allSatisfy { Int($0.split(separator: ",")[3])! >= 40_000 })
    }

    func testValidateWithAFilterCountsOnlyTheAcceptedKeys() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { throw XCTSkip("no Redis 7.0 fixture") }
        var filter = KeyFilter(nowMs: 0)
        filter.types = [.hash]
        let report = Validator.validate(path: dump, filter: filter)
        XCTAssertTrue(report.isValid, report.summaryLine)
        XCTAssertEqual(report.keys, 5)
        XCTAssertEqual(report.keysByType, [.hash: 5])
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
