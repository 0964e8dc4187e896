import Foundation
import XCTest
@testable import RDBKit

/// Redis 8.6/8.8 loader checks (rdb.c rdbLoadObject) are damage for `validate`: each names the
/// offset of the offending field and the key.
final class NewTypeDamageTests: XCTestCase {
    private func damage(_ bytes: [UInt8]) throws -> RDBError {
        let report = Validator.validate(path: try scratchFile(bytes, name: "d.rdb"))
        return try XCTUnwrap(report.error, "accepted")
    }

    /// "REDIS0014", an array key "k" with `body`, EOF, no checksum.
    private func array(_ body: [UInt8]) -> [UInt8] {
        Array("REDIS0014".utf8) + [RDBValueType.RDB_TYPE_ARRAY.byte, 1, UInt8(ascii: "k")] + body + [RDBOpcode.RDB_OPCODE_EOF] + [UInt8](repeating: 0, count: 8)
    }

    func testArrayLoaderChecks() throws {
        let valueAt: Int64 = 12
        let cases: [([UInt8], String, Int64)] = [
            ([0, 0], "empty array", valueAt),
            ([1, 2], "insert_idx_flag 2", valueAt + 1),
            ([1, 0, 0xC0, 1, 0], "invalid array index", valueAt + 2),
            ([1, 0, 0x81] + [UInt8](repeating: 0xFF, count: 8) + [1] + [UInt8](repeating: 0, count: 8), "invalid array index 18446744073709551615", valueAt + 2),
            ([1, 0, 0, 3, 8] + Array("abcdefgh".utf8), "small string of 8 bytes", valueAt + 4),
            ([1, 0, 0, 4, 0], "type_tag 4", valueAt + 3),
        ]
        for (body, message, offset) in cases {
            let error = try damage(array(body))
            XCTAssertTrue(error.reason.contains(message), "\(message): \(error)")
            XCTAssertEqual(error.offset, offset, message)
            XCTAssertEqual(error.key, Array("k".utf8), message)
        }
        // The same bytes well formed: read, with the index the next ARINSERT uses.
        var records: [KeyRecord] = []
        try RDBReader.read(path: try scratchFile(array([2, 1, 5, 3, 3, 2, UInt8(ascii: "h"), UInt8(ascii: "i"), 0x41, 0x00, 2] + withUnsafeBytes(of: 2.5.bitPattern.littleEndian) { Array($0) }), name: "ok.rdb"),
                           visitor: RecordCollector { records.append($0) })
        XCTAssertEqual(records.first?.value, .array(ArrayValue(insertIndex: 5, elements: [
            .init(index: 3, value: .smallString(Array("hi".utf8))), .init(index: 256, value: .double(2.5))])))
    }

    private func stream(groups: [StreamGroup], idmp: StreamIdmp = StreamIdmp(), length: UInt64? = nil) -> KeyRecord {
        let entries = (1...3).map { StreamValue.Entry(id: StreamID(ms: 10, seq: UInt64($0)), fields: [(Array("f".utf8), Array("v".utf8))]) }
        let metadata = StreamMetadata(length: length ?? 3, lastID: StreamID(ms: 10, seq: 3), firstID: entries[0].id, maxDeletedID: .zero, entriesAdded: 3)
        return KeyRecord(db: 0, key: Array("s".utf8), value: .stream(StreamValue(entries: entries, metadata: metadata, groups: groups, idmp: idmp)))
    }

    private func group(nacked: [StreamID], ownerOfFirst: Bool = false) -> StreamGroup {
        let ids = (1...3).map { StreamID(ms: 10, seq: UInt64($0)) }
        let owner = Array("c".utf8)
        let pending = ids.enumerated().map { i, id in
            StreamPendingEntry(id: id, consumer: i == 0 && !ownerOfFirst ? nil : owner, deliveryTimeMs: 0, deliveryCount: 1)
        }
        let owned = pending.filter { $0.consumer != nil }.map(\.id)
        return StreamGroup(name: Array("g".utf8), lastDeliveredID: ids[2], entriesRead: 3, pending: pending,
                           consumers: [StreamConsumer(name: owner, seenTimeMs: 0, activeTimeMs: 0, pending: owned)], nacked: nacked)
    }

