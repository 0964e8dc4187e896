import Foundation
import XCTest
@testable import RDBKit

/// What Redis refuses to load though every structure is well formed: a key held twice in a
/// database, key metadata of a class that may not be ignored.
final class ValidationFindingsTests: XCTestCase {
    private func dump(_ records: [KeyRecord], target: String = "redis-8.8") throws -> String {
        try scratchFile(try rdbBytes(records, target: target), name: "d.rdb")
    }

    private func string(_ key: String, db: Int = 0, _ value: String = "v") -> KeyRecord {
        KeyRecord(db: db, key: Array(key.utf8), value: .string(Array(value.utf8)))
    }

    func testDuplicateKeyIsDamageWithBothOffsets() throws {
        let path = try dump([string("a"), string("dup"), string("b"), string("dup", "second")])
        let report = Validator.validate(path: path)
        let error = try XCTUnwrap(report.error, "a key held twice passes")
        XCTAssertEqual(error.key, Array("dup".utf8))
        // The second copy is where the error is; the first is named in the reason.
        let offsets = try keyOffsets(path)
        XCTAssertEqual(error.offset, offsets[3])
        XCTAssertTrue(error.reason.contains("first at offset \(offsets[1])"), error.reason)
        XCTAssertTrue(error.description.contains("\"dup\""), error.description)
    }

    func testSameKeyInTwoDatabasesIsNotADuplicate() throws {
        let many = (0..<5000).map { string("k\($0)") } + (0..<5000).map { string("k\($0)", db: 1) }
        let report = Validator.validate(path: try dump(many))
        XCTAssertNil(report.error)
        XCTAssertEqual(report.keys, 10_000)
    }

    /// A file given as a stream cannot be read twice to compare: a warning, never a false report.
    func testDuplicateInAStreamIsAWarning() throws {
        let path = try dump([string("dup"), string("dup")])
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-fifo-\(UUID().uuidString)").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        defer { unlink(fifo) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let feeder = Thread {
            if let h = FileHandle(forWritingAtPath: fifo) { h.write(bytes); try? h.close() }
        }
        feeder.start()
        let report = Validator.validate(path: fifo)
        XCTAssertNil(report.error)
        XCTAssertEqual(report.repeatedFingerprints, 1)
        XCTAssertTrue(report.summaryLine.contains("may hold a key twice"), report.summaryLine)
    }

    func testMetadataThatMayNotBeIgnored() throws {
        var strict = KeyMetadata(classSpec: 0, payload: [UInt8(RDBModuleOpcode.RDB_MODULE_OPCODE_EOF)])
        strict.className = "KMT9"
        strict.version = 2
        strict.flags = 0
        var lenient = strict
        lenient.className = "KMT1"
        lenient.flags = 1
        var first = string("fine")
        first.metadata = [lenient]
        var second = string("held")
        second.metadata = [lenient, strict]
        let path = try dump([first, second])
        let error = try XCTUnwrap(Validator.validate(path: path).error)
        XCTAssertEqual(error.key, Array("held".utf8))
        XCTAssertTrue(error.reason.contains("KMT9"), error.reason)
        // At the RDB_OPCODE_KEY_META before the key's type byte.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(bytes[Int(error.offset)], RDBOpcode.RDB_OPCODE_KEY_META)
        XCTAssertNil(Validator.validate(path: path, registeredMetadataClasses: ["KMT9"]).error)
    }

    /// The type-byte offsets of a file's keys, in order.
    private func keyOffsets(_ path: String) throws -> [Int64] {
        final class Offsets: RDBVisitor {
            var offsets: [Int64] = []
            var wantsStringValues: Bool { false }
            func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
                offsets.append(info.offset)
                return .skip
            }
        }
        let v = Offsets()
        try RDBReader.read(path: path, visitor: v)
        return v.offsets
    }
}

/// JSON import errors name the line, the column and the byte offset, and the key when known.
final class JSONImportPlaceTests: XCTestCase {
    private func importError(_ text: String) throws -> RDBError {
        let path = try scratchFile(Array(text.utf8), name: "in.jsonl")
        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out.rdb").path
        do {
            _ = try Convert.jsonToRDB(inputPath: path, outputPath: out, target: RDBTarget.named("redis-7.0")!, lossy: false)
        } catch {
            return error
        }
        XCTFail("imported")
        throw XCTSkip()
    }

    func testSyntaxErrorHasLineColumnAndOffset() throws {
        let good = #"{"db":0,"key":"a","type":"string","value":"x"}"#
        let bad = #"  {"db":0,"key":"b","type":"string","value":"x" "oops"}"#
        let error = try importError(good + "\n" + bad + "\n")
        let column = 49  // the quote of "oops", where ',' or '}' was expected
        XCTAssertEqual(error.context, "line 2, column \(column)")
        XCTAssertEqual(error.offset, Int64(good.utf8.count + 1 + column - 1))
        XCTAssertTrue(error.description.hasPrefix("at offset \(error.offset)"), error.description)
    }

    /// A string longer than a line keeps (`LongJSONString`) counts by its own length: the
    /// column and offset after it are the input's, not those of the token standing for it.
    func testColumnAfterALongStringIsTheInputsColumn() throws {
        let long = String(repeating: "a", count: 2 * LongJSONString.threshold + 17)
        let good = #"{"db":0,"key":"a","type":"string","value":"x"}"#
        let bad = #"{"db":0,"key":"b","type":"string","value":""# + long + #"" "oops"}"#
        let error = try importError(good + "\n" + bad + "\n")
        let column = bad.utf8.count - #""oops"}"#.utf8.count + 1
        XCTAssertEqual(error.context, "line 2, column \(column)")
        XCTAssertEqual(error.offset, Int64(good.utf8.count + 1 + column - 1))
    }

    func testSchemaErrorNamesTheKey() throws {
        let error = try importError(#"{"db":0,"key":"k1","type":"string","value":"x"}"# + "\n" + #"{"db":0,"key":"k2","type":"zset","value":[["m","x"]]}"# + "\n")
        XCTAssertEqual(error.key, Array("k2".utf8))
        XCTAssertEqual(error.context, "line 2, column 1")
        XCTAssertTrue(error.description.contains("\"k2\""), error.description)
    }
}
