import XCTest
@testable import RDBKit

/// Each text form of a double, once, in the bytes the outputs have always had, and the one reader
/// of number texts under the rules of what reads them (a file's text, a command's argument).
final class DoubleTextTests: XCTestCase {
    func testEachFormIsWhatItsReaderExpects() {
        let values: [Double] = [1, -0.0, 1.5, 0.1, 1e16, 1e17, 9_007_199_254_740_991, .infinity, -.infinity, 1e300, 1.5e-7]
        func forms(_ f: (Double) -> String) -> [String] { values.map(f) }
        // Redis 7.2+ d2string; arrays' ARGET text.
        XCTAssertEqual(forms(DoubleText.d2string),
                       ["1", "-0", "1.5", "0.1", "10000000000000000", "100000000000000000", "9007199254740991", "inf", "-inf", "1e+300", "1.5e-7"])
        XCTAssertEqual(forms(DoubleText.arrayElement),
                       ["1.0", "-0.0", "1.5", "0.1", "10000000000000000.0", "100000000000000000.0", "9007199254740991.0", "inf", "-inf", "1e+300", "1.5e-7"])
        // The writer's listpack scores, the RDB's old string doubles, the AOF's ZADD arguments.
        XCTAssertEqual(forms(DoubleText.listpackScore),
                       ["1", "-0.0", "1.5", "0.1", "1e+16", "1e+17", "9007199254740991", "inf", "-inf", "1e+300", "1.5e-07"])
        XCTAssertEqual(values.filter(\.isFinite).map(DoubleText.rdbStringDouble),
                       ["1", "0", "1.5", "0.1", "10000000000000000", "1e+17", "9007199254740991", "1e+300", "1.5e-07"])
        XCTAssertEqual(forms(DoubleText.commandScore),
                       ["1.0", "-0.0", "1.5", "0.1", "1e+16", "1e+17", "9007199254740991.0", "inf", "-inf", "1e+300", "1.5e-07"])
        // INCRBYFLOAT's.
        XCTAssertEqual(["10.5", "3", "-0", "0.1", "5e3", "1.1e-3"].map { DoubleText.humanFriendly(LongDouble(Array($0.utf8))!) },
                       ["10.5", "3", "0", "0.1", "5000", "0.0011"])
    }

    func testOneReaderUnderEachCallersRules() {
        func file(_ s: String) -> Double? { Array(s.utf8).withUnsafeBytes { parseDouble($0) } }
        XCTAssertEqual(file("1.5"), 1.5)
        XCTAssertEqual(file("inf"), .infinity)
        XCTAssertEqual(file("0x10"), 16)
        XCTAssertNil(file("1 "))
        XCTAssertNil(file(""))
        XCTAssertNil(file("1.5x"))
        XCTAssertNil(file("1" + String(repeating: "0", count: 255)), "longer than a length byte allows")

        XCTAssertEqual(parseDoubleArgument(Array("-2.5e3".utf8)), -2500)
        XCTAssertEqual(parseDoubleArgument(Array("1e999".utf8)), .infinity)
        XCTAssertNil(parseDoubleArgument(Array(" 1".utf8)))
        XCTAssertNil(parseDoubleArgument(Array("1\t".utf8)))
        XCTAssertNil(parseDoubleArgument(Array("nan".utf8)))
        XCTAssertNil(parseDoubleArgument([UInt8(ascii: "1"), 0, UInt8(ascii: "2")]), "a NUL inside is not the end of the number")

        XCTAssertEqual(LongDouble(Array("0.5".utf8)), 0.5)
        XCTAssertNil(LongDouble(Array(" 0.5".utf8)))
        XCTAssertNil(LongDouble(Array("-nan".utf8)))
        XCTAssertNil(LongDouble(Array(repeating: UInt8(ascii: "1"), count: MAX_LONG_DOUBLE_CHARS)))
    }
}
