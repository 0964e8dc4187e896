import Foundation
import XCTest

/// The verbs given several inputs (a cluster's shards): one output per input in `-o DIR/`, results
/// in the order given whatever finishes first, a combined summary, exit 1 when one input is bad.
final class ManyInputsTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try RDBKitProcess.scratch("many")
    }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func fixture(_ name: String) -> String {
        FixturePaths.fixtures.appendingPathComponent(name).path
    }

    /// A big input first and small ones after, so that with --jobs 2 the small ones finish first.
    private var inputs: [String] {
        [fixture("redis-7.0/types.rdb"), fixture("legacy/ziplist_with_integers.rdb"), fixture("legacy/rdb_version_5_with_checksum.rdb")]
    }

    private func damaged() throws -> String {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("legacy/rdb_version_5_with_checksum.rdb"))))
        bytes[40] ^= 0x10
        let url = scratch.appendingPathComponent("damaged.rdb")
        try Data(bytes).write(to: url)
        return url.path
    }

    private func contents(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    func testValidateReportsInInputOrderWithACombinedLine() throws {
        let bad = try damaged()
        let r = try RDBKitProcess.run(["validate", "--jobs", "2"] + inputs + [bad])
        XCTAssertEqual(r.status, 1, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, r.out)
        for (line, input) in zip(lines, inputs) { XCTAssertTrue(line.hasPrefix("OK  \(input):"), line) }
        XCTAssertTrue(lines[3].hasPrefix("BAD \(bad):"), lines[3])
        let keys = try inputs.map { input -> Int in
            let one = try RDBKitProcess.run(["validate", "--json", input])
            return (try JSONSerialization.jsonObject(with: Data(one.out.utf8)) as! [String: Any])["keys"] as! Int
        }
        XCTAssertEqual(lines[4], "4 files: 3 OK, 1 BAD, \(keys.reduce(0, +)) keys")

        let json = try RDBKitProcess.run(["validate", "--json", "--jobs", "3"] + inputs)
        XCTAssertEqual(json.status, 0, json.err)
        let objects = try json.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(objects.map { $0["path"] as? String }, inputs.map { $0 } + [nil])
        XCTAssertEqual(objects.last?["files"] as? Int, 3)
        XCTAssertEqual(objects.last?["failed"] as? Int, 0)
        XCTAssertEqual(objects.last?["keys"] as? Int, keys.reduce(0, +))
    }

    func testExportWritesOneOutputPerInputIdenticalToASingleExport() throws {
        let out = scratch.appendingPathComponent("exported")
        let bad = try damaged()
        let r = try RDBKitProcess.run(["export", "--jobs", "2", "-o", out.path + "/"] + inputs + [bad])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertEqual(try contents(out), ["rdb_version_5_with_checksum.jsonl", "types.jsonl", "ziplist_with_integers.jsonl"],
                       "the bad input leaves nothing behind")
        for input in inputs {
            let alone = try RDBKitProcess.run(["export", input])
            let name = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent + ".jsonl"
            XCTAssertEqual(try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8), alone.out, input)
        }
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, r.out)
        XCTAssertTrue(lines[0].hasPrefix("OK  \(inputs[0]) -> \(out.path)/types.jsonl: "), lines[0])
        XCTAssertTrue(lines[3].hasPrefix("BAD \(bad): "), lines[3])
        XCTAssertTrue(lines[4].hasPrefix("4 files: 3 exported, 1 failed, "), lines[4])
        XCTAssertTrue(r.err.contains(bad), r.err)

        let csv = try RDBKitProcess.run(["export", "--format", "csv", "-o", out.path] + inputs)
        XCTAssertEqual(csv.status, 0, csv.err)
        XCTAssertTrue(try contents(out).contains("types.csv"))
    }

    /// convert of several inputs: each output the same file a convert of that input alone gives
    /// (less its ctime aux field), a line per input, a combined line, and a bad input leaves nothing.
    func testConvertWritesOneOutputPerInputAsASingleConvertDoes() throws {
        let out = scratch.appendingPathComponent("converted")
        let bad = try damaged()
        let r = try RDBKitProcess.run(["convert", "--jobs", "2", "--target-version", "redis-7.0", "-o", out.path + "/"] + inputs + [bad])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertEqual(try contents(out), ["rdb_version_5_with_checksum.rdb", "types.rdb", "ziplist_with_integers.rdb"])
        for input in inputs {
            let alone = scratch.appendingPathComponent("alone.rdb").path
            XCTAssertEqual(try RDBKitProcess.run(["convert", input, alone, "--target-version", "redis-7.0"]).status, 0)
            let name = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent + ".rdb"
            let many = out.appendingPathComponent(name).path
            XCTAssertEqual(try RDBKitProcess.run(["export", many]).out, try RDBKitProcess.run(["export", alone]).out, input)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: many)).count, try Data(contentsOf: URL(fileURLWithPath: alone)).count, input)
            try FileManager.default.removeItem(atPath: alone)
        }
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, r.out)
        XCTAssertTrue(lines[0].hasPrefix("OK  \(inputs[0]) -> \(out.path)/types.rdb: "), lines[0])
        XCTAssertTrue(lines[3].hasPrefix("BAD \(bad): "), lines[3])
        XCTAssertTrue(lines[4].hasPrefix("4 files: 3 converted, 1 failed, "), lines[4])
        // The format of a directory's outputs comes from --to.
        let aof = try RDBKitProcess.run(["convert", "--to", "aof", "-o", scratch.appendingPathComponent("aofs").path] + inputs)
        XCTAssertEqual(aof.status, 0, aof.err)
        XCTAssertEqual(try contents(scratch.appendingPathComponent("aofs")), ["rdb_version_5_with_checksum.aof", "types.aof", "ziplist_with_integers.aof"])
        XCTAssertEqual(try RDBKitProcess.run(["convert"] + inputs).status, 2, "several inputs without -o DIR/")
    }

    func testSeveralInputsNeedADirectoryOfDistinctNames() throws {
        XCTAssertEqual(try RDBKitProcess.run(["export"] + inputs).status, 2, "several inputs to standard output")
        let file = scratch.appendingPathComponent("a-file")
        try Data().write(to: file)
        XCTAssertEqual(try RDBKitProcess.run(["export", "-o", file.path] + inputs).status, 2)
        let copy = scratch.appendingPathComponent("types.rdb")
        try FileManager.default.copyItem(atPath: inputs[0], toPath: copy.path)
        let clash = try RDBKitProcess.run(["export", "-o", scratch.appendingPathComponent("out").path, inputs[0], copy.path])
        XCTAssertEqual(clash.status, 2)
        XCTAssertTrue(clash.err.contains("would both be written"), clash.err)
        XCTAssertEqual(try RDBKitProcess.run(["validate", "--jobs", "0", inputs[0]]).status, 2)
    }

    func testInspectSummariesInOrderOrOneFilePerInput() throws {
        let printed = try RDBKitProcess.run(["inspect", "--json", "--jobs", "2"] + inputs)
        XCTAssertEqual(printed.status, 0, printed.err)
        let objects = try printed.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(objects.count, 4, printed.out)
        XCTAssertEqual(objects.dropLast().map { $0["path"] as? String }, inputs)
        XCTAssertEqual(objects.last?["files"] as? Int, 3)

        let out = scratch.appendingPathComponent("summaries")
        let written = try RDBKitProcess.run(["inspect", "-o", out.path, "--jobs", "2"] + inputs + [try damaged()])
        XCTAssertEqual(written.status, 1)
        XCTAssertEqual(try contents(out), ["rdb_version_5_with_checksum.txt", "types.txt", "ziplist_with_integers.txt"])
        // Lines, not bytes: inspect's text lists tied encodings and prefixes in no fixed order.
        let alone = try RDBKitProcess.run(["inspect", inputs[0]])
        let summaryFile = try String(contentsOf: out.appendingPathComponent("types.txt"), encoding: .utf8)
        XCTAssertEqual(summaryFile.split(separator: "\n").first, alone.out.split(separator: "\n").first)
        XCTAssertEqual(summaryFile.split(separator: "\n").count, alone.out.split(separator: "\n").count)
    }
}
