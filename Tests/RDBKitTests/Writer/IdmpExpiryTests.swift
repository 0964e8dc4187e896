import Foundation
import XCTest
@testable import RDBKit

/// rdbLoadStreamIdmpEntries drops an iid whose entry id is not younger than the duration, and a
/// producer left without iids; a server saves what it holds. The writer writes that.
final class IdmpExpiryTests: XCTestCase {
    private func stream(now: Int64) -> KeyRecord {
        func entry(_ iid: String, agoMs: Int64) -> StreamIdmp.Entry {
            StreamIdmp.Entry(iid: Array(iid.utf8), id: StreamID(ms: UInt64(now - agoMs), seq: 0))
        }
        let idmp = StreamIdmp(duration: 100, maxSize: 100, producers: [
            StreamIdmp.Producer(pid: Array("gone".utf8), entries: [entry("g1", agoMs: 300_000), entry("g2", agoMs: 100_000)]),
            StreamIdmp.Producer(pid: Array("kept".utf8), entries: [entry("k1", agoMs: 150_000), entry("k2", agoMs: 99_999), entry("k3", agoMs: 10)]),
        ], iidsAdded: 5, iidsDuplicates: 2)
        let ids = idmp.producers.flatMap(\.entries).map(\.id).sorted()
        let entries = ids.map { StreamValue.Entry(id: $0, fields: [(Array("f".utf8), Array("v".utf8))]) }
        return KeyRecord(db: 0, key: Array("s".utf8), value: .stream(StreamValue(
            entries: entries, metadata: StreamMetadata(length: UInt64(entries.count), lastID: ids.last!, firstID: ids.first!,
                                                       maxDeletedID: .zero, entriesAdded: UInt64(entries.count)),
            idmp: idmp)))
    }

    private func written(_ record: KeyRecord, clockMs: Int64, target: String) throws -> StreamIdmp? {
        let writer = try RDBWriter(path: nil, target: try XCTUnwrap(RDBTarget.named(target)))
        writer.clockMs = clockMs
        try writer.write(record)
        try writer.finish()
        let back = try RDBReader.records(path: try scratchFile(writer.bytes, name: "s.rdb"))
        guard case .stream(let s)? = back.first?.value else { return nil }
        return s.idmp
    }

    func testExpiredIidsAreLeftOutAsTheServerDropsThem() throws {
        let now: Int64 = 1_796_000_000_000
        for target in ["redis-8.6", "redis-8.8"] {
            let idmp = try XCTUnwrap(try written(stream(now: now), clockMs: now, target: target))
            XCTAssertEqual(idmp.producers.map { String(decoding: $0.pid, as: UTF8.self) }, ["kept"], target)
            XCTAssertEqual(idmp.producers.first?.entries.map { String(decoding: $0.iid, as: UTF8.self) }, ["k2", "k3"], target)
            // The counters are the stream's history, which a load keeps.
            XCTAssertEqual(idmp.iidsAdded, 5)
            XCTAssertEqual(idmp.iidsDuplicates, 2)
        }
        // Written before any of them expired: everything is kept.
        let early = try XCTUnwrap(try written(stream(now: now), clockMs: now - 300_000, target: "redis-8.8"))
        XCTAssertEqual(early.producers.flatMap(\.entries).count, 5)
        XCTAssertEqual(stream(now: now).value, { () -> RedisValue in
            guard case .stream(var s) = stream(now: now).value else { return .string([]) }
            s.idmp = s.idmp?.live(at: 0)
            return .stream(s)
        }(), "a clock before the duration expires nothing")
    }
}
