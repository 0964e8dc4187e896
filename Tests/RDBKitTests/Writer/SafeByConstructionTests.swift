import Foundation
import XCTest
@testable import RDBKit

/// Library-level promises of issue 10: payloads read back for every target, the loss policy on
/// every writer, the default target, a filtered skip that is as strict as a read, outputs that
/// are verified before they are committed.
final class SafeByConstructionTests: XCTestCase {
    private var types: String { FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path }

    /// Order-free form of a value: sets, hashes and sorted sets compare as sets; a stream by its
    /// entries (its counters and IDMP settings depend on the target's version).
    private func normalized(_ value: RedisValue) -> RedisValue {
        switch value {
        case .set(let members): return .set(members.sorted { $0.lexicographicallyPrecedes($1) })
        case .hash(let fields): return .hash(fields.sorted { $0.field.lexicographicallyPrecedes($1.field) })
        case .sortedSet(let members): return .sortedSet(members.sorted { $0.member.lexicographicallyPrecedes($1.member) })
        case .stream(var stream):
            stream.metadata = StreamMetadata(length: 0, lastID: stream.metadata.lastID)
            stream.groups = []
            stream.idmp = nil  // RDB 13+ writes the default settings where older files have none
            return .stream(stream)
        default: return value
        }
    }

    func testEveryTargetsRestorePayloadDecodesBack() throws {
        let records = try RDBReader.records(path: types)
        XCTAssertGreaterThan(records.count, 20)
        for name in RDBTarget.supportedNames {
            let writer = try RDBWriter(path: nil, target: XCTUnwrap(RDBTarget.named(name)))
            var decoded = 0
            for record in records {
                let lossesBefore = writer.losses.count
                guard writer.admits(record) else { continue }
                let payload = try writer.dumpPayload(for: record)
                let value = try RestorePayload.decode(payload)
                if writer.losses.count == lossesBefore {
                    XCTAssertTrue(normalized(value) == normalized(record.value), "\(name): \(displayKey(record.key)) reads back different")
                }
                decoded += 1
            }
            XCTAssertGreaterThan(decoded, 10, name)
        }
    }

    func testRestorePayloadsFollowTheLossPolicy() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-payload-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let old = try XCTUnwrap(RDBTarget.named("redis-4.0"))
        XCTAssertThrowsError(try Convert.restorePayloads(inputPath: types, outputPath: scratch, target: old)) { error in
            XCTAssertEqual((error as? RDBError)?.isPositional, false)
            XCTAssertTrue("\(error)".contains("stream dropped"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch))
        let summary = try Convert.restorePayloads(inputPath: types, outputPath: scratch, target: old, lossy: true)
        XCTAssertTrue(summary.losses.contains { $0.what.contains("stream dropped") })
        let lines = try String(contentsOfFile: scratch, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, summary.keys)
        let dropped = summary.losses.filter { $0.what.hasPrefix("stream dropped") }.count
        XCTAssertEqual(summary.keys + dropped, try RDBReader.records(path: types).count)
    }

    func testTheDefaultTargetIsTheInputsOwnServer() throws {
        XCTAssertEqual(RDBTarget.ofInput(types)?.version, 10)
        let valkey = FixturePaths.fixtures.appendingPathComponent("valkey-9.1/cluster.rdb").path
        XCTAssertEqual(RDBTarget.ofInput(valkey)?.family, .valkey)
        let legacy = FixturePaths.fixtures.appendingPathComponent("redis-6.2").path
        if let dump = try FileManager.default.contentsOfDirectory(atPath: legacy).first(where: { $0.hasSuffix(".rdb") }) {
            XCTAssertEqual(RDBTarget.ofInput(legacy + "/" + dump)?.version, 9)
        }
        let commands = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-\(UUID().uuidString).aof").path
        defer { try? FileManager.default.removeItem(atPath: commands) }
        try Data("*1\r\n$4\r\nPING\r\n".utf8).write(to: URL(fileURLWithPath: commands))
        XCTAssertNil(RDBTarget.ofInput(commands))
    }

    func testAnOutputThatDoesNotVerifyIsNeverCommitted() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-verify-\(UUID().uuidString)").path
        let outputs = Outputs(inputs: [])
        XCTAssertThrowsError(try outputs.write(to: path, verifiedBy: { (written: String) throws(RDBError) in
            XCTAssertTrue(FileManager.default.fileExists(atPath: written))
            throw RDBError(.corrupt("does not validate"), offset: 0)
        }) { (file) throws(RDBError) in try file.write(Array("partial".utf8)) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        let siblings = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
        XCTAssertFalse(siblings.contains { $0.hasPrefix(URL(fileURLWithPath: path).lastPathComponent) })
    }

    func testCSVKeysThatASpreadsheetWouldRunAreWrittenInBase64() throws {
        for key in ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"] {
            let encoded = KeyText.encode(Array(key.utf8), forSpreadsheet: true)
            XCTAssertTrue(encoded.starts(with: KeyText.prefix), key)
            XCTAssertEqual(KeyText.decode(encoded), Array(key.utf8), key)
        }
        XCTAssertEqual(KeyText.encode(Array("user:1".utf8), forSpreadsheet: true), Array("user:1".utf8))
        XCTAssertEqual(KeyText.encode(Array("-2".utf8)), Array("-2".utf8), "only the CSV report is for spreadsheets")
        // Plain only when printable UTF-8 not starting with the marker, wherever the odd byte stands.
        for key in ["", "a", "base64", "base64:", "base64:x", "xbase64:", "é", "a\u{7F}", "a\tb", "\u{1}", "日本"] {
            let bytes = Array(key.utf8)
            let expected = !bytes.contains { $0 < 0x20 || $0 == 0x7F } && !bytes.starts(with: KeyText.prefix)
            XCTAssertEqual(bytes.withUnsafeBytes { KeyText.isPlain($0) }, expected, key)
        }
        XCTAssertFalse([UInt8]([0x61, 0xFF]).withUnsafeBytes { KeyText.isPlain($0) }, "invalid UTF-8")
    }
}