    func testStreamLoaderChecks() throws {
        let first = StreamID(ms: 10, seq: 1)
        let good = try rdbBytes([stream(groups: [group(nacked: [first])])], target: "redis-8.8")
        XCTAssertTrue(Validator.validate(path: try scratchFile(good, name: "good.rdb")).isValid)
        let cases: [(KeyRecord, String)] = [
            (stream(groups: [group(nacked: [StreamID(ms: 99, seq: 0)])]), "not found in group global PEL"),
            (stream(groups: [group(nacked: [first], ownerOfFirst: true)]), "has a consumer assigned"),
            (stream(groups: [group(nacked: [])]), "without consumer outside NACK zone"),
            (stream(groups: [], idmp: StreamIdmp(duration: 0)), "IDMP duration 0 out of range"),
            (stream(groups: [], idmp: StreamIdmp(duration: 86401)), "IDMP duration 86401 out of range"),
            (stream(groups: [], idmp: StreamIdmp(maxSize: 10001)), "IDMP max entries 10001 out of range"),
            (stream(groups: [], length: 4), "stream length 4 does not match the 3 live entries"),
        ]
        for (record, message) in cases {
            let error = try damage(try rdbBytes([record], target: "redis-8.8"))
            XCTAssertTrue(error.reason.contains(message), "\(message): \(error)")
            XCTAssertEqual(error.key, Array("s".utf8), message)
            XCTAssertGreaterThan(error.offset, 9, message)
        }
    }

    /// A 10-million-element array is delivered as it arrives: its first element reaches the
    /// visitor before more than one input window has been served, and the window never grows.
    func testTenMillionElementArrayStreams() throws {
        final class FirstElement: RDBVisitor {
            let source: GeneratedArray
            var servedAtFirst: Int64?
            var count = 0
            init(_ source: GeneratedArray) { self.source = source }
            func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {
                if servedAtFirst == nil { servedAtFirst = source.served }
                count += 1
            }
        }
        let source = GeneratedArray(count: 10_000_000)
        let visitor = FirstElement(source)
        try RDBReader.read(source: source, visitor: visitor)
        XCTAssertEqual(visitor.count, 10_000_000)
        XCTAssertLessThanOrEqual(try XCTUnwrap(visitor.servedAtFirst), Int64(InputWindow.chunkSize))
        XCTAssertLessThanOrEqual(source.largestRequest, InputWindow.chunkSize)
    }
}

/// An RDB 14 file holding one array of `count` integer elements, made as it is read.
final class GeneratedArray: ByteSource {
    private var pending: [UInt8]
    private var next: UInt64 = 0
    private let count: UInt64
    private var ended = false
    private(set) var served: Int64 = 0
    private(set) var largestRequest = 0
    var knownSize: Int64? { nil }

    init(count: UInt64) {
        self.count = count
        pending = Array("REDIS0014".utf8) + [RDBValueType.RDB_TYPE_ARRAY.byte, 1, UInt8(ascii: "a"), 0x80] + withUnsafeBytes(of: UInt32(count).bigEndian) { Array($0) } + [0]
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int {
        largestRequest = max(largestRequest, buffer.count)
        while pending.count < buffer.count && !ended {
            if next == count {
                pending += [RDBOpcode.RDB_OPCODE_EOF] + [UInt8](repeating: 0, count: 8)
                ended = true
                break
            }
            pending.append(0x80)
            withUnsafeBytes(of: UInt32(next).bigEndian) { pending.append(contentsOf: $0) }
            pending.append(UInt8(ArrayEncoding.AR_RDB_TAG_INT))
            withUnsafeBytes(of: Int64(next).littleEndian) { pending.append(contentsOf: $0) }
            next += 1
        }
        let n = min(buffer.count, pending.count)
        pending.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        pending.removeFirst(n)
        served += Int64(n)
        return n
    }
}
