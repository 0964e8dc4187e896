import Foundation
import XCTest
@testable import RDBKit

/// Scores stored as text read to the same double as strtod gives (zzlStrtod), through the plain
/// decimal fast path or strtod itself.
final class ScoreParsingTests: XCTestCase {
    private func strtodValue(_ text: String) -> Double? {
        text.withCString { c -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(c, &end)
            return end == UnsafeMutablePointer(mutating: c) + text.utf8.count ? v : nil
        }
    }

    private func parsed(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBytes { parseDouble($0) }
    }

    private func assertSame(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let expected = strtodValue(text)
        let got = parsed(text)
        XCTAssertEqual(got?.bitPattern, expected?.bitPattern, "\(text)", file: file, line: line)
    }

    func testEdgeCases() {
        for text in ["0", "-0", "0.0", "-0.0", "1", "1.", ".5", "-.5", "1.5", "-1.5", "007.25", "1e5", "1E-3", "+2",
                     "inf", "-inf", "nan", "0x1p3", " 1", "1 ", "1..2", "-", ".", "1.2.3", "12a",
                     "9007199254740991", "9007199254740992", "9007199254740993", "123456789012345678901",
                     "0.1", "0.3", "3.14159265358979", "1.7976931348623157", "0.0000000000000000000001",
                     "0.00000000000000000000001", "4.35", "2.675", "1234567890.123456"] {
            assertSame(text)
        }
    }

    func testRandomDecimalsAgreeWithStrtod() {
        var state: UInt64 = 11
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        for _ in 0..<200_000 {
            let whole = next() % (next() % 2 == 0 ? 1000 : 10_000_000_000)
            let places = Int(next() % 18)
            var text = (next() % 3 == 0 ? "-" : "") + String(whole)
            if places > 0 {
                text += "." + String((0..<places).map { _ in Character(String(next() % 10)) })
            }
            assertSame(text)
        }
    }
}
