import Foundation
import XCTest
@testable import RDBKit

final class JSONWriterTests: XCTestCase {
    private func written(_ body: (JSONWriter) -> Void) -> String {
        let w = JSONWriter(output: nil)
        body(w)
        return String(decoding: w.pending, as: UTF8.self)
    }

    func testStringsAreEscapedOrBase64() {
        XCTAssertEqual(written { $0.string(Array("a\"b\\c\n\t\u{1}é".utf8)) }, "\"a\\\"b\\\\c\\n\\t\\u0001é\"")
        XCTAssertEqual(written { $0.string([0xFF, 0x00, 0x41]) }, "{\"base64\":\"/wBB\"}")
        XCTAssertEqual(written { $0.string([]) }, "\"\"")
        XCTAssertEqual(written { $0.string(.int(-42)) }, "\"-42\"")
        // Base64 padding for 1 and 2 trailing bytes.
        XCTAssertEqual(written { $0.base64(UnsafeRawBufferPointer(start: [UInt8]([0xFB]), count: 1)) }, "+w==")
        XCTAssertEqual(written { w in [UInt8]([0xFB, 0xFF]).withUnsafeBytes { w.base64($0) } }, "+/8=")
    }

    func testLargeStringsAreEscapedInPieces() throws {
        var text = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        for i in stride(from: 0, to: text.count, by: 9_999) { text[i] = UInt8(ascii: "\"") }
        text[65_535] = 0x0A
        let json = written { $0.string(text) }
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) as? String
        XCTAssertEqual(decoded.map { Array($0.utf8) }, text)
    }

    func testUTF8ValidityFollowsTheStandard() {
        func valid(_ b: [UInt8]) -> Bool { b.withUnsafeBytes { isValidUTF8($0) } }
        XCTAssertTrue(valid(Array("plain ascii text, longer than eight bytes".utf8)))
        XCTAssertTrue(valid(Array("日本語 and 🎉".utf8)))
        XCTAssertFalse(valid([0xC0, 0x80]))  // overlong NUL
        XCTAssertFalse(valid([0xE0, 0x80, 0x80]))  // overlong
        XCTAssertFalse(valid([0xED, 0xA0, 0x80]))  // surrogate
        XCTAssertFalse(valid([0xF4, 0x90, 0x80, 0x80]))  // above U+10FFFF
        XCTAssertFalse(valid([0xE6, 0x97]))  // cut short
        XCTAssertFalse(valid(Array("12345678".utf8) + [0x80]))  // stray continuation after the fast path
    }

    func testNumbers() {
        XCTAssertEqual(written { $0.double(3) }, "3")
        XCTAssertEqual(written { $0.double(-2.5) }, "-2.5")
        XCTAssertEqual(written { $0.double(0.1) }, "0.1")
        XCTAssertEqual(written { $0.double(.infinity) }, "\"inf\"")
        XCTAssertEqual(written { $0.double(-.infinity) }, "\"-inf\"")
        XCTAssertEqual(written { $0.double(-0.0) }, "-0.0")
        XCTAssertEqual(Double(written { $0.double(1e300) }), 1e300)
        XCTAssertEqual(written { $0.int(Int64.min) }, "-9223372036854775808")
        XCTAssertEqual(written { $0.uint(UInt64.max) }, "18446744073709551615")
        XCTAssertEqual(written { $0.streamID(StreamID(ms: 5, seq: 0)) }, "\"5-0\"")
    }

    /// Every byte value at every place of a 20-byte text (the eight-at-a-time check covers
    /// whole words, the byte loop the rest): escaped exactly as one byte at a time would.
    func testEveryByteIsEscapedWhereverItStands() {
        func reference(_ text: [UInt8]) -> String {
            var s = "\""
            for c in text {
                switch c {
                case 0x22: s += "\\\""
                case 0x5C: s += "\\\\"
                case 0x0A: s += "\\n"
                case 0x0D: s += "\\r"
                case 0x09: s += "\\t"
                case 0..<0x20: s += String(format: "\\u%04x", Int(c))
                default: s += String(UnicodeScalar(c))
                }
            }
            return s + "\""
        }
        for c in UInt8(0)...0x7F {
            for at in 0..<20 {
                var text = [UInt8](repeating: UInt8(ascii: "a"), count: 20)
                text[at] = c
                XCTAssertEqual(written { $0.string(text) }, reference(text), "byte \(c) at \(at)")
            }
        }
        for c in UInt8(0x80)...0xFF {
            var text = [UInt8](repeating: UInt8(ascii: "a"), count: 20)
            text[11] = c
            XCTAssertEqual(written { $0.string(text) }, "{\"base64\":\"" + Data(text).base64EncodedString() + "\"}", "byte \(c)")
        }
        XCTAssertEqual(written { $0.string(Array("0123456789abcdé".utf8)) }, "\"0123456789abcdé\"")
    }

    func testTypeNamesAndSmallIntegers() {
        for type in RedisType.allCases {
            XCTAssertEqual(written { $0.typeName(type, quoted: true) }, "\"\(type.rawValue)\"")
            XCTAssertEqual(written { $0.typeName(type, quoted: false) }, type.rawValue)
        }
        for v: Int64 in [-10, -1, 0, 1, 9, 10, 11, 99, 100] { XCTAssertEqual(written { $0.int(v) }, String(v)) }
    }
}
