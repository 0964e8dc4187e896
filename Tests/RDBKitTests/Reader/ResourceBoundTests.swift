import CZlib
import Foundation
import XCTest
import RDBKit

/// Lengths and counts that lie about how much follows must cost no more than the bytes that
/// actually arrive: an error at once where the claim is impossible, and a window that grows only
/// with real data where it cannot be known yet (a pipe, a gzip). DamagedInputTests covers damage
/// to real dumps and the lying string length of a regular file; these cover streamed input, LZF,
/// gzip, the containers' internal links and the AOF reader.
final class ResourceBoundTests: XCTestCase {
    // MARK: Lying lengths in a stream

    /// The lying string of DamagedInputTests, arriving through a pipe: no file size to check the
    /// claim against, so the reader's own ceiling must refuse it before it reads on.
    func testLyingStringLengthInAStreamFailsAtOnce() throws {
        let head = Array("REDIS0011".utf8) + [0x00, 0x01, UInt8(ascii: "k"), 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0]
        for visitor in Self.visitors {
            let stream = MeteredStream(head: head, zeros: 64 << 20)
            let error = try XCTUnwrap(readError(stream, visitor), visitor.name)
            guard case .lyingLength(let claimed, _) = error.kind else { return XCTFail("\(visitor.name): \(error)") }
            XCTAssertEqual(claimed, 1 << 60, visitor.name)
            XCTAssertEqual(error.offset, 12, visitor.name)
            XCTAssertEqual(error.key, Array("k".utf8), visitor.name)
            XCTAssertTrue(error.description.contains("at offset 12"), error.description)
            XCTAssertLessThanOrEqual(stream.served, Int64(InputWindow.chunkSize), "\(visitor.name) read on past the lie")
        }
    }

    /// A claim under the reader's ceiling (2^40 bytes) cannot be refused from a stream; it must be
    /// believed only as far as bytes arrive, never allocated up front.
    func testPlausibleLengthInAStreamGrowsOnlyWithTheData() throws {
        let head = Array("REDIS0011".utf8) + [0x00, 0x01, UInt8(ascii: "k"), 0x81, 0, 0, 0x01, 0, 0, 0, 0, 0]
        for visitor in Self.visitors {
            let stream = MeteredStream(head: head, zeros: 40 << 20)
            let error = try XCTUnwrap(readError(stream, visitor), visitor.name)
            guard case .truncated = error.kind else { return XCTFail("\(visitor.name): \(error)") }
            XCTAssertEqual(stream.served, Int64(head.count + (40 << 20)), visitor.name)
            XCTAssertLessThan(stream.largestRequest, 2 * Int(stream.served), "\(visitor.name): the window outgrew the data")
        }
    }

    // MARK: LZF

    /// RDB_ENC_LZF with 4 compressed bytes claiming 2^40 expanded ones: refused from the two
    /// lengths alone (LZF expands at most 88 times), for a string and for a compressed container.
    func testLZFClaimingAHugeExpansionIsRefused() throws {
        let lzf: [UInt8] = [0xC3, 0x04, 0x81, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x01, 0x61, 0x62, 0x00]
        let types: [(UInt8, String)] = [(0, "string"), (10, "ziplist list"), (20, "listpack set"), (16, "listpack hash")]
        for (type, name) in types {
            let bytes = Array("REDIS0011".utf8) + [type, 0x01, UInt8(ascii: "k")] + lzf
            for visitor in Self.visitors {
                let error = try XCTUnwrap(readError(MeteredStream(head: bytes, zeros: 0), visitor), "\(name), \(visitor.name)")
                guard case .lyingLength(let claimed, let limit) = error.kind else { return XCTFail("\(name), \(visitor.name): \(error)") }
                XCTAssertEqual(claimed, 1 << 40)
                XCTAssertEqual(limit, 4 * UInt64(LZF.maximumExpansion))
                XCTAssertEqual(error.offset, 14, "\(name), \(visitor.name): the offset of the expanded length")
            }
            let report = Validator.validate(path: try temporaryFile(bytes, name: "lzf-\(type).rdb"))
            guard case .lyingLength? = report.error?.kind else { return XCTFail("\(name): \(report.summaryLine)") }
        }
    }

