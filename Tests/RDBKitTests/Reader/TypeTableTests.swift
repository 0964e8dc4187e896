import XCTest
@testable import RDBKit

/// Every type byte 0–242 of both families, in the headers that matter, through read, filtered
/// skip and validate: a known type parses a minimal value of its own layout, a refused or unknown
/// one fails with its named error at the type byte. What each file may hold is stated here from
/// rdb.h (../shared/docs/rdb-aof-format.md §3), independently of `RDBValueType`'s rows.
final class TypeTableTests: XCTestCase {
    /// Before listpacks, RDB 11 (Redis 7.2 / Valkey 8), the field-TTL types (12), 8.6, 8.8, Valkey 9.
    private let headers: [(RDBFamily, Int)] = [(.redis, 9), (.redis, 11), (.redis, 12), (.redis, 13), (.redis, 14), (.valkey, 80)]

    private enum Expected: Equatable {
        case known
        /// Named: a type or opcode whose layout no release confirms.
        case refused(String)
        case unknown
    }

    private func oracle(_ byte: UInt8, _ family: RDBFamily, _ version: Int) -> Expected {
        switch (family, byte) {
        case (_, 0...7), (_, 9...21), (.valkey, 22): return .known
        case (.redis, 22...25): return version >= 12 ? .known : .unknown
        case (.redis, 26): return version >= 13 ? .known : .unknown
        case (.redis, 27...28): return version >= 14 ? .known : .unknown
        case (.redis, 29...32), (.redis, 34...35): return .refused("(type \(byte)) is not supported")
        case (.redis, 241...242): return .refused("(opcode \(byte)) is not supported")
        default: return .unknown
        }
    }

    func testEveryTypeByteReadsSkipsAndValidatesAsRDBHSays() throws {
        for (family, version) in headers {
            for byte in UInt8(0)...242 {
                let expected = oracle(byte, family, version)
                let file = "\(family) \(version), type \(byte)"
                guard expected == .known else {
                    try expectFailure(family, version, byte, expected, file)
                    continue
                }
                guard let type = RDBValueType(byte: byte, family: family) else {
                    XCTFail("\(file): missing from RDBValueType")
                    continue
                }
                XCTAssertEqual(type.byte, byte, file)
                try expectValue(type, family, version, file)
            }
        }
    }

    /// The opcodes are never types.
    func testOpcodesAreNoTypes() {
        for byte in UInt8(243)...255 {
            XCTAssertNil(RDBValueType(byte: byte, family: .redis))
            XCTAssertNil(RDBValueType(byte: byte, family: .valkey))
        }
    }

    /// One row per byte and family, names unique in a family, a stream layout exactly for streams.
    func testTableRowsAreConsistent() {
        for family in [RDBFamily.redis, .valkey] {
            let types = RDBValueType.allCases.filter { $0.isReadable(family: family, version: .max) }
            XCTAssertEqual(Set(types.map(\.byte)).count, types.count, "\(family): two types share a byte")
            XCTAssertEqual(Set(types.map(\.name)).count, types.count, "\(family): two types share a name")
        }
        for type in RDBValueType.allCases {
            XCTAssertEqual(type.streamLayout != nil, type.redisType == .stream, "\(type)")
            XCTAssertNil(RDBRefusedType(byte: type.byte), "\(type) is refused too")
            let info = KeyInfo(db: 0, rdbType: type, expireAtMs: nil, idleSeconds: nil, lfuFrequency: nil, offset: 0)
            XCTAssertEqual(info.type, type.redisType, "a key's stored type is the table's")
        }
        let revisions = RDBValueType.allCases.compactMap(\.streamLayout?.revision)
        XCTAssertEqual(revisions.sorted(), [1, 2, 3, 4, 5])
    }

    /// The writer's stream type for each target: the newest its version has.
    func testWritersStreamTypeFollowsTheTable() {
        let cases: [(String, RDBValueType)] = [("redis-6.2", .RDB_TYPE_STREAM_LISTPACKS), ("redis-7.0", .RDB_TYPE_STREAM_LISTPACKS_2),
                                               ("redis-7.2", .RDB_TYPE_STREAM_LISTPACKS_3), ("redis-8.2", .RDB_TYPE_STREAM_LISTPACKS_3),
                                               ("redis-8.6", .RDB_TYPE_STREAM_LISTPACKS_4), ("redis-8.8", .RDB_TYPE_STREAM_LISTPACKS_5),
                                               ("valkey-9", .RDB_TYPE_STREAM_LISTPACKS_3)]
        for (name, type) in cases {
            XCTAssertEqual(RDBTarget.named(name)?.streamType, type, name)
        }
    }

    // MARK: the three paths

