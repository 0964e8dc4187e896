import Foundation
import XCTest
@testable import RDBKit

/// Every dump under Fixtures/ that has an `.expected.jsonl` (made by a real server reading the
/// dump back through its own commands) must validate and export to the same content.
final class FixtureExportTests: XCTestCase {
    func testEveryFixtureValidates() throws {
        let dumps = FixturePaths.allDumps()
        XCTAssertFalse(dumps.isEmpty, "no fixtures found under \(FixturePaths.fixtures.path)")
        for dump in dumps {
            let report = Validator.validate(path: dump.path)
            XCTAssertTrue(report.isValid, "\(dump.lastPathComponent): \(report.summaryLine)")
        }
    }

    func testExportMatchesWhatTheServerRead() throws {
        let pairs = FixturePaths.dumpsWithExpectedContent()
        XCTAssertGreaterThanOrEqual(pairs.count, 26, "expected the legacy fixtures at least")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var checked = 0
        for (dump, expectedFile) in pairs {
            let version = Validator.validate(path: dump.path).header?.version ?? 0
            let folder = dump.deletingLastPathComponent().lastPathComponent
            let comparison = ExpectedContent(expiryTolerance: ExpectedContent.expiryTolerance(forServer: folder), fileVersion: version)
            let ours = try parseJSONLines(try exportToMemory(dump.path))
            let expected = try parseJSONLines(try Data(contentsOf: expectedFile))
            let problems = comparison.differences(ours: ours, expected: expected, now: now)
            XCTAssertTrue(problems.isEmpty, "\(folder)/\(dump.lastPathComponent):\n" + problems.prefix(10).joined(separator: "\n"))
            checked += 1
        }
        print("compared \(checked) fixtures with their server-read content")
    }

    /// The export is valid JSON in both formats and --with-meta reaches aux fields.
    func testFormatsAndMetaRecords() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("legacy/non_ascii_values.rdb").path
        let lines = try parseJSONLines(try exportToMemory(dump, withMeta: true))
        XCTAssertTrue(lines.contains { $0["meta"] as? String == "header" })
        XCTAssertTrue(lines.contains { $0["meta"] as? String == "aux" && $0["name"] as? String == "redis-ver" })

        let writer = JSONWriter(output: nil)
        try RDBReader.read(path: dump, visitor: JSONExporter(writer: writer, format: .json, withMeta: false))
        let array = try JSONSerialization.jsonObject(with: Data(writer.pending)) as? [Any]
        XCTAssertEqual(array?.count, 6)
    }

    /// Module values are carried with their raw payload, not refused.
    func testModuleValuesAreCarried() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("legacy/redis_40_with_module.rdb").path
        let records = try RDBReader.records(path: dump)
        let modules = records.compactMap { r -> ModuleValue? in
            if case .module(let m) = r.value { return m } else { return nil }
        }
        XCTAssertEqual(modules.count, 1)
        XCTAssertFalse(modules.first?.payload.isEmpty ?? true)
        XCTAssertEqual(modules.first?.payload.last, 0, "payload ends with RDB_MODULE_OPCODE_EOF")
    }
}

/// Every analysis verb on every fixture: no errors, and numbers that agree with one another.
final class FixtureAnalysisTests: XCTestCase {
    func testAnalysisVerbsOnEveryFixture() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-analysis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for dump in FixturePaths.allDumps() {
            let name = dump.lastPathComponent
            let validation = Validator.validate(path: dump.path)
            let keys = validation.keys
            // Payloads a server of the fixture's generation loads: 8.2 holds everything up to RDB 12.
            let payloadTarget = RDBTarget.named((validation.header?.version ?? 0) > 12 ? "redis-8.8" : "redis-8.2")!
            let inspection = try Inspector.inspect(path: dump.path, nowMs: 0, top: 5, separator: Array(":".utf8))
            XCTAssertEqual(inspection.keys, keys, name)
            XCTAssertEqual(inspection.types.values.map(\.keys).reduce(0, +), keys, name)
            XCTAssertEqual(inspection.ttlBuckets.reduce(0, +), keys, name)
            XCTAssertEqual(inspection.prefixes.map(\.keys).reduce(0, +) <= keys, true, name)
            try HTMLReport.write(path: dump.path, outputPath: scratch.appendingPathComponent("r.html").path, nowMs: 0, top: 5,
                                 separator: Array(":".utf8))
            for format in [ExportFormat.csv, .keys] {
                let out = scratch.appendingPathComponent("out").path
                XCTAssertEqual(try Export.run(path: dump.path, outputPath: out, format: format, withMeta: false).keys, keys, "\(name) \(format)")
            }
            XCTAssertTrue(try Diff.run(dump.path, dump.path) { _ in }.isEqual, name)
            // Module aux data and function libraries have no payload: their losses are all --lossy may drop here.
            let payloads = try Convert.restorePayloads(inputPath: dump.path, outputPath: scratch.appendingPathComponent("p").path,
                                                       target: payloadTarget, lossy: true)
            XCTAssertEqual(payloads.keys, keys, name)
            XCTAssertTrue(payloads.losses.allSatisfy { $0.what.hasPrefix("module aux data") || $0.what.hasPrefix("function library") },
                          "\(name): \(payloads.losses)")
        }
    }
}
