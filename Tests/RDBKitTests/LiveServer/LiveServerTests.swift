import Foundation
import XCTest
@testable import RDBKit

/// Fills a real redis-server with every type in its small and large encodings, SAVEs, and checks
/// that our export of the dump is what the server itself returns through its commands.
final class LiveServerTests: XCTestCase {
    private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// A deterministic dataset crossing every encoding threshold of Redis 7.0's defaults.
    private func dataset() -> [[[UInt8]]] {
        var generator = SplitMix64(seed: 42)
        var c: [[[UInt8]]] = []
        let farFuture = 2_000_000_000_000  // 2033
        // Strings: integer encodings, raw, LZF-compressible, incompressible, binary, empty, 200 KB.
        for (k, v) in [("int:small", "7"), ("int:neg", "-12345"), ("int:big", "9223372036854775807"),
                       ("int:lead0", "007"), ("raw", "hello world"), ("empty", "")] {
            c.append([b("SET"), b(k), b(v)])
        }
        c.append([b("SET"), b("lzf"), [UInt8](repeating: UInt8(ascii: "a"), count: 500)])
        c.append([b("SET"), b("random"), (0..<300).map { _ in UInt8(truncatingIfNeeded: generator.next()) }])
        c.append([b("SET"), [0x00, 0xFF, 0xC3, 0x28, 0x0A], [0xFE, 0x00, 0x01]])
        c.append([b("SET"), b("big"), (0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) }])
        c.append([b("SET"), b("ttl:string"), b("x"), b("PXAT"), b("\(farFuture + 1)")])
        // Lists: listpack, quicklist with many nodes, PLAIN nodes.
        c.append([b("RPUSH"), b("list:small")] + (0..<10).map { b("e\($0)") } + [b("12"), b("-3")])
        c.append([b("RPUSH"), b("list:big")] + (0..<3000).map { b("element-\($0)-\(generator.next() % 1000)") })
        c.append([b("DEBUG"), b("QUICKLIST-PACKED-THRESHOLD"), b("100")])
        c.append([b("RPUSH"), b("list:plain"), [UInt8](repeating: 66, count: 500), b("small"), [UInt8](repeating: 67, count: 300)])
        c.append([b("DEBUG"), b("QUICKLIST-PACKED-THRESHOLD"), b("1073741824")])
        // Sets: intset 16/32/64, hashtable, large.
        c.append([b("SADD"), b("set:int16"), b("1"), b("-2"), b("300")])
        c.append([b("SADD"), b("set:int64"), b("1"), b("5000000000"), b("-9223372036854775808")])
        c.append([b("SADD"), b("set:strings"), b("a"), b("b"), b("c"), [0xFF, 0xFE]])
        c.append([b("SADD"), b("set:big")] + (0..<1000).map { b("member\($0)") })
        // Sorted sets: listpack, skiplist, special scores.
        c.append([b("ZADD"), b("zset:small"), b("1"), b("one"), b("2.5"), b("two.5"), b("-inf"), b("low"), b("+inf"), b("high"), b("0"), b("zero")])
        c.append([b("ZADD"), b("zset:big")] + (0..<300).flatMap { [b("\(Double($0) / 7)"), b("m\($0)")] })
        // Hashes: listpack, hashtable (many fields, and a long value), binary field names.
        c.append([b("HSET"), b("hash:small"), b("a"), b("1"), b("b"), b("two"), b("c"), b("")])
        c.append([b("HSET"), b("hash:big")] + (0..<600).flatMap { [b("field\($0)"), b("value\($0)")] })
        c.append([b("HSET"), b("hash:longvalue"), b("f"), [UInt8](repeating: 120, count: 100)])
        c.append([b("HSET"), b("hash:binary"), [0xFF, 0x00], b("v"), b("plain"), [0xC0]])
        // Streams: entries with same and different fields, deletions, groups, consumers, PEL.
        for i in 1...40 {
            let fields = i % 3 == 0 ? [b("temp"), b("\(i)"), b("extra"), b("x")] : [b("temp"), b("\(i)")]
            c.append([b("XADD"), b("stream"), b("1700000000000-\(i)")] + fields)
        }
        c.append([b("XDEL"), b("stream"), b("1700000000000-5"), b("1700000000000-6")])
        c.append([b("XGROUP"), b("CREATE"), b("stream"), b("g1"), b("0")])
        c.append([b("XGROUP"), b("CREATE"), b("stream"), b("g2"), b("$")])
        c.append([b("XREADGROUP"), b("GROUP"), b("g1"), b("alice"), b("COUNT"), b("3"), b("STREAMS"), b("stream"), b(">")])
        c.append([b("XREADGROUP"), b("GROUP"), b("g1"), b("bob"), b("COUNT"), b("2"), b("STREAMS"), b("stream"), b(">")])
        c.append([b("XACK"), b("stream"), b("g1"), b("1700000000000-1")])
        c.append([b("XGROUP"), b("CREATECONSUMER"), b("stream"), b("g2"), b("carol")])
        c.append([b("XADD"), b("stream:empty"), b("1-1"), b("f"), b("v")])
        c.append([b("XDEL"), b("stream:empty"), b("1-1")])
        // Expiries, other databases.
        c.append([b("HSET"), b("ttl:hash"), b("f"), b("v")])
        c.append([b("PEXPIREAT"), b("ttl:hash"), b("\(farFuture)")])
        c.append([b("SELECT"), b("3")])
        c.append([b("SET"), b("db3:key"), b("in db 3")])
        c.append([b("SELECT"), b("15")])
        c.append([b("RPUSH"), b("db15:list"), b("x")])
        return c
    }

    func testExportEqualsWhatTheServerHolds() throws {
        guard ServerContentOracle.isAvailable else { throw XCTSkip("python3 with redis-py is not installed") }
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        try server.pipe(dataset())
        try server.command("FUNCTION", "LOAD", "#!lua name=rdbkit\nredis.register_function('hello', function() return 'hi' end)")
        XCTAssertTrue(try server.command("SAVE").contains("OK"))
        let expected = try ServerContentOracle.read(port: server.port)
        XCTAssertGreaterThan(expected.count, 25)

        let report = Validator.validate(path: server.dumpPath)
        XCTAssertTrue(report.isValid, report.summaryLine)
        let ours = try parseJSONLines(try exportToMemory(server.dumpPath))
        let problems = ExpectedContent(fileVersion: report.header?.version ?? 0)
            .differences(ours: ours, expected: expected, now: Int64(Date().timeIntervalSince1970 * 1000))
        XCTAssertTrue(problems.isEmpty, problems.prefix(10).joined(separator: "\n"))

        // The file holds the function library and every encoding the dataset aimed at.
        final class EncodingNames: RDBVisitor {
            var names = Set<String>()
            func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
                names.insert(info.encodingName)
                return .skip
            }
        }
        let encodings = EncodingNames()
        try RDBReader.read(path: server.dumpPath, visitor: encodings)
        for name in ["string", "quicklist-v2", "set-intset", "set-hashtable", "zset-listpack", "zset-v2",
                     "hash-listpack", "hash-hashtable", "stream-v2"] {
            XCTAssertTrue(encodings.names.contains(name), "no \(name) key in the dump (saw \(encodings.names.sorted()))")
        }
        let collector = RecordCollector { _ in }
        try RDBReader.read(path: server.dumpPath, visitor: collector)
        XCTAssertEqual(collector.functions.count, 1)
        XCTAssertTrue(String(decoding: collector.functions.first ?? [], as: UTF8.self).contains("name=rdbkit"))
    }

    /// inspect's counts agree with the server: DBSIZE per database, keys per type, expiries.
    func testInspectAgreesWithTheServer() throws {
        guard ServerContentOracle.isAvailable else { throw XCTSkip("python3 with redis-py is not installed") }
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        try server.pipe(dataset())
        _ = try server.command("SAVE")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let inspection = try Inspector.inspect(path: server.dumpPath, nowMs: now, top: 5, separator: Array(":".utf8))
        let content = try ServerContentOracle.read(port: server.port)
        for db in [0, 3, 15] {
            let dbsize = Int(try server.command("-n", "\(db)", "DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines))
            XCTAssertEqual(inspection.databases[db]?.keys, dbsize, "db \(db)")
        }
        var byType: [String: Int] = [:]
        for record in content { byType[record["type"] as? String ?? "?", default: 0] += 1 }
        for (type, summary) in inspection.types { XCTAssertEqual(summary.keys, byType[type.rawValue], type.rawValue) }
        XCTAssertEqual(inspection.databases.values.map(\.withExpiry).reduce(0, +),
                       content.filter { $0["expire_at_ms"] != nil }.count)
        XCTAssertEqual(inspection.keys, content.count)
        XCTAssertEqual(inspection.biggestKeys.first.map { String(decoding: $0.key, as: UTF8.self) }, "big")
        XCTAssertEqual(inspection.functions, 0)
        XCTAssertTrue(inspection.json.hasPrefix("{"))
    }

    /// Our memory estimate against what the server reports (`MEMORY USAGE key SAMPLES 0`).
    func testMemoryEstimateAgainstMemoryUsage() throws {
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        try server.pipe(dataset())
        _ = try server.command("SAVE")
        var ratios: [(key: String, ratio: Double)] = []
        try RDBReader.read(path: server.dumpPath, visitor: KeyStatsCollector { (stats) throws(RDBError) in
            guard stats.db == 0, stats.key.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) else { return }
            let key = String(decoding: stats.key, as: UTF8.self)
            guard let reported = try? self.memoryUsage(server, key) else { return }
            ratios.append((key, Double(stats.memory) / Double(reported)))
        })
        XCTAssertGreaterThan(ratios.count, 20)
        let sorted = ratios.map(\.ratio).sorted()
        let median = sorted[sorted.count / 2]
        let worst = ratios.max { abs($0.ratio - 1) < abs($1.ratio - 1) }!
        print("memory estimate / MEMORY USAGE over \(ratios.count) keys: median \(String(format: "%.3f", median)), worst \(String(format: "%.3f", worst.ratio)) (\(worst.key))")
        for r in ratios.sorted(by: { $0.key < $1.key }) { print("  \(r.key): \(String(format: "%.3f", r.ratio))") }
        XCTAssertLessThanOrEqual(abs(median - 1), 0.10, "median ratio \(median)")
    }

    private func memoryUsage(_ server: RedisServerProcess, _ key: String) throws -> Int {
        guard let n = Int(try server.command("MEMORY", "USAGE", key, "SAMPLES", "0").trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw NSError(domain: "redis", code: 3)
        }
        return n
    }

    /// The same dump read through gzip and through a pipe gives the same export.
    func testGzipAndStreamInputsReadTheSame() throws {
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        try server.pipe(dataset())
        _ = try server.command("SAVE")
        let plain = try exportToMemory(server.dumpPath)
        guard let gzip = RedisServerProcess.executable("gzip") else { throw XCTSkip("gzip is not installed") }
        _ = try RedisServerProcess.run(gzip, ["-k", server.dumpPath])
        XCTAssertEqual(try exportToMemory(server.dumpPath + ".gz"), plain)

        let writer = JSONWriter(output: nil)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: server.dumpPath)))
        let unsized = PrefixedSource(prefix: bytes, rest: try FileSource(path: "/dev/null"))
        try RDBReader.read(source: unsized, visitor: JSONExporter(writer: writer, format: .jsonl, withMeta: false))
        XCTAssertEqual(Data(writer.pending), plain)
    }
}