    private func file(_ family: RDBFamily, _ version: Int, _ byte: UInt8, _ value: [UInt8]) -> [UInt8] {
        Array(family.magic(version: version).utf8) + [byte] + short("k") + value
            + [RDBOpcode.RDB_OPCODE_EOF] + [UInt8](repeating: 0, count: 8)
    }

    private func source(_ bytes: [UInt8]) throws -> ByteSource {
        PrefixedSource(prefix: bytes, rest: try FileSource(path: "/dev/null"))
    }

    /// Excludes every key, so each value goes through the skipper.
    private func excludingFilter() -> KeyFilter {
        var filter = KeyFilter(nowMs: 0)
        filter.keyPatterns = [GlobPattern(Array("not-k".utf8))]
        return filter
    }

    private func expectValue(_ type: RDBValueType, _ family: RDBFamily, _ version: Int, _ name: String) throws {
        let (value, expected) = minimalValue(type)
        let bytes = file(family, version, type.byte, value)
        var records: [KeyRecord] = []
        let collector = RecordCollector { records.append($0) }
        let skipping = FilteringVisitor(RecordCollector { records.append($0) }, filter: excludingFilter())
        let report = Validator.validate(source: try source(bytes), path: name)
        guard let expected else {
            // RDB_TYPE_MODULE_PRE_GA: known, and refused as Redis refuses it, inside the key.
            let message = "pre-release module format"
            XCTAssertThrowsError(try RDBReader.read(source: source(bytes), visitor: collector)) { assertError($0, message, key: true, name) }
            XCTAssertThrowsError(try RDBReader.read(source: source(bytes), visitor: skipping)) { assertError($0, message, key: true, name) }
            XCTAssertTrue(report.error?.description.contains(message) ?? false, "\(name): \(String(describing: report.error))")
            return
        }
        XCTAssertNoThrow(try RDBReader.read(source: source(bytes), visitor: collector), name)
        XCTAssertEqual(records.count, 1, name)
        if let record = records.first {
            XCTAssertEqual(record.rdbType, type, name)
            if case .stream(let stream) = record.value, case .stream(let want) = expected {
                XCTAssertEqual(stream.idmp != nil, want.idmp != nil, name)
                XCTAssertEqual(stream.metadata.length, 0, name)
            } else {
                XCTAssertEqual(record.value, expected, name)
            }
        }
        records = []
        XCTAssertNoThrow(try RDBReader.read(source: source(bytes), visitor: skipping), name)
        XCTAssertEqual(records.count, 0, name)
        XCTAssertEqual(skipping.keysSkipped, 1, name)
        XCTAssertNil(report.error, name)
        XCTAssertEqual(report.keys, 1, name)
        XCTAssertEqual(report.keysByType[expected.type], 1, name)
    }

    private func expectFailure(_ family: RDBFamily, _ version: Int, _ byte: UInt8, _ expected: Expected, _ name: String) throws {
        let message: String
        switch expected {
        case .refused(let text): message = text
        case .unknown: message = "unknown value type \(byte) in \(family == .valkey ? "a Valkey" : "an RDB") version \(version) file"
        case .known: return
        }
        let bytes = file(family, version, byte, short("v"))
        XCTAssertThrowsError(try RDBReader.read(source: source(bytes), visitor: RecordCollector { _ in })) { assertError($0, message, key: false, name) }
        let skipping = FilteringVisitor(RecordCollector { _ in }, filter: excludingFilter())
        XCTAssertThrowsError(try RDBReader.read(source: source(bytes), visitor: skipping)) { assertError($0, message, key: false, name) }
        let report = Validator.validate(source: try source(bytes), path: name)
        if let error = report.error { assertError(error, message, key: false, name) } else { XCTFail("\(name): validated") }
    }

    /// The named error at the type byte (offset 9), or inside the key `k` for a type Redis refuses.
    private func assertError(_ error: Error, _ message: String, key: Bool, _ name: String) {
        guard let error = error as? RDBError else { return XCTFail("\(name): \(error)") }
        XCTAssertTrue(error.description.contains(message), "\(name): \(error.description)")
        if key {
            XCTAssertEqual(error.key, Array("k".utf8), name)
        } else {
            XCTAssertEqual(error.offset, 9, name)
        }
    }

    // MARK: minimal values, one per type (no default: a new type needs one here)

