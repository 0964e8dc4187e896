import Foundation
import XCTest
@testable import RDBKit

/// A convert for the input's own format copies each value as stored (`KeyAction.copy`), never
/// re-encoding it: from the first key to the end marker the output is the input, byte for byte.
/// (That real servers load such files is `ConvertLoadTests`' part: for each fixture's own server
/// its convert takes this path.)
final class ValueCopyTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Each key's value as stored (the bytes after its key), by database and key, in file order:
    /// read through the copy path itself, which hands over exactly what it consumed.
    private func storedValues(_ path: String) throws -> (values: [String], reencoded: Bool) {
        final class Stored: RDBVisitor {
            var values: [String] = []
            var current: (name: String, bytes: [UInt8])?
            /// Streams with IDMP state are re-encoded (their expired iids left out): not compared.
            var reencoded = false
            func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
                if info.rdbType.streamLayout?.hasIdmp == true { reencoded = true }
                guard info.type != .module, info.rdbType.streamLayout?.hasIdmp != true else { return .skip }
                current = ("\(info.db)/\(key.array)/\(info.rdbType)/\(info.expireAtMs ?? -1)", [])
                return .copy
            }
            func rawValue(_ bytes: UnsafeRawBufferPointer) throws(RDBError) { current?.bytes += bytes }
            func endKey() throws(RDBError) {
                if let current { values.append("\(current.name)=\(current.bytes)") }
                current = nil
            }
        }
        let stored = Stored()
        try RDBReader.read(path: path, visitor: stored)
        return (stored.values, stored.reencoded)
    }

    /// The bytes from the first key's type byte to the EOF opcode (for a file written here,
    /// whose aux fields are the only part a convert writes anew).
    private func keySection(_ path: String) throws -> [UInt8] {
        final class FirstKey: RDBVisitor {
            var offset: Int64?
            func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
                if offset == nil { offset = info.offset }
                return .skip
            }
        }
        let first = FirstKey()
        try RDBReader.read(path: path, visitor: first)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return Array(bytes[Int(first.offset ?? 0)..<(bytes.count - 8)])
    }

    /// Every fixture converted for its own format keeps each value's stored bytes (and keys,
    /// databases, types and expiries, in order), and exports the same JSON.
    func testSameFormatConvertKeepsEveryValueByteForByte() throws {
        var compared = 0
        for dump in FixturePaths.allDumps() {
            guard let (header, _) = RDBTarget.inputHeader(dump.path),
                  let target = RDBTarget.ofInput(dump.path), target.storesAsIs(header),
                  Validator.validate(path: dump.path).isValid else { continue }
            let output = scratch.appendingPathComponent("out.rdb").path
            _ = try Convert.rdbToRDB(inputPath: dump.path, outputPath: output, target: target, lossy: true)
            let (values, reencoded) = try storedValues(dump.path)
            XCTAssertEqual(try storedValues(output).values, values, dump.path)
            if !reencoded { XCTAssertEqual(try exportToMemory(output), try exportToMemory(dump.path), dump.path) }
            XCTAssertTrue(Validator.validate(path: output).isValid, dump.path)
            compared += 1
        }
        XCTAssertGreaterThan(compared, 10)
    }

    /// Values longer than the input window are handed over as they pass, the key section still the
    /// same, and memory does not hold them whole; a key filter keeps the copy, a size filter decodes.
    func testLongValuesAreCopiedInPiecesAndFiltersStillApply() throws {
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))
        let input = scratch.appendingPathComponent("big.rdb").path
        let writer = try RDBWriter(path: input, target: target)
        var random = SystemRandomNumberGenerator()
        let noise = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) }
        try writer.write(KeyRecord(db: 0, key: Array("noise".utf8), value: .string(noise), expireAtMs: 4_000_000_000_000))
        try writer.write(KeyRecord(db: 0, key: Array("fields".utf8),
                                   value: .hash((0..<120_000).map { HashField(field: Array("f\($0)".utf8), value: Array("value-\($0)".utf8)) })))
        try writer.write(KeyRecord(db: 2, key: Array("small".utf8), value: .list([Array("a".utf8), Array("b".utf8)])))
        _ = try writer.finish()

        let copied = scratch.appendingPathComponent("copied.rdb").path
        let summary = try Convert.rdbToRDB(inputPath: input, outputPath: copied, target: target, lossy: false)
        XCTAssertEqual(summary.keys, 3)
        XCTAssertEqual(try keySection(copied), try keySection(input))

        let filtered = scratch.appendingPathComponent("filtered.rdb").path
        _ = try Convert.rdbToRDB(inputPath: input, outputPath: filtered, target: target, lossy: false,
                                 filter: { var f = KeyFilter(nowMs: 0); f.keyPatterns = [GlobPattern(Array("f*".utf8))]; return f }())
        XCTAssertEqual(try RDBReader.records(path: filtered).map { String(decoding: $0.key, as: UTF8.self) }, ["fields"])
        let sized = scratch.appendingPathComponent("sized.rdb").path
        var bySize = KeyFilter(nowMs: 0)
        bySize.minimumSize = 1 << 20
        _ = try Convert.rdbToRDB(inputPath: input, outputPath: sized, target: target, lossy: false, filter: bySize)
        XCTAssertEqual(Set(try RDBReader.records(path: sized).map { String(decoding: $0.key, as: UTF8.self) }), ["noise", "fields"])
        XCTAssertEqual(try RDBReader.records(path: sized), try RDBReader.records(path: input).filter { $0.db == 0 })
    }

    /// A damaged value fails the copy as it fails a validation (the value is read and checked,
    /// not only framed), and leaves no output.
    func testADamagedValueFailsTheCopy() throws {
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))
        let input = scratch.appendingPathComponent("damaged.rdb").path
        let writer = try RDBWriter(path: input, target: target)
        try writer.write(KeyRecord(db: 0, key: Array("h".utf8), value: .hash([HashField(field: Array("field".utf8), value: Array("value".utf8))])))
        _ = try writer.finish()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: input)))
        // The listpack's element count is its bytes 4-5; the end of the value, its last byte (0xFF).
        let listpackEnd = bytes.count - 8 - 2
        XCTAssertEqual(bytes[listpackEnd], 0xFF)
        bytes[listpackEnd] = 0x00
        // A stored checksum of 0 means none: the listpack's own check must find the damage.
        for i in (bytes.count - 8)..<bytes.count { bytes[i] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let output = scratch.appendingPathComponent("out.rdb").path
        XCTAssertThrowsError(try Convert.rdbToRDB(inputPath: input, outputPath: output, target: target, lossy: false))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }
}
