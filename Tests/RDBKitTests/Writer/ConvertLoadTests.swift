import Foundation
import XCTest
@testable import RDBKit

/// Every fixture converted for each real server here, loaded by that server at start-up, must hold
/// what the original server held (less what the conversion reported dropping).
final class ConvertLoadTests: XCTestCase {
    private let targets: [(target: String, server: String)] = [
        ("redis-7.0", "redis-7.0"), ("redis-6.2", "redis-6.2"), ("redis-8.2", "redis-8.2"), ("valkey-9", "valkey-9.1"),
    ]

    private func serverCommand(_ name: String) -> [String]? {
        if name == "redis-7.0", let apt = RedisServerProcess.executable("redis-server") { return [apt] }
        return RedisServerProcess.installedServers()[name]
    }

    func testConvertedFixturesLoadInRealServers() throws {
        guard ServerContentOracle.isAvailable else { throw XCTSkip("python3 with redis-py is not installed") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var loaded: [String: Int] = [:]
        var sizeReport: [String] = []
        var digests = 0
        for (targetName, serverName) in targets {
            guard let command = serverCommand(serverName) else {
                print("skipping \(serverName): not installed (Scripts/setup.sh fetches it)")
                continue
            }
            // A server that cannot start here at all is skipped, said in the log; one that starts
            // but refuses our file fails the test.
            do {
                try RedisServerProcess(command: command)?.stop()
            } catch {
                print("skipping \(serverName): it does not start here: \(error)")
                continue
            }
            let target = try XCTUnwrap(RDBTarget.named(targetName))
            for (dump, expectedFile) in FixturePaths.dumpsWithExpectedContent() {
                let label = "\(dump.deletingLastPathComponent().lastPathComponent)/\(dump.lastPathComponent) → \(targetName)"
                let output = scratch.appendingPathComponent("\(targetName)-\(loaded[targetName, default: 0]).rdb").path
                let summary = try Convert.rdbToRDB(inputPath: dump.path, outputPath: output, target: target,
                                                   lossy: true, withoutModules: true)
                let sourceVersion = Validator.validate(path: dump.path).header?.version ?? 0
                if target.version <= 10, target.family == .redis, let check = RedisServerProcess.executable("redis-check-rdb") {
                    let result = try RedisServerProcess.run(check, [output])
                    XCTAssertEqual(result.status, 0, "\(label): redis-check-rdb refused it:\n\(String(decoding: result.stdout, as: UTF8.self).suffix(800))")
                }
                guard let server = try RedisServerProcess(command: command, dump: output) else { throw XCTSkip("redis-cli is not installed") }
                let content: [[String: Any]]
                do {
                    defer { server.stop() }
                    content = try ServerContentOracle.read(port: server.port)
                    // Where nothing was dropped and the original loads in the same server, the
                    // whole dataset must have the same DEBUG DIGEST.
                    let folder = dump.deletingLastPathComponent().lastPathComponent
                    if summary.losses.isEmpty, folder == serverName || (folder == "legacy" && serverName == "redis-7.0"),
                       let original = try? RedisServerProcess(command: command, dump: dump.path) {
                        defer { original.stop() }
                        XCTAssertEqual(try server.command("DEBUG", "DIGEST"), try original.command("DEBUG", "DIGEST"), label)
                        digests += 1
                    }
                }
                let expected = try parseJSONLines(try Data(contentsOf: expectedFile)).filter { $0["type"] as? String != "module" }
                let tolerance = max(ExpectedContent.expiryTolerance(forServer: serverName),
                                    ExpectedContent.expiryTolerance(forServer: dump.deletingLastPathComponent().lastPathComponent))
                let comparison = ExpectedContent(expiryTolerance: tolerance,
                                                 fileVersion: min(sourceVersion, target.family == .valkey ? 11 : target.version))
                let problems = comparison.differences(ours: content, expected: Self.withoutReportedDrops(expected, losses: summary.losses, target: target), now: now)
                XCTAssertTrue(problems.isEmpty, "\(label):\n" + problems.prefix(8).joined(separator: "\n"))
                loaded[targetName, default: 0] += 1
                if sourceVersion == target.version, let original = size(dump.path), let ours = size(output) {
                    let ratio = Double(ours) / Double(original)
                    sizeReport.append("\(label): \(ours) / \(original) bytes = \(String(format: "%.3f", ratio))")
                    // Tiny files differ by their aux fields alone (ctime, used-mem); judge the rest.
                    if original > 10_000 {
                        XCTAssertLessThanOrEqual(ratio, 1.05, "\(label): our file is more than 5% larger than the server's")
                    }
                }
            }
        }
        print("loaded converted fixtures: \(loaded.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        print("same DEBUG DIGEST as the original dump: \(digests) conversions")
        XCTAssertGreaterThan(digests, 20)
        print("size, ours / server's SAVE:\n  " + sizeReport.joined(separator: "\n  "))
        XCTAssertGreaterThan(loaded["redis-7.0"] ?? 0, 0)
    }

    /// What a server that loaded a lossy conversion can hold: dropped arrays and field TTLs gone, NACKed entries
    /// of groups whose NACK zone was dropped gone, and no IDMP counters before Redis 8.6.
    static func withoutReportedDrops(_ expected: [[String: Any]], losses: [ConversionLoss], target: RDBTarget) -> [[String: Any]] {
        func keyText(_ loss: ConversionLoss) -> String? { loss.key.map { canonical(String(decoding: $0, as: UTF8.self)) } }
        let droppedKeys = Set(losses.filter { $0.what.hasPrefix("array dropped") }.compactMap(keyText))
        let nackDropped = Set(losses.filter { $0.what.contains("NACKed pending entries") }.compactMap(keyText))
        let ttlDropped = Set(losses.filter { $0.what.contains("field TTLs") }.compactMap(keyText))
        return expected.compactMap { record -> [String: Any]? in
            let key = canonical(record["key"] ?? "")
            if droppedKeys.contains(key) { return nil }
            if ttlDropped.contains(key) {
                var r = record
                r["field_expire_at_ms"] = nil
                return r
            }
            guard record["type"] as? String == "stream", var value = record["value"] as? [String: Any] else { return record }
            if !target.hasStreamIdmp { value["idmp"] = nil }
            if nackDropped.contains(key), let groups = value["groups"] as? [[String: Any]] {
                value["groups"] = groups.map { g -> [String: Any] in
                    var g = g
                    g["nacked"] = nil
                    g["pending"] = (g["pending"] as? [[String: Any]] ?? []).filter { $0["consumer"] != nil }
                    return g
                }
            }
            var out = record
            out["value"] = value
            return out
        }
    }

    /// The issue's proof: the Redis 8.8 dump converted for Redis 7.0 with --lossy loads in the apt
    /// Redis 7.0 and holds everything but what was reported dropped.
    func testRedis88DumpLoadsInRedis70WithOnlyTheReportedDrops() throws {
        guard ServerContentOracle.isAvailable else { throw XCTSkip("python3 with redis-py is not installed") }
        guard let command = serverCommand("redis-7.0") else { throw XCTSkip("no Redis 7.0") }
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-8.8/types.rdb")
        guard FileManager.default.fileExists(atPath: dump.path) else { throw XCTSkip("no Redis 8.8 fixture") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-88-70-\(UUID().uuidString).rdb").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))
        let summary = try Convert.rdbToRDB(inputPath: dump.path, outputPath: output, target: target, lossy: true, withoutModules: true)
        let dropped = summary.losses.filter { !$0.requested }.map(\.what)
        XCTAssertEqual(dropped.filter { $0.hasPrefix("array dropped") }.count, 5, "\(dropped)")
        XCTAssertEqual(dropped.filter { $0.contains("NACKed") }.count, 1)
        XCTAssertEqual(dropped.filter { $0.contains("IDMP") }.count, 1)
        XCTAssertEqual(dropped.filter { $0.contains("key metadata") }.count, 4)
        guard let server = try RedisServerProcess(command: command, dump: output) else { throw XCTSkip("redis-cli is not installed") }
        defer { server.stop() }
        let content = try ServerContentOracle.read(port: server.port)
        let expected = Self.withoutReportedDrops(
            try parseJSONLines(try Data(contentsOf: dump.deletingPathExtension().appendingPathExtension("expected.jsonl")))
                .filter { $0["type"] as? String != "module" }, losses: summary.losses, target: target)
        let problems = ExpectedContent(fileVersion: 10).differences(ours: content, expected: expected, now: Int64(Date().timeIntervalSince1970 * 1000))
        XCTAssertTrue(problems.isEmpty, problems.prefix(8).joined(separator: "\n"))
        XCTAssertEqual(content.count, expected.count)
    }

    private func size(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    }
}
