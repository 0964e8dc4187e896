import Foundation
import XCTest
@testable import RDBKit

/// Each encoder's output read back by its decoder, across every encoding boundary.
final class EncoderRoundTripTests: XCTestCase {
    private let integers: [Int64] = [0, 1, 12, 13, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, -32768, 32768,
                                     8_388_607, -8_388_608, 8_388_608, Int64(Int32.max), Int64(Int32.min),
                                     Int64(Int32.max) + 1, .max, .min]
    private var strings: [[UInt8]] {
        [[], Array("a".utf8), Array("007".utf8), Array("-0".utf8), Array("+1".utf8), Array(" 1".utf8)]
            + [63, 64, 4095, 4096, 16383, 16384, 70000].map { [UInt8](repeating: 0x61, count: $0) }
    }

    private func text(_ s: RDBString) -> [UInt8] { s.array }

    func testListpack() throws {
        var builder = ListpackBuilder()
        for v in integers { builder.append(v) }
        for s in strings { builder.append(s) }
        let blob = builder.finished()
        var values: [[UInt8]] = []
        try blob.withUnsafeBytes { raw in
            var reader = try ListpackReader(raw)
            while let e = try reader.next() { values.append(text(e)) }
        }
        XCTAssertEqual(values, integers.map { Array(String($0).utf8) } + strings)
    }

    /// The size rule memory estimates count with is what the builder writes, at every boundary of
    /// the encodings and of the backlen (up to its 4-byte form, an entry of 2 MB).
    func testListpackEntrySizeIsWhatTheBuilderWrites() {
        let long = [127, 128, 16382, 16383, 2_097_150, 2_097_151].map { [UInt8](repeating: 0x61, count: $0) }
        for s in integers.map({ Array(String($0).utf8) }) + strings + long {
            var builder = ListpackBuilder()
            builder.append(s)
            let entry = builder.finished().count - ListpackReader.LP_HDR_SIZE - 1
            XCTAssertEqual(s.withUnsafeBytes { ListpackEntrySize.entry($0) }, entry, "\(s.count) bytes")
        }
    }

    func testZiplist() throws {
        var builder = ZiplistBuilder()
        for v in integers { builder.append(v) }
        for s in strings { builder.append(s) }
        let blob = builder.finished()
        var values: [[UInt8]] = []
        try blob.withUnsafeBytes { raw in
            var reader = try ZiplistReader(raw)
            while let e = try reader.next() { values.append(text(e)) }
        }
        XCTAssertEqual(values, integers.map { Array(String($0).utf8) } + strings)
    }

    func testIntset() throws {
        for values in [[Int64(3), 1, 2, 2], [1, 100_000], [1, .max, .min]] {
            let blob = IntsetBuilder.build(values)
            var read: [Int64] = []
            try blob.withUnsafeBytes { raw in
                var reader = try IntsetReader(raw)
                while let v = try reader.next() { read.append(v) }
            }
            XCTAssertEqual(read, Array(Set(values)).sorted())
        }
    }

    func testStringsAndLengthsReadBack() throws {
        let output = RDBOutput(file: nil)
        let samples: [[UInt8]] = strings + [Array("12345678901".utf8), Array("-2147483648".utf8), Array("2147483648".utf8),
                                            [UInt8](repeating: 0x62, count: 500)]
        for s in samples { output.string(s) }
        for n: UInt64 in [0, 63, 64, 16383, 16384, UInt64(UInt32.max), UInt64(UInt32.max) + 1] { output.length(n) }
        let bytes = output.pending
        let input = InputWindow(source: PrefixedSource(prefix: bytes, rest: try FileSource(path: "/dev/null")))
        let scratch = ScratchBuffer()
        for s in samples { XCTAssertEqual(try input.readString(lzfInto: scratch).array, s) }
        for n: UInt64 in [0, 63, 64, 16383, 16384, UInt64(UInt32.max), UInt64(UInt32.max) + 1] {
            XCTAssertEqual(try input.readLength(), n)
        }
    }
}