    func testLZFClaimingAHugeCompressedLengthIsRefused() throws {
        let bytes = Array("REDIS0011".utf8) + [0x00, 0x01, UInt8(ascii: "k"), 0xC3, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x0A]
        for visitor in Self.visitors {
            let error = try XCTUnwrap(readError(MeteredStream(head: bytes, zeros: 0), visitor), visitor.name)
            guard case .lyingLength(let claimed, _) = error.kind else { return XCTFail("\(visitor.name): \(error)") }
            XCTAssertEqual(claimed, 1 << 60)
            XCTAssertEqual(error.offset, 13)
        }
    }

    // MARK: gzip

    /// 200 MiB of zeros after a valid dump, inside the gzip: the dump reads, the zeros are drained
    /// as trailing bytes through a window that never grows.
    func testGzipBombAfterAValidDumpIsDrainedInBoundedMemory() throws {
        let dump = [UInt8](try Data(contentsOf: FixturePaths.fixtures.appendingPathComponent("legacy/rdb_version_5_with_checksum.rdb")))
        let bomb = try gzip(dump) + Array(repeating: try gzip([UInt8](repeating: 0, count: 1 << 20)), count: 200).joined()
        XCTAssertLessThan(bomb.count, 1 << 20, "the bomb is small; what it expands to is not")

        let stream = MeteredStream(try GzipSource(compressed: MeteredStream(head: bomb, zeros: 0)))
        var keys = 0
        let trailer = try RDBReader.read(source: stream, visitor: RecordCollector { _ in keys += 1 })
        XCTAssertEqual(keys, 6)
        guard case .verified = trailer.checksum else { return XCTFail("checksum: \(trailer.checksum)") }
        XCTAssertEqual(trailer.trailingBytes?.count, 200 << 20)
        XCTAssertLessThanOrEqual(stream.largestRequest, InputWindow.chunkSize)

        let report = Validator.validate(path: try temporaryFile(bomb, name: "bomb.rdb.gz"))
        XCTAssertTrue(report.isValid, report.summaryLine)
        XCTAssertEqual(report.trailingBytes?.count, 200 << 20)
        XCTAssertFalse(report.warnings.isEmpty, "trailing bytes are a warning")
    }

    /// A gzip whose only string claims 2^40 bytes and delivers 64 MiB of zeros: it ends as a
    /// truncated input, the window never more than twice what arrived.
    func testGzipOfALyingStringStaysBounded() throws {
        let head = Array("REDIS0011".utf8) + [0x00, 0x01, UInt8(ascii: "k"), 0x81, 0, 0, 0x01, 0, 0, 0, 0, 0]
        let compressed = try gzip(head) + Array(repeating: try gzip([UInt8](repeating: 0, count: 1 << 20)), count: 64).joined()
        for visitor in Self.visitors {
            let stream = MeteredStream(try GzipSource(compressed: MeteredStream(head: compressed, zeros: 0)))
            let error = try XCTUnwrap(readError(stream, visitor), visitor.name)
            guard case .truncated = error.kind else { return XCTFail("\(visitor.name): \(error)") }
            XCTAssertLessThan(stream.largestRequest, 2 * Int(stream.served), "\(visitor.name): the window outgrew the data")
        }
        let report = Validator.validate(path: try temporaryFile(compressed, name: "lying.rdb.gz"))
        guard case .truncated? = report.error?.kind else { return XCTFail(report.summaryLine) }
    }

    // MARK: Containers

