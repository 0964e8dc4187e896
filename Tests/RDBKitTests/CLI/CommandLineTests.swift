import Foundation
import XCTest

/// The `rdbkit` binary as users run it: exit codes, output files, standard input.
final class CommandLineTests: XCTestCase {
    private var binary: String!
    private var scratch: URL!

    override func setUpWithError() throws {
        guard let found = FixturePaths.rdbkitBinary else {
            throw XCTSkip("the rdbkit binary was not built next to the tests")
        }
        binary = found
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func fixture(_ name: String) -> String {
        FixturePaths.fixtures.appendingPathComponent("legacy/\(name)").path
    }

    private func run(_ arguments: [String], stdin: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    private func damagedCopy() throws -> URL {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("rdb_version_5_with_checksum.rdb"))))
        bytes[40] ^= 0x10
        let url = scratch.appendingPathComponent("damaged.rdb")
        try Data(bytes).write(to: url)
        return url
    }

    func testValidateExitCodes() throws {
        let good = try run(["validate", fixture("rdb_version_5_with_checksum.rdb"), fixture("ziplist_with_integers.rdb")])
        XCTAssertEqual(good.status, 0, good.err)
        XCTAssertEqual(good.out.split(separator: "\n").filter { $0.hasPrefix("OK") }.count, 2)

        let bad = try run(["validate", fixture("rdb_version_5_with_checksum.rdb"), try damagedCopy().path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.out.contains("BAD"), bad.out)
        XCTAssertTrue(bad.out.contains("offset"), bad.out)

        let json = try run(["validate", "--json", try damagedCopy().path])
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        XCTAssertEqual(object?["valid"] as? Bool, false)
        XCTAssertNotNil((object?["error"] as? [String: Any])?["offset"])

        XCTAssertEqual(try run(["validate"]).status, 2)
        XCTAssertEqual(try run(["validate", "--no-such-flag", "x"]).status, 2)
        XCTAssertEqual(try run(["frobnicate"]).status, 2)
        XCTAssertEqual(try run(["validate", scratch.appendingPathComponent("missing.rdb").path]).status, 1)
    }

    func testHelpReadsLikeAManPage() throws {
        let help = try run(["export", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.contains("expire_at_ms"), help.out)
        XCTAssertEqual(try run(["--help"]).status, 0)
    }

    func testExportWritesTheOutputOnlyWhenComplete() throws {
        let out = scratch.appendingPathComponent("out.jsonl")
        let ok = try run(["export", fixture("ziplist_with_integers.rdb"), "-o", out.path])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertGreaterThan(try Data(contentsOf: out).count, 10)

        let failed = scratch.appendingPathComponent("failed.jsonl")
        let bad = try run(["export", try damagedCopy().path, "-o", failed.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("offset"), bad.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: failed.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func testExportFromStandardInputAndAsArray() throws {
        let file = fixture("redis_50_with_streams.rdb")
        let fromFile = try run(["export", file])
        let fromStdin = try run(["export", "-"], stdin: URL(fileURLWithPath: file))
        XCTAssertEqual(fromStdin.status, 0, fromStdin.err)
        XCTAssertEqual(fromStdin.out, fromFile.out)
        let array = try run(["export", file, "--format", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(array.out.utf8)) as? [Any]
        XCTAssertEqual(parsed?.count, fromFile.out.split(separator: "\n").count)
    }

    func testTrailingBytesAreAWarning() throws {
        let result = try run(["validate", fixture("redis_40_with_module.rdb")])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.out.contains("40 bytes after the checksum at offset 248"), result.out)
    }
}
