import Foundation
import XCTest
@testable import RDBKit

/// Fills a real redis-server with every type in its small and large encodings, SAVEs, and checks
/// that our export of the dump is what the server itself returns through its commands.
final class LiveServerTests: XCTestCase {
    private func dataset() -> [[[UInt8]]] { LiveDataset.everyType() }

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
