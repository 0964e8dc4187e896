import Foundation
import XCTest
@testable import RDBKit

final class CSVExportTests: XCTestCase {
    /// RFC 4180 rows, for checking what we write.
    private func parseCSV(_ text: [UInt8]) -> [[[UInt8]]] {
        var rows: [[[UInt8]]] = [], row: [[UInt8]] = [], field: [UInt8] = []
        var i = 0, quoted = false
        while i < text.count {
            let c = text[i]
            if quoted {
                if c == 0x22 {
                    if i + 1 < text.count && text[i + 1] == 0x22 { field.append(0x22); i += 1 } else { quoted = false }
                } else { field.append(c) }
            } else if c == 0x22 { quoted = true }
            else if c == 0x2C { row.append(field); field = [] }
            else if c == 0x0A { row.append(field); rows.append(row); row = []; field = [] }
            else { field.append(c) }
            i += 1
        }
        return rows
    }

    private func export(_ path: String, _ format: ExportFormat) throws -> [UInt8] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-csv-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try Export.run(path: path, outputPath: out.path, format: format, withMeta: false)
        return [UInt8](try Data(contentsOf: out))
    }

    func testCSVReportHasEveryKeyAndReversibleKeys() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { throw XCTSkip("no Redis 7.0 fixture") }
        let records = try RDBReader.records(path: dump)
        let rows = parseCSV(try export(dump, .csv))
        XCTAssertEqual(rows.first.map { $0.map { String(decoding: $0, as: UTF8.self) } },
                       ["database", "type", "key", "size_in_bytes", "encoding", "num_elements", "len_largest_element", "expiry"])
        XCTAssertEqual(rows.count - 1, records.count)
        let keysFromCSV = Set(rows.dropFirst().compactMap { KeyText.decode($0[2]) })
        XCTAssertEqual(keysFromCSV, Set(records.map(\.key)), "every key, binary ones included, decodes back")
        let ttl = try XCTUnwrap(rows.first { String(decoding: $0[2], as: UTF8.self) == "str:ttl" })
        XCTAssertEqual(String(decoding: ttl[7], as: UTF8.self), "2033-05-18T03:33:20.123Z")
        let big = try XCTUnwrap(rows.first { String(decoding: $0[2], as: UTF8.self) == "set:big" })
        XCTAssertEqual(big.map { String(decoding: $0, as: UTF8.self) }[4...5], ["hashtable", "1000"])

        let names = try export(dump, .keys).split(separator: 0x0A).compactMap { KeyText.decode(Array($0)) }
        XCTAssertEqual(Set(names), Set(records.map(\.key)))
    }

    func testISOTime() {
        XCTAssertEqual(isoTime(0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(isoTime(951_782_400_001), "2000-02-29T00:00:00.001Z")
        XCTAssertEqual(isoTime(-1), "1969-12-31T23:59:59.999Z")
    }
}
