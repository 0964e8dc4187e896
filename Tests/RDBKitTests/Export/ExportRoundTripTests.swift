import Foundation
import XCTest
@testable import RDBKit

/// The export schema is written by `JSONExporter` and read by `JSONImport` from the one list of
/// names in `ExportSchema.swift`; this holds their shapes together: every fixture (here, and in
/// ../shared/fixtures when it is there) exported with --with-meta, imported into a dump for its
/// own server, and exported again gives the same bytes — keys, function libraries and module aux
/// data (the header, aux, resizedb and slot records describe the file and are left out). Among
/// them are RDB 13/14's key metadata, stream IDMP state, NACKed entries, arrays and their
/// insert index.
final class ExportRoundTripTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try scratchDirectory("roundtrip")
    }

    func testEveryFixtureRoundTrips() throws {
        try roundTrip(FixturePaths.allDumps(), minimum: 40)
    }

    func testEverySharedFixtureRoundTrips() throws {
        guard let shared = FixturePaths.shared?.appendingPathComponent("fixtures"),
              let walker = FileManager.default.enumerator(at: shared, includingPropertiesForKeys: nil) else {
            throw XCTSkip("../shared/fixtures is not beside this checkout")
        }
        var dumps: [URL] = []
        for case let url as URL in walker where url.pathExtension == "rdb" { dumps.append(url) }
        try roundTrip(dumps.sorted { $0.path < $1.path }, minimum: 1)
    }

    private func roundTrip(_ dumps: [URL], minimum: Int) throws {
        XCTAssertGreaterThanOrEqual(dumps.count, minimum)
        var newFields = Set<String>()
        for dump in dumps {
            let name = dump.deletingLastPathComponent().lastPathComponent + "/" + dump.lastPathComponent
            let first = scratch.appendingPathComponent("first.jsonl").path
            let rebuilt = scratch.appendingPathComponent("rebuilt.rdb").path
            let second = scratch.appendingPathComponent("second.jsonl").path
            let target = RDBTarget.ofInput(dump.path) ?? RDBTarget.named(RDBTarget.fallbackName)!
            // Written now, stream IDMP iids older than their duration are left out, as a server
            // drops them: an RDB 13+ dump goes round from its own rewrite.
            var source = dump.path
            if let header = Validator.validate(path: dump.path).header, header.family == .redis, header.version >= 13 {
                source = scratch.appendingPathComponent("own.rdb").path
                _ = try Convert.rdbToRDB(inputPath: dump.path, outputPath: source, target: target, lossy: false)
            }
            _ = try Export.run(path: source, outputPath: first, format: .jsonl, withMeta: true)
            _ = try Convert.jsonToRDB(inputPath: first, outputPath: rebuilt, target: target, lossy: false)
            _ = try Export.run(path: rebuilt, outputPath: second, format: .jsonl, withMeta: true)
            let before = try content(first), after = try content(second)
            if before != after {
                let diverging = zip(before, after).first { $0 != $1 }
                XCTFail("\(name): \(before.count) lines exported, \(after.count) after the round trip; first difference:\n"
                        + "\(diverging?.0.prefix(300) ?? "")\n\(diverging?.1.prefix(300) ?? "")")
            }
            for line in before {
                for field in ["\"metadata\"", "\"idmp\"", "\"nacked\"", "\"insert_index\"", "\"type\":\"array\""] where line.contains(field) {
                    newFields.insert(field)
                }
            }
        }
        if minimum > 1 || !newFields.isEmpty {
            // The RDB 13/14 fields are among what went round.
            XCTAssertEqual(newFields, ["\"metadata\"", "\"idmp\"", "\"nacked\"", "\"insert_index\"", "\"type\":\"array\""])
        }
    }

    /// The lines that carry data: keys, functions and module aux data, in file order.
    private func content(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let described = ["header", "aux", "resizedb", "slot_info", "slot_import"].map { "{\"meta\":\"\($0)\"" }
        return text.split(separator: "\n").map(String.init).filter { line in !described.contains { line.hasPrefix($0) } }
    }
}
