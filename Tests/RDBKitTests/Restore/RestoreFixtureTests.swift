import Foundation
import XCTest
@testable import RDBKit

/// Every fixture restored into a fresh server of its own family holds what that server holds
/// when it loads the fixture at start-up: the same DEBUG DIGEST. And a Redis 8.2 dump restored
/// into 7.0 goes through the downgrade path with exactly the losses convert reports.
final class RestoreFixtureTests: XCTestCase {
    /// Fixture folder → the server that wrote it (legacy dumps are judged by the apt 7.0).
    static let families = ["legacy": "redis-7.0", "redis-7.0": "redis-7.0", "redis-6.2": "redis-6.2",
                           "redis-8.2": "redis-8.2", "valkey-9.1": "valkey-9.1"]

    static func serverCommand(_ name: String) -> [String]? {
        if name == "redis-7.0", let apt = RedisServerProcess.executable("redis-server") { return [apt] }
        return RedisServerProcess.installedServers()[name]
    }

    static func options(replace: Bool = false) -> RestoreOptions {
        var options = RestoreOptions(nowMs: Int64(Date().timeIntervalSince1970 * 1000))
        options.existing = replace ? .replace : .skip
        options.connection = ConnectionOptions(connectTimeout: 5, replyTimeout: 20)
        options.retries = 0
        return options
    }

    func testEveryFixtureRestoresToTheDigestOfItsServer() throws {
        var compared: [String: Int] = [:]
        for (folder, serverName) in RestoreFixtureTests.families.sorted(by: { $0.key < $1.key }) {
            guard let command = RestoreFixtureTests.serverCommand(serverName) else {
                print("skipping \(serverName): not installed")
                continue
            }
            let dumps = FixturePaths.allDumps().filter { $0.deletingLastPathComponent().lastPathComponent == folder }
            guard let target = try? RedisServerProcess(command: command) else {
                print("skipping \(serverName): it does not start here")
                continue
            }
            defer { target.stop() }
            for dump in dumps {
                let label = "\(folder)/\(dump.lastPathComponent) → \(serverName)"
                guard let original = try? RedisServerProcess(command: command, dump: dump.path) else {
                    // The legacy dumps with module data name modules this server lacks.
                    XCTAssertTrue(dump.lastPathComponent.contains("module"), "\(label): the server does not load the fixture itself")
                    continue
                }
                defer { original.stop() }
                try target.command("FLUSHALL")
                if serverName != "redis-6.2" { try target.command("FUNCTION", "FLUSH") }
                // A server with a module loaded writes its aux data into every dump; no command
                // restores it (DEBUG DIGEST does not cover it): the one loss allowed, and reported.
                var options = RestoreFixtureTests.options()
                options.lossy = serverName == "redis-8.2"
                let summary = try Restore.run(source: dump.path, url: RedisURL(host: "127.0.0.1", port: target.port), options: options)
                XCTAssertEqual(summary.failed, 0, "\(label): \(summary.failures.prefix(3).map { "\(displayKey($0.key)): \($0.error)" })")
                XCTAssertTrue(summary.losses.allSatisfy { $0.what.hasPrefix("module aux data of graphdata") }, "\(label): \(summary.losses)")
                XCTAssertEqual(try target.command("DEBUG", "DIGEST"), try original.command("DEBUG", "DIGEST"), label)
                if serverName != "redis-6.2" {
                    // Libraries, in any order (the server lists them from a hash table).
                    func libraries(_ server: RedisServerProcess) throws -> [String] {
                        try server.command("FUNCTION", "LIST", "WITHCODE").components(separatedBy: "library_name\n").sorted()
                    }
                    XCTAssertEqual(try libraries(target), try libraries(original), label)
                }
                compared[serverName, default: 0] += 1
            }
        }
        print("restored fixtures with the server's own DEBUG DIGEST: \(compared.sorted { $0.key < $1.key })")
        XCTAssertGreaterThanOrEqual(compared["redis-7.0"] ?? 0, 29)
    }

    /// 8.2 → 7.0: refused without --lossy (nothing sent); with --lossy, the losses are those
    /// `convert --target-version redis-7.0` lists, and the server holds what 7.0 loads from that
    /// converted file.
    func testRedis82DumpIntoRedis70ThroughTheDowngradePath() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-8.2/hfe.rdb").path
        guard let target = try RedisServerProcess(command: [apt]) else { throw XCTSkip("redis-cli is not installed") }
        defer { target.stop() }
        let url = RedisURL(host: "127.0.0.1", port: target.port)
        var options = RestoreFixtureTests.options()
        options.withoutModules = true
        XCTAssertThrowsError(try Restore.run(source: dump, url: url, options: options)) { error in
            XCTAssertTrue("\(error)".contains("cannot hold"), "\(error)")
        }
        XCTAssertEqual(try target.command("DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines), "0", "a refused restore sends nothing")

        options.lossy = true
        let summary = try Restore.run(source: dump, url: url, options: options)
        XCTAssertEqual(summary.failed, 0)
        let converted = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-restore-\(UUID().uuidString).rdb").path
        defer { try? FileManager.default.removeItem(atPath: converted) }
        let conversion = try Convert.rdbToRDB(inputPath: dump, outputPath: converted, target: RDBTarget.named("redis-7.0")!,
                                              lossy: true, withoutModules: true)
        XCTAssertFalse(summary.losses.isEmpty)
        XCTAssertEqual(summary.losses.map(\.description).sorted(), conversion.losses.map(\.description).sorted())
        guard let loaded = try RedisServerProcess(command: [apt], dump: converted) else { return }
        defer { loaded.stop() }
        XCTAssertEqual(try target.command("DEBUG", "DIGEST"), try loaded.command("DEBUG", "DIGEST"))
    }
}
