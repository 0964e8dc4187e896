import Foundation
import XCTest
@testable import RDBKit

/// What a new user types first: no arguments, --version, negative and multi-byte option values,
/// times as people write them.
final class CommandLineSurfaceTests: XCTestCase {
    private let fixture = FixturePaths.fixtures.appendingPathComponent("legacy/ziplist_with_integers.rdb").path

    func testNoArgumentsPrintsTheUsageAndExits2() throws {
        let r = try RDBKitProcess.run([])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("USAGE: rdbkit"), r.err)
        XCTAssertTrue(r.out.isEmpty)
    }

    func testVersion() throws {
        let r = try RDBKitProcess.run(["--version"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, r.out)
    }

    func testNegativeTopIsReadAsItsValueAndRefusedByName() throws {
        let r = try RDBKitProcess.run(["inspect", fixture, "--top", "-1"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("--top must be 0 or more (got -1)"), r.err)
    }

    func testSeparatorTakesAString() throws {
        let dir = try RDBKitProcess.scratch("separator")
        defer { try? FileManager.default.removeItem(at: dir) }
        let dump = try RDBKitProcess.dump(["a::1", "a::2", "a::3", "b::1", "a:x", "plain"].map { #"{"db":0,"key":"\#($0)","type":"string","value":"v"}"# }, in: dir)
        let r = try RDBKitProcess.run(["inspect", dump, "--separator", "::", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        let prefixes = (object["prefixes"] as! [[String: Any]]).map { ($0["prefix"] as! String, $0["keys"] as! Int) }
        XCTAssertEqual(prefixes.map(\.0), ["a", "b"])
        XCTAssertEqual(prefixes.map(\.1), [3, 1])
        XCTAssertEqual(object["keys_without_prefix"] as? Int, 2)
    }

    func testTimesInISO8601AndUnixSeconds() {
        XCTAssertEqual(UnixTime.seconds(from: "1764158400"), 1_764_158_400)
        XCTAssertEqual(UnixTime.seconds(from: "2025-11-26T12:00:00Z"), 1_764_158_400)
        XCTAssertEqual(UnixTime.seconds(from: "2025-11-26T13:00:00.250+01:00"), 1_764_158_400)
        XCTAssertEqual(UnixTime.seconds(from: "2025-11-26 07:30:00-04:30"), 1_764_158_400)
        XCTAssertEqual(UnixTime.seconds(from: "2024-02-29T00:00:00Z"), 1_709_164_800)
        for bad in ["2025-11-26", "2025-11-26T12:00:00", "2025-02-29T00:00:00Z", "2025-11-26T24:00:00Z", "noon", "2025-11-26T12:00:00Zjunk"] {
            XCTAssertNil(UnixTime.seconds(from: bad), bad)
        }
    }

    func testUntilTakesAnISOTime() throws {
        let aof = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-until-\(UUID().uuidString).aof")
        defer { try? FileManager.default.removeItem(at: aof) }
        let text = "#TS:1764158000\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n#TS:1764159000\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
        try text.write(to: aof, atomically: true, encoding: .utf8)
        let iso = try RDBKitProcess.run(["validate", aof.path, "--until", "2025-11-26T12:00:00Z"])
        let unix = try RDBKitProcess.run(["validate", aof.path, "--until", "1764158400"])
        XCTAssertEqual(iso.status, 0, iso.err)
        XCTAssertEqual(iso.out, unix.out)
        XCTAssertTrue(iso.out.contains("1 command"), iso.out)
        XCTAssertEqual(try RDBKitProcess.run(["validate", aof.path, "--until", "2025-11-26"]).status, 2)
    }
}

extension CommandLineSurfaceTests {
    func testKeysFormatWithTheDatabase() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("legacy/multiple_databases.rdb").path
        let r = try RDBKitProcess.run(["export", dump, "--format", "keys", "--with-db"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "0\tkey_in_zeroth_database\n2\tkey_in_second_database\n")
        XCTAssertEqual(try RDBKitProcess.run(["export", dump, "--format", "keys"]).out, "key_in_zeroth_database\nkey_in_second_database\n")
        XCTAssertEqual(try RDBKitProcess.run(["export", dump, "--with-db"]).status, 2)
    }
}

extension CommandLineSurfaceTests {
    /// The newest known version has one home (RDBKnownVersions): the error, the help and the
    /// README say the same number.
    func testNewestKnownVersionIsStatedOnce() throws {
        let readme = try String(contentsOf: FixturePaths.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("Reads RDB versions 1–\(RDBKnownVersions.redis) "), "README's first paragraph")
        let help = try RDBKitProcess.run(["--help"])
        XCTAssertTrue(help.out.contains("versions 1-\(RDBKnownVersions.redis) and Valkey's"), help.out)
        let dir = try RDBKitProcess.scratch("newer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let newer = dir.appendingPathComponent("newer.rdb")
        try Data(Array("REDIS00\(RDBKnownVersions.redis + 1)".utf8) + [0xFF] + [UInt8](repeating: 0, count: 8)).write(to: newer)
        let r = try RDBKitProcess.run(["validate", newer.path])
        XCTAssertTrue(r.out.contains("newer than the newest known (\(RDBKnownVersions.redis))"), r.out)
    }
}
