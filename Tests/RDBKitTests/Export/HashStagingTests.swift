import Foundation
import XCTest
@testable import RDBKit

final class HashStagingTests: XCTestCase {
    /// Past its memory limit a hash moves to a temporary file and still replays in order.
    func testSpillsToDiskAndReplaysInOrder() throws {
        let staging = HashStaging(memoryLimit: 1024)
        for i in 0..<5000 {
            let field = Array("field-\(i)".utf8)
            let value = Array(repeating: UInt8(i % 200), count: i % 50)
            try field.withUnsafeBytes { f in
                try value.withUnsafeBytes { v in
                    try staging.add(field: .bytes(f), value: .bytes(v), expireAtMs: i % 7 == 0 ? Int64(i) : nil)
                }
            }
        }
        XCTAssertTrue(staging.allFieldsUTF8)
        XCTAssertTrue(staging.anyExpiry)
        var seen = 0
        try staging.forEach { (field, value, expiry) throws(RDBError) in
            XCTAssertEqual(String(decoding: field, as: UTF8.self), "field-\(seen)")
            XCTAssertEqual(value.count, seen % 50)
            XCTAssertEqual(expiry, seen % 7 == 0 ? Int64(seen) : nil)
            seen += 1
        }
        XCTAssertEqual(seen, 5000)
        staging.reset()
        XCTAssertEqual(staging.count, 0)
    }

    func testNonUTF8FieldIsNoticed() throws {
        let staging = HashStaging()
        try [UInt8]([0xFF]).withUnsafeBytes { f in try staging.add(field: .bytes(f), value: .int(1), expireAtMs: nil) }
        XCTAssertFalse(staging.allFieldsUTF8)
        XCTAssertFalse(staging.anyExpiry)
    }
}
