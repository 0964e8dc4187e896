import Foundation
import XCTest
@testable import RDBKit

/// The Redis 8.6 (RDB 13) and 8.8 (RDB 14) dumps: what only the writing server knew
/// (`types.meta.jsonl`: IDMP counters, key metadata), and every verb on the new types.
final class Redis88FixtureTests: XCTestCase {
    private let versions = ["redis-8.6", "redis-8.8"]

    private func dump(_ folder: String) throws -> String {
        let path = FixturePaths.fixtures.appendingPathComponent("\(folder)/types.rdb").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("no \(folder) fixture") }
        return path
    }

    private func meta(_ folder: String) throws -> [String: [String: Any]] {
        let url = FixturePaths.fixtures.appendingPathComponent("\(folder)/types.meta.jsonl")
        var byKey: [String: [String: Any]] = [:]
        for line in try parseJSONLines(try Data(contentsOf: url)) {
            if let key = line["key"] as? String, let db = line["db"] as? Int { byKey["\(db)/\(key)"] = line }
        }
        return byKey
    }

    /// The server's `pids-tracked` / `iids-tracked` are the producers and iids the file holds.
    func testIdmpStateMatchesTheServer() throws {
        for folder in versions {
            let facts = try meta(folder)
            var streams = 0
            for record in try RDBReader.records(path: try dump(folder)) {
                guard case .stream(let stream) = record.value else { continue }
                let name = "\(record.db)/\(String(decoding: record.key, as: UTF8.self))"
                let server = try XCTUnwrap(facts[name]?["idmp"] as? [String: Int], "\(folder) \(name)")
                let idmp = try XCTUnwrap(stream.idmp, "\(folder) \(name): a v4/v5 stream has an IDMP trailer")
                XCTAssertEqual(Int(idmp.duration), server["idmp-duration"], name)
                XCTAssertEqual(Int(idmp.maxSize), server["idmp-maxsize"], name)
                XCTAssertEqual(Int(idmp.iidsAdded), server["iids-added"], name)
                XCTAssertEqual(Int(idmp.iidsDuplicates), server["iids-duplicates"], name)
                XCTAssertEqual(idmp.producers.count, server["pids-tracked"], name)
                XCTAssertEqual(idmp.producers.map(\.entries.count).reduce(0, +), server["iids-tracked"], name)
                XCTAssertEqual(record.rdbType, folder == "redis-8.6" ? .RDB_TYPE_STREAM_LISTPACKS_4 : .RDB_TYPE_STREAM_LISTPACKS_5)
                streams += 1
            }
            XCTAssertEqual(streams, 3, folder)
        }
    }

    /// Key metadata: the classes the writing server attached, each payload led by the string
    /// its class saved (RDB_MODULE_OPCODE_STRING), and nothing on the other keys.
    func testKeyMetadataMatchesTheServer() throws {
        for folder in versions {
            let facts = try meta(folder)
            var withMetadata = 0
            for record in try RDBReader.records(path: try dump(folder)) {
                let name = "\(record.db)/\(String(decoding: record.key, as: UTF8.self))"
                let expected = facts[name]?["keymeta"] as? [String: String] ?? [:]
                XCTAssertEqual(record.metadata.map(\.className).sorted(), expected.keys.sorted(), "\(folder) \(name)")
                for m in record.metadata {
                    XCTAssertEqual(m.flags & 1, 1, "ALLOW_IGNORE")
                    XCTAssertEqual(m.version, m.className == "KMT1" ? 1 : 3)
                    XCTAssertEqual(m.payload.first, UInt8(RDBModuleOpcode.RDB_MODULE_OPCODE_STRING))
                    let length = Int(m.payload[1])
                    XCTAssertEqual(String(decoding: m.payload[2..<(2 + length)], as: UTF8.self), expected[m.className], "\(folder) \(name)")
                    XCTAssertEqual(m.payload.last, 0, "ends with RDB_MODULE_OPCODE_EOF")
                }
                if !record.metadata.isEmpty { withMetadata += 1 }
            }
            XCTAssertEqual(withMetadata, 4, folder)
        }
    }

    /// A filter that rejects every key skips each new type by its lengths and still reaches the
    /// checksum; one that accepts only arrays reads them all.
    func testFilteredReadsSkipEveryNewType() throws {
        for folder in versions {
            final class Counter: RDBVisitor {
                var keys = 0, elements = 0
                func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction { keys += 1; return .read }
                func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) { elements += 1 }
            }
            var none = KeyFilter(nowMs: 0)
            none.keyPatterns = [GlobPattern(Array("no-such-key".utf8))]
            let skipped = Counter()
            let trailer = try RDBReader.read(path: try dump(folder), visitor: skipped, filter: none)
            XCTAssertEqual(skipped.keys, 0)
            guard case .verified = trailer.checksum else { return XCTFail("\(folder): \(trailer.checksum)") }
            var arrays = KeyFilter(nowMs: 0)
            arrays.types = [.array]
            let read = Counter()
            try RDBReader.read(path: try dump(folder), visitor: read, filter: arrays)
            XCTAssertEqual(read.keys, folder == "redis-8.8" ? 5 : 0, folder)
            if folder == "redis-8.8" { XCTAssertGreaterThan(read.elements, 9000) }
        }
    }

    /// inspect counts arrays as their own type and estimates their memory; diff sees a changed element.
    func testInspectMemoryAndDiffKnowTheNewTypes() throws {
        let path = try dump("redis-8.8")
        let inspection = try Inspector.inspect(path: path, nowMs: 0, top: 5, separator: Array(":".utf8))
        XCTAssertEqual(inspection.types[.array]?.keys, 5)
        var stats: [String: KeyStats] = [:]
        try RDBReader.read(path: path, visitor: KeyStatsCollector { stats[String(decoding: $0.key, as: UTF8.self)] = $0 })
        let big = try XCTUnwrap(stats["array:big"])
        XCTAssertEqual(big.encoding, "sliced-array")
        XCTAssertEqual(big.elements, 9000)
        // 9000 dense elements: at least a word each, far less than a string object each.
        XCTAssertGreaterThan(big.memory, 9000 * 8)
        XCTAssertLessThan(big.memory, 9000 * 64)

        var records = try RDBReader.records(path: path)
        let original = try rdbBytes(records, target: "redis-8.8")
        let i = try XCTUnwrap(records.firstIndex { $0.key == Array("array:mixed".utf8) })
        guard case .array(var array) = records[i].value else { return XCTFail("array:mixed is not an array") }
        array.elements[1].value = .int(43)
        records[i].value = .array(array)
        let changed = try rdbBytes(records, target: "redis-8.8")
        let a = try scratchFile(original, name: "a.rdb"), b = try scratchFile(changed, name: "b.rdb")
        XCTAssertTrue(try Diff.run(a, a) { _ in }.isEqual)
        XCTAssertFalse(try Diff.run(a, b) { _ in }.isEqual)
    }

    /// DUMP payloads: Redis 8.6 stamps 13, 8.8 stamps 14; key metadata rides before the type byte;
    /// every value of the new types reads back from its payload.
    func testRestorePayloadsOfTheNewTypes() throws {
        for folder in versions {
            let target = try XCTUnwrap(RDBTarget.named(folder))
            let writer = try RDBWriter(path: nil, target: target)
            for record in try RDBReader.records(path: try dump(folder)) {
                let payload = try writer.dumpPayload(for: record)
                XCTAssertEqual(Int(payload[payload.count - 10]), target.version, folder)
                XCTAssertEqual(payload.first == RDBOpcode.RDB_OPCODE_KEY_META, !record.metadata.isEmpty, "\(folder) \(record.key)")
                XCTAssertEqual(try RestorePayload.decode(payload), record.value, "\(folder) \(String(decoding: record.key, as: UTF8.self))")
            }
            XCTAssertTrue(writer.losses.isEmpty, "\(writer.losses)")
        }
    }

    /// Elements as ARGET returns them: integers as decimal, floats by arFormatFloat, strings as is.
    func testArrayElementsReadAsTheServerReturnsThem() throws {
        let records = try RDBReader.records(path: try dump("redis-8.8"))
        let mixed = try XCTUnwrap(records.first { $0.key == Array("array:mixed".utf8) })
        guard case .array(let array) = mixed.value else { return XCTFail("not an array") }
        XCTAssertEqual(array.elements.map { String(decoding: $0.value.text, as: UTF8.self) },
                       ["hello", "42", "-7", "3.5", "0.1", "1e300", "9223372036854775807", "9223372036854775808", "007",
                        "abcdefg", "abcdefgh", "", "\u{0}\u{FFFD}"].enumerated().map { $0.offset == 12 ? String(decoding: [0, 0xFF], as: UTF8.self) : $0.element })
        XCTAssertEqual(array.elements[1].value, .int(42))
        XCTAssertEqual(array.elements[3].value, .double(3.5))
        XCTAssertEqual(DoubleText.d2string(1e300), "1e+300")
        XCTAssertEqual(DoubleText.d2string(0.000001), "0.000001")
        XCTAssertEqual(DoubleText.d2string(1.5e-7), "1.5e-7")
        XCTAssertEqual(DoubleText.arrayElement(2.0), "2.0")
        XCTAssertEqual(Array("1.0".utf8).withUnsafeBytes { ArrayEncoding.encode($0) }, .double(1.0))
        XCTAssertEqual(Array("1e3".utf8).withUnsafeBytes { ArrayEncoding.encode($0) }, .smallString(Array("1e3".utf8)))
    }

    /// A string long enough to arrive in pieces keeps its key metadata (RDB 13+): in an RDB
    /// file written through records, in RESP RESTOREs and in its RESTORE payload, which is the
    /// payload of the same key held whole. The RDB 14 fixture's keys come along.
    func testALongStringKeepsItsKeyMetadata() throws {
        let target = try XCTUnwrap(RDBTarget.named("redis-8.8"))
        let dir = try scratchDirectory("long-meta")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let noise = (0..<(3 << 20)).map { _ -> UInt8 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        // Class "KMT1", version 3, ALLOW_IGNORE; its data an RDB_MODULE_OPCODE_UINT 5, then EOF.
        let metadata = [KeyMetadata(classSpec: 0x28C4_F519, payload: [2, 5, 0])]
        XCTAssertEqual(metadata[0].className, "KMT1")
        let long = KeyRecord(db: 0, key: Array("long:meta".utf8), value: .string(noise), metadata: metadata)
        let dump = dir.appendingPathComponent("long.rdb").path
        let writer = try RDBWriter(path: dump, target: target)
        for record in try RDBReader.records(path: try self.dump("redis-8.8")) { try writer.write(record) }
        try writer.write(long)
        try writer.finish()

        var sized = KeyFilter(nowMs: 0)
        sized.minimumSize = 1
        let converted = dir.appendingPathComponent("converted.rdb").path
        _ = try Convert.rdbToRDB(inputPath: dump, outputPath: converted, target: target, lossy: false, filter: sized)
        XCTAssertEqual(try RDBReader.records(path: converted).first { $0.key == long.key }?.metadata, metadata)

        let whole = try RDBWriter(path: nil, target: target).dumpPayload(for: long)
        // Copied as stored (the dump's own format), and written from its pieces (a size filter builds records).
        for filter in [nil, sized] {
            let payloads = dir.appendingPathComponent("payloads.jsonl").path
            _ = try Convert.restorePayloads(inputPath: dump, outputPath: payloads, target: target, lossy: true, filter: filter)
            let line = try XCTUnwrap(try parseJSONLines(try Data(contentsOf: URL(fileURLWithPath: payloads))).first { $0["key"] as? String == "long:meta" })
            let base64 = try XCTUnwrap((line["payload"] as? [String: Any])?["base64"] as? String)
            XCTAssertTrue(Base64.decode(Array(base64.utf8)) == whole, "the payload in pieces differs from the whole key's")
        }

        for filter in [nil, sized] {
            let resp = dir.appendingPathComponent("restore.resp").path
            _ = try Convert.rdbToRESP(inputPath: dump, outputPath: resp, target: target, lossy: true, filter: filter)
            let stream = try Data(contentsOf: URL(fileURLWithPath: resp))
            XCTAssertNotNil(stream.range(of: Data(whole)), "the RESTORE command carries the whole key's payload")
        }
    }
}

/// A dump of `records` as the writer makes it for `target`, in memory.
func rdbBytes(_ records: [KeyRecord], target: String) throws -> [UInt8] {
    let writer = try RDBWriter(path: nil, target: try XCTUnwrap(RDBTarget.named(target)))
    for r in records { try writer.write(r) }
    try writer.finish()
    return writer.bytes
}

/// `bytes` in a file removed when the test ends.
extension XCTestCase {
    func scratchFile(_ bytes: [UInt8], name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }
}
