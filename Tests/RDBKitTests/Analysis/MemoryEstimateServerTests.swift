import Foundation
import XCTest
@testable import RDBKit

/// The CSV's size_in_bytes against what Redis 7.0 itself reports: every key of every fixture it
/// loads, `MEMORY USAGE key SAMPLES 0` (every element counted), the worst ratio per type stated.
final class MemoryEstimateServerTests: XCTestCase {
    /// Reads `db,key` lines (keys as KeyText writes them) on standard input and prints each key's
    /// MEMORY USAGE.
    private static let usageScript = """
        import sys, base64, redis
        r = redis.Redis(port=int(sys.argv[1]))
        for line in sys.stdin.buffer.read().splitlines():
            db, key = line.split(b',', 1)
            key = base64.b64decode(key[7:]) if key.startswith(b'base64:') else key
            r.execute_command('SELECT', int(db))
            print(r.execute_command('MEMORY', 'USAGE', key, 'SAMPLES', '0') or -1)
        """

    func testEstimateAgainstMemoryUsageForEveryFixtureKey() throws {
        guard ServerContentOracle.isAvailable, let python = RedisServerProcess.executable("python3"),
              let server = RedisServerProcess.executable("redis-server") else { throw XCTSkip("needs redis-server and redis-py") }
        var ratios: [String: [Double]] = [:]
        var worst: [String: (ratio: Double, label: String)] = [:]
        for dump in FixturePaths.allDumps() {
            let folder = dump.deletingLastPathComponent().lastPathComponent
            guard ["legacy", "redis-6.2", "redis-7.0"].contains(folder) else { continue }
            guard let live = try? RedisServerProcess(command: [server], dump: dump.path) else { continue }
            defer { live.stop() }
            guard try live.command("DBSIZE") != "0" else { continue }
            let csv = try RDBKitProcess.run(["export", dump.path, "--format", "csv"])
            XCTAssertEqual(csv.status, 0, csv.err)
            // database,type,key,size_in_bytes,...: the fixtures' keys have no commas or quotes.
            let rows = csv.out.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
                .filter { $0.count >= 4 && !$0[2].hasPrefix("\"") && $0[1] != "module" }
            let input = rows.map { "\($0[0]),\($0[2])" }.joined(separator: "\n")
            let out = try RedisServerProcess.run(python, ["-c", Self.usageScript, "\(live.port)"], input: Data(input.utf8))
            let usages = String(decoding: out.stdout, as: UTF8.self).split(separator: "\n").compactMap { Double($0) }
            XCTAssertEqual(usages.count, rows.count, dump.path)
            // -1: a key the server dropped on load (expired).
            for (row, usage) in zip(rows, usages) where usage > 0 {
                let ratio = (Double(row[3]) ?? 0) / usage
                let type = row[1]
                ratios[type, default: []].append(ratio)
                if abs(log(ratio)) > abs(log(worst[type]?.ratio ?? 1)) {
                    worst[type] = (ratio, "\(folder)/\(dump.lastPathComponent) \(row[2].prefix(40)) ours \(row[3]) server \(Int(usage))")
                }
            }
        }
        XCTAssertFalse(ratios.isEmpty)
        for (type, values) in ratios.sorted(by: { $0.key < $1.key }) {
            let sorted = values.sorted()
            let exact = values.filter { abs($0 - 1) < 0.0005 }.count
            func f(_ x: Double) -> String { String(format: "%.3f", x) }
            print("memory estimate \(type): \(values.count) keys, \(exact) exact, median \(f(sorted[sorted.count / 2])), "
                + "worst \(f(worst[type]?.ratio ?? 1)) (\(worst[type]?.label ?? "-"))")
        }
        // Measured: strings and sets exact for every key, lists 30 of 31, streams 5 of 7 (worst
        // 1.06, the radix tree's node count estimated); hashes and sorted sets exact but for
        // RDB 2-6 ziplists and zipmaps, whose listpack Redis allocates at the old container's size
        // (worst 0.86).
        for (type, w) in worst {
            let bound = ["hash", "zset"].contains(type) ? 0.15 : 0.08
            XCTAssertLessThan(abs(w.ratio - 1), bound, "\(type): worst \(w.ratio) at \(w.label)")
        }
        for type in ["string", "set"] {
            XCTAssertEqual(ratios[type]?.filter { abs($0 - 1) >= 0.0005 }.count, 0, "\(type) is exact for every fixture key")
        }
    }
}
