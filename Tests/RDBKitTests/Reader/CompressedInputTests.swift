import Foundation
import XCTest
import RDBKit

/// Backups compressed with zstd and lz4 read as the plain file does (concatenated frames too,
/// from a file or a pipe); xz and bzip2 are named, not called a wrong signature.
final class CompressedInputTests: XCTestCase {
    private var scratch: URL!
    private let plain = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb")

    override func setUpWithError() throws { scratch = try RDBKitProcess.scratch("compressed") }
    override func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    private func compressed(_ tool: String, _ arguments: [String], twice: Bool = false) throws -> URL {
        guard RedisServerProcess.executable(tool) != nil else { throw XCTSkip("no \(tool) command installed") }
        let out = scratch.appendingPathComponent("types.rdb.\(tool)\(twice ? ".twice" : "")")
        let one = "\(tool) \(arguments.joined(separator: " ")) < '\(plain.path)'"
        _ = try RedisServerProcess.run("/bin/sh", ["-c", twice ? "{ \(one); \(one); } > '\(out.path)'" : "\(one) > '\(out.path)'"])
        return out
    }

    private func export(_ path: String, stdin: URL? = nil) throws -> String {
        let r = try RDBKitProcess.run(["export", path], stdin: stdin)
        XCTAssertEqual(r.status, 0, r.err)
        return r.out
    }

    func testZstdAndLZ4ReadAsThePlainFile() throws {
        let expected = try export(plain.path)
        XCTAssertFalse(expected.isEmpty)
        for (tool, arguments) in [("zstd", ["-q", "-c"]), ("lz4", ["-q", "-c"])] {
            let file = try compressed(tool, arguments)
            XCTAssertEqual(try export(file.path), expected, tool)
            XCTAssertEqual(try export("-", stdin: file), expected, "\(tool) on standard input")
            XCTAssertEqual(Validator.validate(path: file.path).keys, 42, tool)
        }
    }

    func testConcatenatedFramesAreOneStreamAndACutFrameIsTruncation() throws {
        let file = try compressed("zstd", ["-q", "-c"], twice: true)
        // Two dumps back to back: the first is read, the second is bytes after the checksum.
        let report = Validator.validate(path: file.path)
        XCTAssertTrue(report.isValid, report.summaryLine)
        XCTAssertEqual(report.trailingBytes?.count, Int64(try Data(contentsOf: plain).count), report.summaryLine)

        let whole = try Data(contentsOf: try compressed("lz4", ["-q", "-c"]))
        let cut = scratch.appendingPathComponent("cut.lz4")
        try whole.prefix(whole.count - 9).write(to: cut)
        let damaged = Validator.validate(path: cut.path)
        XCTAssertFalse(damaged.isValid)
        XCTAssertTrue(damaged.summaryLine.contains("lz4 stream ends inside a frame"), damaged.summaryLine)
    }

    func testXzAndBzip2AreNamed() throws {
        for (tool, name) in [("xz", "xz"), ("bzip2", "bzip2")] {
            let file = try compressed(tool, ["-c"])
            let r = try RDBKitProcess.run(["validate", file.path])
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.out.contains("\(name)-compressed input is not read; decompress it first"), r.out)
        }
    }
}
