import Foundation
import XCTest
@testable import RDBKit

/// `rdbkit backup` without --follow against every server the machine has: the snapshot arrives
/// as a replica's, validates, and its export is what the live server holds (server_to_jsonl.py).
final class BackupSnapshotTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func options() -> ConnectionOptions { ConnectionOptions(connectTimeout: 5, replyTimeout: 20) }

    /// Starts `command` with the dataset loaded; nil (with the reason recorded) when it cannot start.
    private func loadedServer(_ name: String, _ command: [String], _ extra: [String] = []) throws -> RedisServerProcess? {
        let server: RedisServerProcess
        do {
            guard let started = try RedisServerProcess(command: command, extraArguments: ["--repl-diskless-sync-delay", "0"] + extra) else {
                return nil
            }
            server = started
        } catch {
            print("skipping \(name): \(error.localizedDescription.prefix(300))")
            return nil
        }
        let version = try server.command("INFO", "server")
        let major = Int(version.components(separatedBy: "redis_version:").last?.prefix(while: \.isNumber) ?? "7") ?? 7
        try server.pipe(LiveDataset.everyType(forVersion: major))
        return server
    }

    private func assertSnapshotEqualsServer(_ server: RedisServerProcess, name: String, gzip: Bool = false,
                                            file: StaticString = #filePath, line: UInt = #line) throws -> SnapshotOutcome {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = RedisURL(host: "127.0.0.1", port: server.port)
        let outcome = try BackupSnapshot.take(url: url, options: options(), directory: directory, gzip: gzip, showProgress: false)
        XCTAssertTrue(outcome.report.isValid, "\(name): \(outcome.report.summaryLine)", file: file, line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [outcome.path.split(separator: "/").last.map(String.init)!],
                       "\(name): only the finished snapshot is left", file: file, line: line)
        let report = Validator.validate(path: outcome.path)
        XCTAssertTrue(report.isValid, "\(name): \(report.summaryLine)", file: file, line: line)
        XCTAssertEqual(report.keys, outcome.report.keys, file: file, line: line)
        if ServerContentOracle.isAvailable {
            let expected = try ServerContentOracle.read(port: server.port)
            XCTAssertGreaterThan(expected.count, 25, file: file, line: line)
            let ours = try parseJSONLines(try exportToMemory(outcome.path))
            let problems = ExpectedContent(expiryTolerance: ExpectedContent.expiryTolerance(forServer: name), fileVersion: report.header?.version ?? 0)
                .differences(ours: ours, expected: expected, now: Int64(Date().timeIntervalSince1970 * 1000))
            XCTAssertTrue(problems.isEmpty, "\(name): " + problems.prefix(10).joined(separator: "\n"), file: file, line: line)
        }
        return outcome
    }

    func testSnapshotFromEveryServer() throws {
        var servers = RedisServerProcess.installedServers()
        if servers["redis-7.0"] == nil, let apt = RedisServerProcess.executable("redis-server") { servers["redis-7.0"] = [apt] }
        guard !servers.isEmpty else { throw XCTSkip("no redis-server installed") }
        var tested: [String] = []
        for (name, command) in servers.sorted(by: { $0.key < $1.key }) {
            guard let server = try loadedServer(name, command) else { continue }
            defer { server.stop() }
            let outcome = try assertSnapshotEqualsServer(server, name: name)
            XCTAssertEqual(outcome.diskless, !name.hasPrefix("redis-6"), "\(name): repl-diskless-sync is on by default from 7.0 (6.2: off)")
            if case .fullResync(let id, _) = outcome.start { XCTAssertEqual(id.count, 40, name) } else { XCTFail("\(name): \(outcome.start)") }
            if name.hasPrefix("valkey") {
                XCTAssertEqual(outcome.report.header?.version, 80, "REPLCONF version asked for Valkey's own RDB")
            }
            tested.append(name)
        }
        print("snapshot tested against: \(tested.joined(separator: ", "))")
        XCTAssertFalse(tested.isEmpty)
    }

    func testDiskBasedTransferAndGzip() throws {
        guard let apt = RedisServerProcess.executable("redis-server"),
              let server = try loadedServer("redis-7.0", [apt], ["--repl-diskless-sync", "no"]) else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        let disk = try assertSnapshotEqualsServer(server, name: "disk-based")
        XCTAssertFalse(disk.diskless)
        let gz = try assertSnapshotEqualsServer(server, name: "gzip", gzip: true)
        XCTAssertTrue(gz.path.hasSuffix(".rdb.gz"))
        XCTAssertLessThan(gz.fileBytes, gz.payloadBytes)
    }

    func testRefusalsLeaveNothingBehind() throws {
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        _ = try server.command("ACL", "SETUSER", "reader", "on", ">pw", "+@read", "~*")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = RedisURL(host: "127.0.0.1", port: server.port, user: "reader", password: "pw")
        XCTAssertThrowsError(try BackupSnapshot.take(url: url, options: options(), directory: directory, gzip: false, showProgress: false)) { error in
            XCTAssertTrue("\(error)".contains("NOPERM") || "\(error)".contains("refuses replicas"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
        let file = directory + "/plain"
        FileManager.default.createFile(atPath: file, contents: Data())
        XCTAssertThrowsError(try BackupSnapshot.take(url: RedisURL(host: "127.0.0.1", port: server.port), options: options(),
                                                     directory: file, gzip: false, showProgress: false)) { error in
            XCTAssertTrue("\(error)".contains("is not a directory"), "\(error)")
        }
    }

    func testSnapshotOverTLS() throws {
        guard let certificates = try TestCertificates() else { throw XCTSkip("openssl is not installed") }
        defer { certificates.remove() }
        let tlsPort = RedisServerProcess.freePort()
        guard let apt = RedisServerProcess.executable("redis-server"),
              let server = try loadedServer("redis-7.0 tls", [apt], certificates.serverArguments(tlsPort: tlsPort, requireClientCertificates: true)) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { server.stop() }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var tls = ConnectionOptions(tls: TLSOptions(caCertificate: certificates.ca, certificate: certificates.clientCertificate,
                                                    privateKey: certificates.clientKey), connectTimeout: 5, replyTimeout: 20)
        let url = RedisURL(host: "127.0.0.1", port: tlsPort, useTLS: true)
        let outcome = try BackupSnapshot.take(url: url, options: tls, directory: directory, gzip: false, showProgress: false)
        XCTAssertTrue(Validator.validate(path: outcome.path).isValid)
        let keys = try (0..<16).reduce(0) { $0 + (Int(try server.command("-n", "\($1)", "DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) }
        XCTAssertEqual(outcome.report.keys, keys)
        tls.tls?.caCertificate = certificates.strangerCA
        XCTAssertThrowsError(try BackupSnapshot.take(url: url, options: tls, directory: directory, gzip: false, showProgress: false))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).count, 1, "the refused attempt left nothing")
    }
}
