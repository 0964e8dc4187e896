import XCTest
@testable import RDBKit

final class RedisURLTests: XCTestCase {
    func testFormsRedisCliAccepts() throws {
        XCTAssertEqual(try RedisURL(parsing: "redis://127.0.0.1"), RedisURL(host: "127.0.0.1"))
        XCTAssertEqual(try RedisURL(parsing: "rediss://cache.example:6380/3"),
                       RedisURL(host: "cache.example", port: 6380, useTLS: true, database: 3))
        XCTAssertEqual(try RedisURL(parsing: "redis://backup:s%3Acret%40x@h:7000"),
                       RedisURL(host: "h", port: 7000, user: "backup", password: "s:cret@x"))
        XCTAssertEqual(try RedisURL(parsing: "redis://onlypassword@h"), RedisURL(host: "h", password: "onlypassword"))
        XCTAssertEqual(try RedisURL(parsing: "redis://:pw@h/"), RedisURL(host: "h", password: "pw"))
        XCTAssertEqual(try RedisURL(parsing: "redis://[::1]:6390"), RedisURL(host: "::1", port: 6390))
        XCTAssertEqual(try RedisURL(parsing: "redis://[::1]").endpoint, "[::1]:6379")
    }

    func testRedactedHidesThePassword() throws {
        XCTAssertEqual(try RedisURL(parsing: "redis://u:secret@h:1/2").redacted, "redis://u:***@h:1/2")
        XCTAssertEqual(try RedisURL(parsing: "rediss://secret@h").redacted, "rediss://:***@h:6379")
    }

    func testMistakesAreNamed() {
        for (text, expected) in [("http://h", "starts with redis://"), ("redis://h:0", "port 0"), ("redis://h:x", "port x"),
                                 ("redis://", "no host"), ("redis://h/x", "database x"), ("redis://[::1", "unclosed"),
                                 ("redis://a%zz@h", "percent escape")] {
            XCTAssertThrowsError(try RedisURL(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }
}
