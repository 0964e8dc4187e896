import XCTest
@testable import RDBKit

final class AOFManifestTests: XCTestCase {
    private func parse(_ text: String) throws -> AOFManifest { try AOFManifest.parse(Array(text.utf8)) }

    func testRedisWrittenManifest() throws {
        let m = try parse("""
            file appendonly.aof.3.base.rdb seq 3 type b
            file appendonly.aof.2.incr.aof seq 2 type h
            file appendonly.aof.4.incr.aof seq 4 type i
            file appendonly.aof.5.incr.aof seq 5 type i startoffset 10 endoffset 99

            """)
        XCTAssertEqual(m.base?.name, "appendonly.aof.3.base.rdb")
        XCTAssertEqual(m.history.map(\.sequence), [2])
        XCTAssertEqual(m.loadOrder.map(\.name), ["appendonly.aof.3.base.rdb", "appendonly.aof.4.incr.aof", "appendonly.aof.5.incr.aof"])
        XCTAssertEqual(m.incrementals.last?.extra["startoffset"], "10")
    }

    func testQuotingAndCaseAsSdssplitargs() throws {
        let m = try parse("# comment\nFILE \"my \\x41.aof\" SEQ 1 Type i\nfile 'it''s' seq 2 type i\n".replacingOccurrences(of: "'it''s'", with: "'it\\'s'"))
        XCTAssertEqual(m.incrementals.map(\.name), ["my A.aof", "it's"])
    }

    func testErrorsNameTheLine() {
        func failure(_ text: String) -> String {
            do { _ = try parse(text); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertTrue(failure("").contains("empty"))
        XCTAssertTrue(failure("file a seq 1 type b\nfile a seq 1\n").contains("line 2"))
        XCTAssertTrue(failure("file a seq 0 type i\n").contains("invalid"))
        XCTAssertTrue(failure("file a seq 1 type x\n").contains("unknown AOF file type"))
        XCTAssertTrue(failure("file dir/a seq 1 type i\n").contains("path"))
        XCTAssertTrue(failure("file a seq 1 type b\nfile b seq 2 type b\n").contains("duplicate base"))
        XCTAssertTrue(failure("file a seq 3 type i\nfile b seq 2 type i\n").contains("non-monotonic"))
        XCTAssertTrue(failure("file \"a seq 1 type i\n").contains("invalid"))
        XCTAssertTrue(failure("file \"a\"b seq 1 type i\n").contains("invalid"))
    }
}
