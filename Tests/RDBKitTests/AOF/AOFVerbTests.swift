import Foundation
import XCTest
@testable import RDBKit

/// validate and export on a real Redis 7.0 multi-part AOF directory, whole and damaged.
final class AOFVerbTests: XCTestCase {
    func testValidateAndExportARealAOFDirectory() throws {
        guard let server = try RedisServerProcess(extraArguments: ["--appendonly", "yes", "--appendfsync", "always"]) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { server.stop() }
        try server.pipe([[Array("SET".utf8), Array("a".utf8), Array("1".utf8)],
                         [Array("SELECT".utf8), Array("2".utf8)],
                         [Array("SADD".utf8), Array("s".utf8), Array("x".utf8), Array("y".utf8)],
                         [Array("MULTI".utf8)], [Array("INCR".utf8), Array("n".utf8)], [Array("EXEC".utf8)]])
        let dir = server.directory.appendingPathComponent("appendonlydir").path
        XCTAssertTrue(AOFFiles.looksLikeAOF(dir))
        let report = AOFValidation.validate(path: dir)
        XCTAssertTrue(report.isValid, report.summaryLine)
        XCTAssertEqual(report.files, 2, "the RDB base and one incremental file")
        // SELECT 0, SET, SELECT 2, SADD, INCR (Redis 7 does not wrap a one-command transaction).
        XCTAssertEqual(report.commands, 5)

        let out = server.directory.appendingPathComponent("commands.jsonl").path
        XCTAssertEqual(try AOFExport.run(path: dir, outputPath: out), report.commands)
        let lines = try parseJSONLines(try Data(contentsOf: URL(fileURLWithPath: out)))
        let sadd = try XCTUnwrap(lines.first { ($0["args"] as? [String])?.first?.lowercased() == "sadd" })
        XCTAssertEqual(sadd["db"] as? Int, 2)
        XCTAssertEqual((sadd["args"] as? [String])?.map { $0.lowercased() }, ["sadd", "s", "x", "y"])

        // Cut the incremental file inside its last command: damage with the file, offset and
        // the longest valid prefix (what Redis keeps with aof-load-truncated).
        let manifest = try AOFFiles.open(dir)
        let incr = try XCTUnwrap(manifest.parts.last?.path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: incr)))
        let copy = server.directory.appendingPathComponent("damaged")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
            try FileManager.default.copyItem(atPath: dir + "/" + name, toPath: copy.path + "/" + name)
        }
        bytes.removeLast(3)
        try Data(bytes).write(to: URL(fileURLWithPath: copy.path + "/" + (incr.split(separator: "/").last.map(String.init) ?? "")))
        let damaged = AOFValidation.validate(path: copy.path)
        XCTAssertFalse(damaged.isValid)
        XCTAssertTrue(damaged.summaryLine.contains("incr.aof"), damaged.summaryLine)
        XCTAssertNotNil(damaged.validUpTo)
        XCTAssertLessThan(damaged.validUpTo ?? .max, Int64(bytes.count))
    }
}
