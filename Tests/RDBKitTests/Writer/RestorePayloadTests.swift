import Foundation
import XCTest
@testable import RDBKit

/// RESTORE payloads and RESP output accepted by a live Redis 7.0: the restored dataset has the
/// same DEBUG DIGEST as a server that loaded the original dump, and the same content.
final class RestorePayloadTests: XCTestCase {
    func testRESPRestoreGivesTheSameDatasetAsLoadingTheDump() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-restore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))
        var compared = 0
        for (dump, expectedFile) in FixturePaths.dumpsWithExpectedContent() {
            let folder = dump.deletingLastPathComponent().lastPathComponent
            guard folder == "legacy" || folder == "redis-7.0" || folder == "redis-6.2" else { continue }
            let resp = scratch.appendingPathComponent("\(folder)-\(dump.lastPathComponent).resp").path
            _ = try Convert.rdbToRESP(inputPath: dump.path, outputPath: resp, target: target, lossy: true, withoutModules: true)

            guard let restored = try RedisServerProcess(command: [apt]),
                  let original = try RedisServerProcess(command: [apt], dump: dump.path) else { throw XCTSkip("redis-cli is not installed") }
            defer {
                restored.stop()
                original.stop()
            }
            try restored.pipe(file: resp)
            let label = "\(folder)/\(dump.lastPathComponent)"
            XCTAssertEqual(try restored.command("DEBUG", "DIGEST"), try original.command("DEBUG", "DIGEST"), label)
            if ServerContentOracle.isAvailable {
                let content = try ServerContentOracle.read(port: restored.port)
                let expected = try parseJSONLines(try Data(contentsOf: expectedFile)).filter { $0["type"] as? String != "module" }
                let problems = ExpectedContent(expiryTolerance: ExpectedContent.expiryTolerance(forServer: folder), fileVersion: 9)
                    .differences(ours: content, expected: expected, now: Int64(Date().timeIntervalSince1970 * 1000))
                XCTAssertTrue(problems.isEmpty, "\(label):\n" + problems.prefix(5).joined(separator: "\n"))
            }
            compared += 1
        }
        XCTAssertGreaterThan(compared, 20)
        print("restored \(compared) fixtures through RESTORE with the same DEBUG DIGEST")
    }

    /// A payload from `dumpPayload` restores a value with the same DEBUG DIGEST-VALUE as the
    /// original key of a server that loaded the dump.
    func testPayloadsRestoreTheSameValues() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { throw XCTSkip("no Redis 7.0 fixture") }
        guard let apt = RedisServerProcess.executable("redis-server"),
              let server = try RedisServerProcess(command: [apt], dump: dump) else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        let writer = try RDBWriter(path: nil, target: XCTUnwrap(RDBTarget.named("redis-7.0")))
        var checked = 0
        for record in try RDBReader.records(path: dump) where record.db == 0 {
            guard record.key.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) else { continue }  // redis-cli arguments
            let key = String(decoding: record.key, as: UTF8.self)
            // DIGEST-VALUE covers the expiry too: restore it, absolute.
            try server.pipe([[Array("RESTORE".utf8), Array("restored:\(key)".utf8), Array(String(record.expireAtMs ?? 0).utf8),
                              try writer.dumpPayload(for: record), Array("ABSTTL".utf8)]])
            let original = try server.command("DEBUG", "DIGEST-VALUE", key)
            XCTAssertFalse(original.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            XCTAssertEqual(try server.command("DEBUG", "DIGEST-VALUE", "restored:\(key)"), original, key)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }
}