    /// Ziplists whose prevlen links cannot be walked back: a tail entry pointing at itself (a
    /// backward walk from the tail would never move), one pointing 4 GiB back, one pointing into
    /// the middle of its predecessor. Refused by the reader alone and inside a dump, at its byte.
    func testZiplistPrevlenThatLoopsOrPointsOutsideIsRefused() throws {
        let cases: [(entries: [[UInt8]], badEntry: Int)] = [
            ([[0x00, 0x01, 0x61], [0x03, 0x02, 0x62, 0x62], [0x00, 0x01, 0x63]], 2),
            ([[0x00, 0x01, 0x61], [0xFE, 0xF0, 0xFF, 0xFF, 0xFF, 0x01, 0x62]], 1),
            ([[0x00, 0x02, 0x61, 0x61], [0x02, 0x01, 0x62]], 1),
        ]
        for (entries, badEntry) in cases {
            let blob = ziplist(entries)
            let badAt = 10 + entries[..<badEntry].reduce(0) { $0 + $1.count }
            let failure = firstFailure(blob) { raw throws(ContainerError) in
                var reader = try ZiplistReader(raw)
                while try reader.next() != nil {}
            }
            let error = try XCTUnwrap(failure, "\(entries) was accepted")
            XCTAssertEqual(error.position, badAt)
            XCTAssertTrue(error.message.contains("previous one"), error.message)

            let dump = Array("REDIS0006".utf8) + [10, 0x01, UInt8(ascii: "l"), UInt8(blob.count)] + blob + [0xFF] + [UInt8](repeating: 0, count: 8)
            for visitor in Self.visitors where visitor.name != "skip" {
                let e = try XCTUnwrap(readError(MeteredStream(head: dump, zeros: 0), visitor), visitor.name)
                XCTAssertEqual(e.offset, Int64(13 + badAt), "\(visitor.name): \(e)")
            }
        }
    }

    /// Listpack entries whose back-length disagrees with the entry: a wrong value, and a
    /// continuation bit that runs the back-length into the entry itself.
    func testListpackBacklenThatDisagreesIsRefused() throws {
        var builder = ListpackBuilder()
        builder.append(Array("a".utf8))
        builder.append(Array("bb".utf8))
        let good = builder.finished()
        XCTAssertEqual(good[6...8], [0x81, 0x61, 0x02])
        for (patch, expected) in [(UInt8(0x05), "back-length says 5, entry is 2 bytes"), (0x82, "runs into its entry")] {
            var blob = good
            blob[8] = patch
            let failure = firstFailure(blob) { raw throws(ContainerError) in
                var reader = try ListpackReader(raw)
                while try reader.next() != nil {}
            }
            let error = try XCTUnwrap(failure, "backlen \(patch) was accepted")
            XCTAssertTrue(error.message.contains(expected), error.message)

            let dump = Array("REDIS0011".utf8) + [20, 0x01, UInt8(ascii: "s"), UInt8(blob.count)] + blob + [0xFF] + [UInt8](repeating: 0, count: 8)
            for visitor in Self.visitors where visitor.name != "skip" {
                let e = try XCTUnwrap(readError(MeteredStream(head: dump, zeros: 0), visitor), visitor.name)
                XCTAssertEqual(e.offset, Int64(13 + error.position), "\(visitor.name): \(e)")
                XCTAssertTrue(e.description.contains(expected), e.description)
            }
        }
    }

    // MARK: AOF

