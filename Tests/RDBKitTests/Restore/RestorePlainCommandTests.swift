import Foundation
import XCTest
@testable import RDBKit

/// Keys whose RESTORE payload is longer than the server's proto-max-bulk-len go as the AOF
/// rewrite's commands, and still arrive whole; existing keys are skipped or replaced as asked.
final class RestorePlainCommandTests: XCTestCase {
    func testKeysOverProtoMaxBulkLenGoAsPlainCommands() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-plain-\(UUID().uuidString).rdb").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var random = SystemRandomNumberGenerator()
        func noise(_ n: Int) -> Bytes { (0..<n).map { _ in UInt8.random(in: 0...255, using: &random) } }
        let writer = try RDBWriter(path: path, target: RDBTarget.named("redis-7.0")!)
        let expiry = Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000
        // 1.5 MB of incompressible elements per key: over the 1 MB limit set below.
        try writer.write(KeyRecord(db: 0, key: Array("big:list".utf8), value: .list((0..<300).map { _ in noise(5_000) }), expireAtMs: expiry))
        try writer.write(KeyRecord(db: 2, key: Array("big:hash".utf8), value: .hash((0..<300).map { _ in HashField(field: noise(8), value: noise(5_000)) })))
        try writer.write(KeyRecord(db: 0, key: Array("small".utf8), value: .string(Array("x".utf8))))
        try writer.finish()
        guard let server = try RedisServerProcess(command: [apt]), let reference = try RedisServerProcess(command: [apt], dump: path) else { return }
        defer { server.stop(); reference.stop() }
        try server.command("CONFIG", "SET", "proto-max-bulk-len", "1mb")
        let url = RedisURL(host: "127.0.0.1", port: server.port)

        let first = try Restore.run(source: path, url: url, options: RestoreFixtureTests.options())
        XCTAssertEqual(first.restored, 3, first.text)
        XCTAssertEqual(first.sentAsCommands, 2)
        XCTAssertEqual(try server.command("DEBUG", "DIGEST"), try reference.command("DEBUG", "DIGEST"))

        // Again: every key exists. Skipped without --replace (nothing appended to the lists)…
        let again = try Restore.run(source: path, url: url, options: RestoreFixtureTests.options())
        XCTAssertEqual(again.skipped, 3, again.text)
        XCTAssertEqual(try server.command("DEBUG", "DIGEST"), try reference.command("DEBUG", "DIGEST"))
        // …and replaced with it.
        try server.command("RPUSH", "big:list", "extra")
        let replaced = try Restore.run(source: path, url: url, options: RestoreFixtureTests.options(replace: true))
        XCTAssertEqual(replaced.replaced, 3, replaced.text)
        XCTAssertEqual(try server.command("DEBUG", "DIGEST"), try reference.command("DEBUG", "DIGEST"))
    }
}
