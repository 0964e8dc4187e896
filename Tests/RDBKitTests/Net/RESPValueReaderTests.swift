import XCTest
@testable import RDBKit

final class RESPValueReaderTests: XCTestCase {
    private func values(_ text: String) throws -> [RESPValue] {
        let window = InputWindow(source: PrefixedSource(prefix: Array(text.utf8), rest: try FileSource(path: "/dev/null")), checksummed: false)
        var all: [RESPValue] = []
        while window.remainingKnown != 0, (try? window.take(1)).map({ _ in window.unread(1) }) != nil {
            all.append(try RESPValueReader.read(window))
        }
        return all
    }

    func testEveryRESP2AndRESP3Type() throws {
        let text = "+OK\r\n-ERR no\r\n:-42\r\n$3\r\na\u{0}b\r\n$-1\r\n*-1\r\n*2\r\n$1\r\nx\r\n:1\r\n_\r\n#t\r\n,1.5\r\n" +
            "(12345678901234567890\r\n=8\r\ntxt:abcd\r\n!5\r\nERR x\r\n~1\r\n+s\r\n%1\r\n+k\r\n:2\r\n>2\r\n+message\r\n$1\r\nm\r\n"
        XCTAssertEqual(try values(text), [
            .simple("OK"), .error("ERR no"), .integer(-42), .bulk([0x61, 0, 0x62]), .null, .null,
            .array([.bulk([0x78]), .integer(1)]), .null, .boolean(true), .double(1.5), .bigNumber("12345678901234567890"),
            .bulk(Array("abcd".utf8)), .error("ERR x"), .array([.simple("s")]),
            .map([RESPValue.Pair(key: .simple("k"), value: .integer(2))]), .push([.simple("message"), .bulk([0x6D])]),
        ])
    }

    func testDamageIsNamedWithItsOffset() throws {
        for (text, expected) in [("?x\r\n", "unknown reply type"), ("*x\r\n", "bad number"), ("$5\r\nab\r\n", "truncated"),
                                 ("$2\r\nabcd", "expected \\r\\n"), ("*-5\r\n", "element count"), ("\r\n", "empty line"),
                                 ("$-7\r\n", "bulk length"), (String(repeating: "*1\r\n", count: 40) + ":1\r\n", "nested")] {
            XCTAssertThrowsError(try values(text), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }

    func testAClaimedCountAllocatesOnlyWhatArrives() throws {
        XCTAssertThrowsError(try values("*2147483647\r\n:1\r\n")) { error in
            guard case .truncated = (error as? RDBError)?.kind else { return XCTFail("\(error)") }
        }
    }
}
