import Foundation
import XCTest
@testable import RDBKit

/// Damaged copies of real dumps: each truncation and each flipped bit must end in an error that
/// names an offset inside the file, never a crash or a hang.
final class DamagedInputTests: XCTestCase {
    private func read(_ bytes: [UInt8]) -> Result<RDBTrailer, RDBError> {
        do {
            let source = PrefixedSource(prefix: bytes, rest: try FileSource(path: "/dev/null"))
            return .success(try RDBReader.read(source: source, visitor: Validator(path: "memory")))
        } catch {
            return .failure(error)
        }
    }

    /// Dumps with a stored checksum: any change must be noticed.
    private func checksummedDumps() -> [URL] {
        FixturePaths.allDumps().filter {
            if case .verified = Validator.validate(path: $0.path).checksum { return true }
            return false
        }
    }

    /// Cut points: every one for small files, an even spread of about 400 for larger ones.
    private func cutPoints(_ count: Int) -> [Int] {
        count <= 600 ? Array(0..<count) : (0..<400).map { $0 * count / 400 } + [count - 1, count - 8, count - 9]
    }

    func testEveryTruncationFails() throws {
        var cuts = 0
        for dump in FixturePaths.allDumps() {
            let bytes = [UInt8](try Data(contentsOf: dump))
            let report = Validator.validate(path: dump.path)
            let essential = bytes.count - Int(report.trailingBytes?.count ?? 0)
            for cut in cutPoints(essential) {
                switch read(Array(bytes[..<cut])) {
                case .success:
                    XCTFail("\(dump.lastPathComponent) cut at \(cut) of \(essential) was accepted")
                case .failure(let error):
                    XCTAssertLessThanOrEqual(error.offset, Int64(cut), "\(dump.lastPathComponent) cut at \(cut): \(error)")
                }
                cuts += 1
            }
        }
        print("checked \(cuts) truncated copies")
    }

    func testEveryFlippedBitFailsWhereAChecksumGuards() throws {
        var flips = 0
        var generator = SplitMix64(seed: 2026)
        for dump in checksummedDumps() {
            let bytes = [UInt8](try Data(contentsOf: dump))
            let report = Validator.validate(path: dump.path)
            let essential = bytes.count - Int(report.trailingBytes?.count ?? 0)
            let positions = essential <= 300 ? Array(0..<essential) : (0..<300).map { _ in Int(generator.next() % UInt64(essential)) }
            for position in positions {
                var damaged = bytes
                damaged[position] ^= UInt8(1) << UInt8(generator.next() % 8)
                if case .success = read(damaged) {
                    XCTFail("\(dump.lastPathComponent): flipped bit at \(position) was accepted")
                }
                flips += 1
            }
        }
        XCTAssertGreaterThan(flips, 0)
        print("checked \(flips) single-bit flips")
    }

    /// Without a checksum a flip may go unnoticed, but it must never crash or hang.
    func testFlipsWithoutChecksumNeverCrash() throws {
        var generator = SplitMix64(seed: 7)
        for dump in FixturePaths.allDumps() {
            let bytes = [UInt8](try Data(contentsOf: dump))
            for _ in 0..<100 {
                var damaged = bytes
                let position = Int(generator.next() % UInt64(bytes.count))
                damaged[position] = UInt8(truncatingIfNeeded: generator.next())
                _ = read(damaged)
            }
        }
    }

    /// Random bytes after a valid magic: every outcome is an error or a clean end, quickly.
    func testRandomBodiesNeverCrash() throws {
        var generator = SplitMix64(seed: 99)
        for round in 0..<3000 {
            let magic = round % 3 == 0 ? "VALKEY080" : round % 3 == 1 ? "REDIS0012" : "REDIS0009"
            let size = Int(generator.next() % 300)
            let body = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = read(Array(magic.utf8) + body)
        }
    }

    func testNewerVersionIsTriedOnRequest() throws {
        let bytes = Array("REDIS0015".utf8) + [RDBValueType.RDB_TYPE_STRING.byte, 1, 0x6B, 1, 0x76, RDBOpcode.RDB_OPCODE_EOF] + [UInt8](repeating: 0, count: 8)
        let source = PrefixedSource(prefix: bytes, rest: try FileSource(path: "/dev/null"))
        var keys = 0
        try RDBReader.read(source: source, visitor: RecordCollector { _ in keys += 1 },
                           options: ReaderOptions(acceptNewerVersions: true))
        XCTAssertEqual(keys, 1)
    }

    func testLyingLengthFailsBeforeAllocating() throws {
        // A 16-byte file whose only key claims a 2^60-byte string.
        var bytes = Array("REDIS0011".utf8)
        bytes += [RDBValueType.RDB_TYPE_STRING.byte, 0x01, UInt8(ascii: "k"), 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lying-\(getpid()).rdb")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let report = Validator.validate(path: file.path)
        guard case .pastEndOfFile(let claimed, let left)? = report.error?.kind else {
            return XCTFail("expected a length past the end of the file, got \(report.summaryLine)")
        }
        XCTAssertEqual(claimed, 1 << 60)
        XCTAssertEqual(left, 0)
        XCTAssertEqual(report.error?.key, Array("k".utf8))
        XCTAssertEqual(report.error?.offset, 12)
    }

    func testUnknownTypeAndNewerVersionAreNamed() throws {
        var bytes = Array("REDIS0011".utf8) + [200, 0x01, UInt8(ascii: "k")]
        guard case .failure(let e1) = read(bytes) else { return XCTFail("type 200 accepted") }
        XCTAssertTrue(e1.description.contains("unknown value type 200"), e1.description)
        bytes = Array("REDIS0099".utf8) + [RDBOpcode.RDB_OPCODE_EOF]
        guard case .failure(let e2) = read(bytes) else { return XCTFail("version 99 accepted") }
        XCTAssertTrue(e2.description.contains("RDB version 99"), e2.description)
    }

    func testBadChecksumIsReported() throws {
        let dump = try XCTUnwrap(checksummedDumps().first)
        var bytes = [UInt8](try Data(contentsOf: dump))
        let essential = bytes.count - Int(Validator.validate(path: dump.path).trailingBytes?.count ?? 0)
        bytes[essential - 1] ^= 0x01
        guard case .failure(let error) = read(bytes), case .badChecksum = error.kind else {
            return XCTFail("a changed checksum byte was not reported as a checksum mismatch")
        }
        XCTAssertEqual(error.offset, Int64(essential - 8))
    }
}

/// A small deterministic generator so damaged copies are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