    /// A bulk length past proto-max-bulk-len, followed by far more than that many bytes: refused
    /// from the length line, before any of them is read.
    func testRESPBulkLengthBeyondTheProtocolLimitFailsAtOnce() throws {
        let head = Array("*1\r\n$99999999999\r\n".utf8)
        let stream = MeteredStream(head: head, zeros: 64 << 20)
        let reader = RESPCommandReader(source: stream)
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? RDBError)?.offset, 4)
            XCTAssertTrue("\(error)".contains("bad bulk length"), "\(error)")
        }
        XCTAssertLessThanOrEqual(stream.served, Int64(InputWindow.chunkSize))
        XCTAssertEqual(reader.validUpTo, 0)
    }

    /// A `*` count of 2^40 followed by a stream of well-formed arguments: refused from the count
    /// line (Redis holds argc in an int), not after gathering every argument that follows.
    func testRESPArgumentCountOf2To40FailsAtOnce() throws {
        let arguments = Array(repeating: Array("$1\r\na\r\n".utf8), count: 1 << 18).joined()
        let stream = MeteredStream(head: Array("*1099511627776\r\n".utf8) + arguments, zeros: 0)
        let reader = RESPCommandReader(source: stream)
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? RDBError)?.offset, 0)
            XCTAssertTrue("\(error)".contains("bad argument count"), "\(error)")
        }
        XCTAssertLessThanOrEqual(stream.served, Int64(InputWindow.chunkSize))
    }

    // MARK: Helpers

    /// The three ways the verbs drive the reader: every element delivered (export), strings
    /// checked but not delivered (validate), every key skipped by its lengths (a filter).
    private static let visitors: [(name: String, make: @Sendable () -> any RDBVisitor)] = [
        ("records", { RecordCollector { _ in } }),
        ("checks", { ChecksOnlyVisitor() }),
        ("skip", { SkippingVisitor() }),
    ]

    private func readError(_ source: ByteSource, _ visitor: (name: String, make: @Sendable () -> any RDBVisitor)) -> RDBError? {
        do {
            try RDBReader.read(source: source, visitor: visitor.make())
            return nil
        } catch {
            return error
        }
    }

    /// The first error walking a container's entries, nil when every entry was accepted.
    private func firstFailure(_ blob: [UInt8], _ walk: (UnsafeRawBufferPointer) throws(ContainerError) -> Void) -> ContainerError? {
        blob.withUnsafeBytes { raw in
            do throws(ContainerError) {
                try walk(raw)
                return nil
            } catch {
                return error
            }
        }
    }

    private func temporaryFile(_ bytes: [UInt8], name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-bounds-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    /// A ziplist around raw entries (each with its own prevlen), header and tail computed.
    private func ziplist(_ entries: [[UInt8]]) -> [UInt8] {
        var body: [UInt8] = []
        var tail = 10
        for e in entries {
            tail = 10 + body.count
            body += e
        }
        let total = 10 + body.count + 1
        return withUnsafeBytes(of: UInt32(total).littleEndian, Array.init) + withUnsafeBytes(of: UInt32(tail).littleEndian, Array.init)
            + withUnsafeBytes(of: UInt16(entries.count).littleEndian, Array.init) + body + [0xFF]
    }

    /// One gzip member of `bytes`, through the zlib the library links.
    private func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw XCTSkip("zlib could not start a deflate stream")
        }
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        let status = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = UInt32(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = UInt32(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        XCTAssertEqual(status, Z_STREAM_END)
        return Array(output[..<Int(stream.total_out)])
    }
}

/// A stream of unknown size (a pipe, a gzip's output): `head`, then `zeros` zero bytes, or
/// another source. Records what the reader pulled and the largest read it asked for, which is
/// how large its window had grown.
private final class MeteredStream: ByteSource {
    private var head: [UInt8]
    private var zeros: Int
    private let inner: ByteSource?
    private(set) var served: Int64 = 0
    private(set) var largestRequest = 0
    var knownSize: Int64? { nil }

    init(head: [UInt8], zeros: Int) {
        self.head = head
        self.zeros = zeros
        inner = nil
    }

    init(_ inner: ByteSource) {
        head = []
        zeros = 0
        self.inner = inner
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int {
        largestRequest = max(largestRequest, buffer.count)
        let n: Int
        if let inner {
            n = try inner.read(into: buffer)
        } else if !head.isEmpty {
            n = min(buffer.count, head.count)
            head.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            head.removeFirst(n)
        } else {
            n = min(buffer.count, zeros)
            UnsafeMutableRawBufferPointer(rebasing: buffer[..<n]).initializeMemory(as: UInt8.self, repeating: 0)
            zeros -= n
        }
        served += Int64(n)
        return n
    }
}

private final class ChecksOnlyVisitor: RDBVisitor {
    var wantsStringValues: Bool { false }
}

private final class SkippingVisitor: RDBVisitor {
    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction { .skip }
}