    private func short(_ s: String) -> [UInt8] { [UInt8(s.utf8.count)] + Array(s.utf8) }
    private func le64(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    private func blob(_ b: [UInt8]) -> [UInt8] { [UInt8(b.count)] + b }

    private func listpack(_ items: [String]) -> [UInt8] {
        var builder = ListpackBuilder()
        for item in items { builder.append(Array(item.utf8)) }
        return blob(builder.finished())
    }

    private func ziplist(_ items: [String]) -> [UInt8] {
        var builder = ZiplistBuilder()
        for item in items { builder.append(Array(item.utf8)) }
        return blob(builder.finished())
    }

    /// No entries and no groups; the counters of v2+, the IDMP trailer (defaults) of v4+, the
    /// groups' NACK zones of v5 have no bytes when there are no groups.
    private func emptyStream(_ layout: StreamLayout) -> ([UInt8], RedisValue) {
        var bytes: [UInt8] = [0, 0, 0, 0]
        if layout.hasCounters { bytes += [0, 0, 0, 0, 0] }
        bytes += [0]
        var value = StreamValue()
        if layout.hasIdmp {
            bytes += [0x40, UInt8(StreamIdmp.defaultDuration), 0x40, UInt8(StreamIdmp.defaultMaxSize), 0, 0, 0]
            value.idmp = StreamIdmp()
        }
        return (bytes, .stream(value))
    }

    private func minimalValue(_ type: RDBValueType) -> ([UInt8], RedisValue?) {
        let a = [Array("a".utf8)]
        let member = [SortedSetMember(member: Array("m".utf8), score: 1.5)]
        let field = [HashField(field: Array("f".utf8), value: Array("v".utf8), expireAtMs: nil)]
        switch type {
        case .RDB_TYPE_STRING: return (short("v"), .string(Array("v".utf8)))
        case .RDB_TYPE_LIST: return ([1] + short("a"), .list(a))
        case .RDB_TYPE_LIST_ZIPLIST: return (ziplist(["a"]), .list(a))
        case .RDB_TYPE_LIST_QUICKLIST: return ([1] + ziplist(["a"]), .list(a))
        case .RDB_TYPE_LIST_QUICKLIST_2: return ([1, 2] + listpack(["a"]), .list(a))
        case .RDB_TYPE_SET: return ([1] + short("a"), .set(a))
        case .RDB_TYPE_SET_INTSET: return (blob(IntsetBuilder.build([5])), .set([Array("5".utf8)]))
        case .RDB_TYPE_SET_LISTPACK: return (listpack(["a"]), .set(a))
        case .RDB_TYPE_ZSET: return ([1] + short("m") + short("1.5"), .sortedSet(member))
        case .RDB_TYPE_ZSET_2: return ([1] + short("m") + le64(Int64(bitPattern: (1.5).bitPattern)), .sortedSet(member))
        case .RDB_TYPE_ZSET_ZIPLIST: return (ziplist(["m", "1.5"]), .sortedSet(member))
        case .RDB_TYPE_ZSET_LISTPACK: return (listpack(["m", "1.5"]), .sortedSet(member))
        case .RDB_TYPE_HASH: return ([1] + short("f") + short("v"), .hash(field))
        case .RDB_TYPE_HASH_ZIPMAP: return (blob([1, 1, UInt8(ascii: "f"), 1, 0, UInt8(ascii: "v"), 0xFF]), .hash(field))
        case .RDB_TYPE_HASH_ZIPLIST: return (ziplist(["f", "v"]), .hash(field))
        case .RDB_TYPE_HASH_LISTPACK: return (listpack(["f", "v"]), .hash(field))
        case .RDB_TYPE_HASH_METADATA_PRE_GA: return ([1, 0] + short("f") + short("v"), .hash(field))
        case .RDB_TYPE_HASH_METADATA: return (le64(0) + [1, 0] + short("f") + short("v"), .hash(field))
        case .RDB_TYPE_HASH_LISTPACK_EX_PRE_GA: return (listpack(["f", "v", "0"]), .hash(field))
        case .RDB_TYPE_HASH_LISTPACK_EX: return (le64(0) + listpack(["f", "v", "0"]), .hash(field))
        case .VALKEY_RDB_TYPE_HASH_2: return ([1] + short("f") + short("v") + le64(-1), .hash(field))
        case .RDB_TYPE_STREAM_LISTPACKS, .RDB_TYPE_STREAM_LISTPACKS_2, .RDB_TYPE_STREAM_LISTPACKS_3,
             .RDB_TYPE_STREAM_LISTPACKS_4, .RDB_TYPE_STREAM_LISTPACKS_5:
            return emptyStream(type.streamLayout!)
        case .RDB_TYPE_ARRAY:
            // count 1, no insert index, element 0 tagged AR_RDB_TAG_INT.
            return ([1, 0, 0, UInt8(ArrayEncoding.AR_RDB_TAG_INT)] + le64(7),
                    .array(ArrayValue(elements: [ArrayValue.Element(index: 0, value: .int(7))])))
        case .RDB_TYPE_MODULE_2:
            // Module type id 1, one RDB_MODULE_OPCODE_UINT 5, RDB_MODULE_OPCODE_EOF.
            return ([1, 2, 5, 0], .module(ModuleValue(typeID: ModuleTypeID(raw: 1), payload: [2, 5, 0])))
        case .RDB_TYPE_MODULE_PRE_GA: return ([1, 0], nil)
        }
    }
}
