import XCTest
@testable import RDBKit

/// The CRC64 folded by carry-less multiplication agrees with the bytewise slicing-by-8 it replaces,
/// at every length around the 64-byte step, from any starting value and alignment.
final class CRC64Tests: XCTestCase {
    /// Deterministic bytes (a linear congruential generator), so a failure can be replayed.
    private func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    private func slicing(_ start: CRC64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var crc = start
        crc.updateSlicing(bytes.baseAddress!, bytes.count)
        return crc.value
    }

    func testCheckValue() {
        XCTAssertEqual(CRC64.checksum(Array("123456789".utf8)), 0xe9c6_d914_c4b8_d9ca)
        // Long enough to be folded: Redis's crc64 test string repeated.
        var crc = CRC64()
        let text = Array("This is a test of the emergency broadcast system.".utf8)
        for _ in 0..<100 { crc.update(text) }
        let whole = (0..<100).flatMap { _ in text }
        XCTAssertEqual(crc.value, whole.withUnsafeBytes { slicing(CRC64(), $0) })
    }

    func testFoldingAgreesWithSlicingAtEveryLength() {
        let data = bytes(4096 + 64, seed: 15)
        data.withUnsafeBytes { all in
            for offset in 0..<9 {
                for count in stride(from: 0, through: 1100, by: 1) where offset + count <= all.count {
                    let region = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + count)])
                    var start = CRC64()
                    start.update(UnsafeRawBufferPointer(rebasing: all[4096..<(4096 + offset % 7)]))
                    var folded = start
                    folded.update(region)
                    XCTAssertEqual(folded.value, slicing(start, region), "offset \(offset), \(count) bytes")
                }
            }
        }
    }

    func testFoldingAgreesOnLargeBuffersInPieces() {
        let data = bytes(3 << 20, seed: 7)
        data.withUnsafeBytes { all in
            let expected = slicing(CRC64(), all)
            var whole = CRC64()
            whole.update(all)
            XCTAssertEqual(whole.value, expected)
            // Uneven pieces, as the input window hands them over.
            var pieces = CRC64()
            var at = 0
            var step = 1
            while at < all.count {
                let n = min(step, all.count - at)
                pieces.update(UnsafeRawBufferPointer(rebasing: all[at..<(at + n)]))
                at += n
                step = step * 3 + 17
            }
            XCTAssertEqual(pieces.value, expected)
        }
    }

    /// On x86-64 with PCLMULQDQ the fold is what runs (the tests above compare it, not slicing
    /// with itself).
    func testFoldsWhereTheCPUCan() throws {
        #if arch(x86_64) && os(Linux)
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard flags.contains(" pclmulqdq") else { throw XCTSkip("this CPU has no PCLMULQDQ") }
        XCTAssertTrue(CRC64.folds)
        #else
        throw XCTSkip("the fold is written for x86-64")
        #endif
    }
}
