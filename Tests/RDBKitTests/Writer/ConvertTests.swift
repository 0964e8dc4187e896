import Foundation
import XCTest
@testable import RDBKit

final class ConvertTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-convert-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Re-encoding a dump for its own version changes no content (every fixture, no server needed).
    func testSameVersionRoundTripKeepsEveryKey() throws {
        for (dump, _) in FixturePaths.dumpsWithExpectedContent() {
            guard let header = Validator.validate(path: dump.path).header,
                  let target = RDBTarget.named(header.family == .valkey ? "valkey-9" : String(max(header.version, 6))) else { continue }
            let output = scratch.appendingPathComponent("out.rdb").path
            _ = try Convert.rdbToRDB(inputPath: dump.path, outputPath: output, target: target, lossy: true)
            let original = try parseJSONLines(try exportToMemory(dump.path))
            let converted = try parseJSONLines(try exportToMemory(output))
            let problems = ExpectedContent(fileVersion: header.version).differences(ours: converted, expected: original, now: 0)
            XCTAssertTrue(problems.isEmpty, "\(dump.lastPathComponent): " + problems.prefix(5).joined(separator: "\n"))
        }
    }

    /// export → convert (JSON → RDB, same version) → export gives byte-identical JSON, for every
    /// fixture; functions come back through --with-meta.
    func testJSONRoundTripIsByteIdentical() throws {
        var checked = 0
        for dump in FixturePaths.allDumps() {
            guard let header = Validator.validate(path: dump.path).header,
                  let target = RDBTarget.named(header.family == .valkey ? "valkey-9" : String(max(header.version, 6))) else { continue }
            let json = scratch.appendingPathComponent("export.jsonl")
            try exportToMemory(dump.path, withMeta: true).write(to: json)
            let rdb = scratch.appendingPathComponent("import.rdb").path
            _ = try Convert.jsonToRDB(inputPath: json.path, outputPath: rdb, target: target, lossy: false)
            // Stream IDMP iids older than their duration are left out when written now, as a
            // server drops them: an RDB 13+ dump is compared with its own rewrite.
            var reference = dump.path
            if header.version >= 13 {
                reference = scratch.appendingPathComponent("own.rdb").path
                _ = try Convert.rdbToRDB(inputPath: dump.path, outputPath: reference, target: target, lossy: false)
            }
            XCTAssertEqual(try exportToMemory(rdb), try exportToMemory(reference), dump.lastPathComponent)
            // Key metadata (RDB 13+) comes back through the JSON, class by class.
            XCTAssertEqual(try RDBReader.records(path: rdb).map(\.metadata), try RDBReader.records(path: dump.path).map(\.metadata),
                           dump.lastPathComponent)
            let functions = { (path: String) throws -> [Bytes] in
                let c = RecordCollector { _ in }
                try RDBReader.read(path: path, visitor: c)
                return c.functions
            }
            XCTAssertEqual(try functions(rdb), try functions(dump.path), dump.lastPathComponent)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 40)
    }

    /// Every fixture up to Redis 8.8, and back to its own version: the same JSON (a Valkey file
    /// has nothing Redis 8.8 lacks but its own hash-2 encoding, which reads back the same).
    func testThroughRedis88AndBackKeepsTheContent() throws {
        var checked = 0
        for dump in FixturePaths.allDumps() {
            guard let header = Validator.validate(path: dump.path).header,
                  let own = RDBTarget.named(header.family == .valkey ? "valkey-9" : String(max(header.version, 6))) else { continue }
            let up = scratch.appendingPathComponent("up.rdb").path, back = scratch.appendingPathComponent("back.rdb").path
            let upSummary = try Convert.rdbToRDB(inputPath: dump.path, outputPath: up, target: RDBTarget.named("redis-8.8")!, lossy: false)
            XCTAssertEqual(Validator.validate(path: up).header?.version, 14)
            XCTAssertTrue(upSummary.losses.isEmpty, "\(dump.lastPathComponent): \(upSummary.losses)")
            _ = try Convert.rdbToRDB(inputPath: up, outputPath: back, target: own, lossy: false)
            // Written at the current time, stream IDMP iids older than their duration are left
            // out (as the server drops them): those dumps are compared with their own rewrite.
            var reference = dump.path
            if header.version >= 13 {
                reference = scratch.appendingPathComponent("own.rdb").path
                _ = try Convert.rdbToRDB(inputPath: dump.path, outputPath: reference, target: own, lossy: false)
            }
            XCTAssertEqual(try exportToMemory(back), try exportToMemory(reference), dump.lastPathComponent)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 40)
    }

    /// Arrays, IDMP state and NACK zones cannot go below the release that brought them:
    /// refused, or with --lossy dropped and each reported.
    func testNewTypesDoNotGoBelowTheirRelease() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-8.8/types.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { throw XCTSkip("no Redis 8.8 fixture") }
        let output = scratch.appendingPathComponent("out.rdb").path
        XCTAssertThrowsError(try Convert.rdbToRDB(inputPath: dump, outputPath: output, target: RDBTarget.named("redis-8.6")!, lossy: false)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("array:mixed") && text.contains("NACKed"), text)
        }
        let to86 = try Convert.rdbToRDB(inputPath: dump, outputPath: output, target: RDBTarget.named("redis-8.6")!, lossy: true)
        XCTAssertEqual(to86.losses.filter { $0.what.hasPrefix("array dropped") }.count, 5)
        XCTAssertEqual(to86.losses.filter { $0.what.contains("NACKed") }.count, 1)
        XCTAssertFalse(to86.losses.contains { $0.what.contains("IDMP") || $0.what.contains("metadata") }, "\(to86.losses)")
        let to82 = try Convert.rdbToRDB(inputPath: dump, outputPath: output, target: RDBTarget.named("redis-8.2")!, lossy: true)
        // IDMP is lost only where a stream used it; key metadata on its four keys.
        XCTAssertEqual(to82.losses.filter { $0.what.contains("IDMP") }.map { String(decoding: $0.key ?? [], as: UTF8.self) }, ["stream:idmp"])
        XCTAssertEqual(to82.losses.filter { $0.what.contains("key metadata") }.count, 4)
        XCTAssertTrue(Validator.validate(path: output).isValid)
    }

    func testJSONImportErrorsNameTheLine() throws {
        let json = scratch.appendingPathComponent("bad.jsonl")
        try Data("{\"db\":0,\"key\":\"a\",\"type\":\"string\",\"value\":\"x\"}\n{\"db\":0,\"key\":\"b\",\"type\":\"zset\",\"value\":[[\"m\",\"high\"]]}\n".utf8).write(to: json)
        let output = scratch.appendingPathComponent("out.rdb").path
        XCTAssertThrowsError(try Convert.jsonToRDB(inputPath: json.path, outputPath: output, target: RDBTarget.named("redis-7.0")!, lossy: false)) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testWhatTheTargetCannotHoldFailsAndIsListed() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-8.2/hfe.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { throw XCTSkip("no Redis 8.2 fixture") }
        let output = scratch.appendingPathComponent("out.rdb").path
        XCTAssertThrowsError(try Convert.rdbToRDB(inputPath: dump, outputPath: output,
                                                  target: RDBTarget.named("redis-7.0")!, lossy: false)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("hfe:small") && text.contains("hfe:big"), text)
            XCTAssertTrue(text.contains("--lossy"), text)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "a failed conversion left its output")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])

        let summary = try Convert.rdbToRDB(inputPath: dump, outputPath: output, target: RDBTarget.named("redis-7.0")!, lossy: true)
        XCTAssertEqual(summary.losses.count, 2)
        XCTAssertTrue(Validator.validate(path: output).isValid)
    }

    func testTargetNames() {
        XCTAssertEqual(RDBTarget.named("redis-6.2")?.magic, "REDIS0009")
        XCTAssertEqual(RDBTarget.named("redis-7.4")?.magic, "REDIS0012")
        XCTAssertEqual(RDBTarget.named("valkey-9")?.magic, "VALKEY080")
        XCTAssertEqual(RDBTarget.named("valkey-8")?.writtenByValkey, true)
        XCTAssertEqual(RDBTarget.named("10")?.serverVersion, "7.0.15")
        XCTAssertEqual(RDBTarget.named("redis-8.6")?.magic, "REDIS0013")
        XCTAssertEqual(RDBTarget.named("14")?.magic, "REDIS0014")
        XCTAssertNil(RDBTarget.named("redis-1.0"))
    }
}
