import Foundation
import XCTest
@testable import RDBKit

/// Structures no server here writes (Redis 8.6+ key metadata, Valkey slot import), built byte by
/// byte from the layouts in Redis's keymeta.c and Valkey's rdb.c.
final class NewerFormatTests: XCTestCase {
    private func records(_ bytes: [UInt8]) throws -> (RecordCollector, [KeyRecord]) {
        var records: [KeyRecord] = []
        let collector = RecordCollector { records.append($0) }
        try RDBReader.read(source: PrefixedSource(prefix: bytes, rest: try FileSource(path: "/dev/null")), visitor: collector)
        return (collector, records)
    }

    /// keyMetaClassEncode: 24 bits of name, 5 of version, 3 of flags.
    private func classSpec(_ name: String, version: UInt32, flags: UInt32) -> UInt32 {
        let charset = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)
        var bits: UInt32 = 0
        for c in name.utf8 { bits = bits << 6 | UInt32(charset.firstIndex(of: c)!) }
        return ((bits << 5) | version) << 3 | flags
    }

    func testKeyMetadataIsAttachedToTheNextKey() throws {
        var bytes = Array("REDIS0013".utf8)
        bytes += [RDBOpcode.RDB_OPCODE_KEY_META, 1]
        withUnsafeBytes(of: classSpec("KMT1", version: 3, flags: 1).littleEndian) { bytes += $0 }
        bytes += [2, 5, 0]  // RDB_MODULE_OPCODE_UINT 5, RDB_MODULE_OPCODE_EOF
        bytes += [RDBValueType.RDB_TYPE_STRING.byte, 1, UInt8(ascii: "k"), 1, UInt8(ascii: "v")]
        bytes += [RDBValueType.RDB_TYPE_STRING.byte, 1, UInt8(ascii: "j"), 1, UInt8(ascii: "w")]
        bytes += [RDBOpcode.RDB_OPCODE_EOF] + [UInt8](repeating: 0, count: 8)
        let (_, keys) = try records(bytes)
        XCTAssertEqual(keys.count, 2)
        XCTAssertEqual(keys[0].metadata, [KeyMetadata(classSpec: classSpec("KMT1", version: 3, flags: 1), payload: [2, 5, 0])])
        XCTAssertEqual(keys[0].metadata.first?.className, "KMT1")
        XCTAssertEqual(keys[0].metadata.first?.version, 3)
        XCTAssertEqual(keys[0].metadata.first?.flags, 1)
        XCTAssertEqual(keys[1].metadata, [], "metadata belongs to one key only")
    }

    func testValkeySlotImportIsReadAndRedisMeaningIsNotConfused() throws {
        var bytes = Array("VALKEY080".utf8)
        bytes += [RDBOpcode.VALKEY_RDB_OPCODE_SLOT_IMPORT, 3] + Array("job".utf8) + [2, 0, 10, 20, 0x40, 0x64]
        bytes += [RDBOpcode.RDB_OPCODE_EOF] + [UInt8](repeating: 0, count: 8)
        let (collector, keys) = try records(bytes)
        XCTAssertEqual(keys.count, 0)
        XCTAssertEqual(collector.slotImports.count, 1)
        XCTAssertEqual(collector.slotImports.first?.jobName, Array("job".utf8))
        XCTAssertEqual(collector.slotImports.first?.slotRanges.map { [$0.from, $0.to] }, [[0, 10], [20, 100]])
    }

    /// RDB 15's hash templates and the fork-only set TTLs and NOEVICT opcode are refused by
    /// name, even with --accept-newer; so is RDB 15 itself, and Valkey's RDB 81 by number.
    func testUnconfirmedNewerLayoutsAreRefusedByName() throws {
        var newer = ReaderOptions()
        newer.acceptNewerVersions = true
        let cases: [(UInt8, String)] = [(29, "RDB_TYPE_HASH_TMPL_LP"), (30, "RDB_TYPE_HASH_TMPL_LP_REF"), (31, "RDB_TYPE_HASH_TMPL_ARRAY"),
                                        (32, "RDB_TYPE_HASH_TMPL_ARRAY_REF"), (34, "RDB_TYPE_SET_LISTPACK_EX"), (35, "RDB_TYPE_SET_METADATA"),
                                        (241, "RDB_OPCODE_KEY_NOEVICT"), (242, "RDB_OPCODE_HASH_TEMPLATE")]
        for (byte, name) in cases {
            let bytes = Array("REDIS0015".utf8) + [byte, 1, UInt8(ascii: "k"), 0]
            XCTAssertThrowsError(try RDBReader.read(source: PrefixedSource(prefix: bytes, rest: try FileSource(path: "/dev/null")),
                                                    visitor: RecordCollector { _ in }, options: newer)) { error in
                XCTAssertTrue("\(error)".contains(name), "\(error)")
                XCTAssertEqual((error as? RDBError)?.offset, 9)
            }
        }
        XCTAssertThrowsError(try records(Array("REDIS0015".utf8) + [255])) { error in
            XCTAssertTrue("\(error)".contains("RDB version 15 (Redis 8.10"), "\(error)")
            XCTAssertTrue("\(error)".contains("--accept-newer"), "\(error)")
        }
        XCTAssertThrowsError(try records(Array("VALKEY081".utf8) + [255])) { error in
            XCTAssertTrue("\(error)".contains("Valkey RDB version 81"), "\(error)")
            XCTAssertTrue("\(error)".contains("--accept-newer"), "\(error)")
        }
    }
}
