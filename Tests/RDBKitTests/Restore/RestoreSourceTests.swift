import Foundation
import XCTest
@testable import RDBKit

/// Sources other than one dump: an AOF (replayed as its commands) and a backup folder (the dump
/// taken at or before --until).
final class RestoreSourceTests: XCTestCase {
    private let types = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path
    private let lru = FixturePaths.fixtures.appendingPathComponent("redis-7.0/lru.rdb").path

    private func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-restore-src-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func testAnAOFIsReplayedAsItsCommands() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let aof = directory + "/types.aof"
        _ = try Convert.rdbToAOF(inputPath: types, outputPath: aof, layout: .singleFile, target: RDBTarget.named("redis-7.0")!, lossy: false)
        guard let server = try RedisServerProcess(command: [apt]), let original = try RedisServerProcess(command: [apt], dump: types) else { return }
        defer { server.stop(); original.stop() }
        let summary = try Restore.run(source: aof, url: RedisURL(host: "127.0.0.1", port: server.port), options: RestoreFixtureTests.options())
        XCTAssertEqual(summary.failed, 0, "\(summary.failures.prefix(3).map(\.error))")
        XCTAssertGreaterThan(summary.commands, 40)
        XCTAssertEqual(try server.command("DEBUG", "DIGEST"), try original.command("DEBUG", "DIGEST"))
    }

    /// Filters judge an AOF's replayed keys, not only its base: the server gets exactly the keys
    /// of the dataset the AOF makes that pass them, and a resume point is refused there.
    func testFiltersApplyToAnAOFsReplayedKeys() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let aof = directory + "/types.aof"
        _ = try Convert.rdbToAOF(inputPath: types, outputPath: aof, layout: .singleFile, target: RDBTarget.named("redis-7.0")!, lossy: false)
        guard let server = try RedisServerProcess(command: [apt]) else { return }
        defer { server.stop() }
        var options = RestoreFixtureTests.options()
        var filter = KeyFilter(nowMs: options.nowMs)
        filter.types = [.hash]
        filter.keyPatterns = [GlobPattern(Array("hash:*".utf8))]
        options.filter = filter
        let summary = try Restore.run(source: aof, url: RedisURL(host: "127.0.0.1", port: server.port), options: options)
        XCTAssertEqual(summary.failed, 0, "\(summary.failures.prefix(3).map(\.error))")
        let expected = try RDBReader.records(path: types).filter {
            if case .hash = $0.value { return $0.key.starts(with: Array("hash:".utf8)) && ($0.expireAtMs ?? .max) > options.nowMs }
            return false
        }
        XCTAssertGreaterThan(expected.count, 2)
        XCTAssertEqual(try server.command("DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines), "\(expected.count)")
        for db in ["1", "15"] { XCTAssertEqual(try server.command("-n", db, "DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines), "0") }
        for record in expected {
            XCTAssertEqual(try server.command("TYPE", String(decoding: record.key, as: UTF8.self)).trimmingCharacters(in: .whitespacesAndNewlines), "hash")
        }
        options.resumePath = directory + "/resume"
        XCTAssertThrowsError(try Restore.run(source: aof, url: RedisURL(host: "127.0.0.1", port: server.port), options: options)) { error in
            XCTAssertTrue("\(error)".contains("--resume is not available for an AOF with filters"), "\(error)")
        }
    }

    /// The restore point `backups` chooses: by the snapshots' own time (their ctime), not their names.
    func testABackupFolderGivesTheDumpTakenAtOrBeforeUntil() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: types, toPath: folder + "/dump-20260101T000000Z.rdb")
        // Written now: its ctime is later than the fixture's.
        _ = try Convert.rdbToRDB(inputPath: lru, outputPath: folder + "/dump-20260102T000000Z.rdb", target: RDBTarget.named("redis-7.0")!,
                                 lossy: false, withoutModules: false)
        let points = try BackupCatalog.scan(folder).points
        XCTAssertEqual(points.map { $0.path.hasSuffix("dump-20260101T000000Z.rdb") }, [true, false])
        let typesTime = try XCTUnwrap(points[0].first)
        XCTAssertLessThan(typesTime, try XCTUnwrap(points[1].first))
        XCTAssertEqual(try Restore.resolve(folder, until: nil), folder + "/dump-20260102T000000Z.rdb")
        XCTAssertEqual(try Restore.resolve(folder, until: typesTime), folder + "/dump-20260101T000000Z.rdb")
        XCTAssertThrowsError(try Restore.resolve(folder, until: typesTime - 1))

        guard let server = try RedisServerProcess(command: [apt]), let original = try RedisServerProcess(command: [apt], dump: types) else { return }
        defer { server.stop(); original.stop() }
        var options = RestoreFixtureTests.options()
        options.until = typesTime
        _ = try Restore.run(source: folder, url: RedisURL(host: "127.0.0.1", port: server.port), options: options)
        XCTAssertEqual(try server.command("DEBUG", "DIGEST"), try original.command("DEBUG", "DIGEST"))
    }
}
