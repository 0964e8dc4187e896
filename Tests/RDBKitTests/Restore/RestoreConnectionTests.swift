import Foundation
import XCTest
@testable import RDBKit

/// Restore through the connection code `backup` uses: a password, an ACL user, TLS with
/// certificates made by the test; and module values against a target without the module.
final class RestoreConnectionTests: XCTestCase {
    private let types = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path

    func testPasswordAndACLUser() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        guard let original = try RedisServerProcess(command: [apt], dump: types) else { return }
        defer { original.stop() }
        guard let target = try RedisServerProcess(command: [apt]) else { return }
        defer { target.stop() }
        let expected = try original.command("DEBUG", "DIGEST").trimmingCharacters(in: .whitespacesAndNewlines)
        try target.command("ACL", "SETUSER", "loader", "on", ">loader-secret", "~*", "&*", "+@all")
        try target.command("CONFIG", "SET", "requirepass", "default-secret")
        func digest() throws -> String {
            let link = try RedisConnection.connect(RedisURL(host: "127.0.0.1", port: target.port, password: "default-secret"))
            defer { link.close() }
            return try link.call("DEBUG", "DIGEST").text ?? ""
        }
        func flush() throws {
            let link = try RedisConnection.connect(RedisURL(host: "127.0.0.1", port: target.port, password: "default-secret"))
            defer { link.close() }
            try link.call("FLUSHALL")
            try link.call("FUNCTION", "FLUSH")
        }

        XCTAssertThrowsError(try Restore.run(source: types, url: RedisURL(host: "127.0.0.1", port: target.port),
                                             options: RestoreFixtureTests.options())) { error in
            XCTAssertTrue("\(error)".contains("NOAUTH"), "\(error)")
        }
        XCTAssertThrowsError(try Restore.run(source: types, url: RedisURL(host: "127.0.0.1", port: target.port, password: "wrong"),
                                             options: RestoreFixtureTests.options())) { error in
            XCTAssertTrue("\(error)".contains("login as default failed"), "\(error)")
        }
        let asDefault = try Restore.run(source: types, url: RedisURL(host: "127.0.0.1", port: target.port, password: "default-secret"),
                                        options: RestoreFixtureTests.options())
        XCTAssertEqual(asDefault.failed, 0)
        XCTAssertEqual(try digest(), expected)

        try flush()
        let asUser = try Restore.run(source: types, url: RedisURL(host: "127.0.0.1", port: target.port, user: "loader", password: "loader-secret"),
                                     options: RestoreFixtureTests.options())
        XCTAssertEqual(asUser.failed, 0)
        XCTAssertEqual(asUser.functions, 2, asUser.text)
        XCTAssertEqual(try digest(), expected)
    }

    func testOverTLSWithACertificateMadeByTheTest() throws {
        guard let certificates = try TestCertificates() else { throw XCTSkip("openssl is not installed") }
        defer { certificates.remove() }
        let tlsPort = RedisServerProcess.freePort()
        guard let target = try RedisServerProcess(extraArguments: certificates.serverArguments(tlsPort: tlsPort, requireClientCertificates: true)) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { target.stop() }
        guard let original = try RedisServerProcess(command: [RedisServerProcess.executable("redis-server")!], dump: types) else { return }
        defer { original.stop() }
        let url = try RedisURL(parsing: "rediss://127.0.0.1:\(tlsPort)")
        var options = RestoreFixtureTests.options()
        options.connection.tls = TLSOptions(caCertificate: certificates.ca, certificate: certificates.clientCertificate, privateKey: certificates.clientKey)
        let summary = try Restore.run(source: types, url: url, options: options)
        XCTAssertEqual(summary.failed, 0)
        XCTAssertGreaterThan(summary.restored, 10)
        XCTAssertEqual(try target.command("DEBUG", "DIGEST"), try original.command("DEBUG", "DIGEST"))

        try target.command("FLUSHALL")
        options.connection.tls?.caCertificate = certificates.strangerCA
        XCTAssertThrowsError(try Restore.run(source: types, url: url, options: options)) { error in
            XCTAssertTrue("\(error)".lowercased().contains("certificate"), "\(error)")
        }
        XCTAssertEqual(try target.command("DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }

    /// Redis 8.2's module.rdb (FalkorDB graphs) into a server without it: refused before
    /// anything is sent, naming the module type; with --without-modules the graphs are left out
    /// and counted, the rest restored.
    func testModuleValuesNeedTheModule() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-8.2/module.rdb").path
        // The 8.2 binary without its --loadmodule, else the apt 7.0 (through the downgrade path).
        let command = RedisServerProcess.installedServers()["redis-8.2"].map { [$0[0]] }
            ?? RedisServerProcess.executable("redis-server").map { [$0] }
        guard let command, let target = try RedisServerProcess(command: command) else { throw XCTSkip("no server to restore into") }
        defer { target.stop() }
        let url = RedisURL(host: "127.0.0.1", port: target.port)
        let moduleKeys = try RDBReader.records(path: dump).filter { if case .module = $0.value { return true } else { return false } }.count
        XCTAssertGreaterThan(moduleKeys, 0)

        var options = RestoreFixtureTests.options()
        options.lossy = true  // module aux data has no command: the one loss a restore of this dump always has
        XCTAssertThrowsError(try Restore.run(source: dump, url: url, options: options)) { error in
            XCTAssertTrue("\(error)".contains("module values of type graphdata (1 key, first \"graph:social\")") && "\(error)".contains("MODULE LIST"), "\(error)")
        }
        XCTAssertEqual(try target.command("DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines), "0", "nothing was sent")

        options.withoutModules = true
        let summary = try Restore.run(source: dump, url: url, options: options)
        XCTAssertEqual(summary.failed, 0, "\(summary.failures.prefix(3).map(\.error))")
        XCTAssertEqual(summary.dropped, moduleKeys, summary.text)
        XCTAssertEqual(Int(try target.command("DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines)), summary.restored)
    }
}
