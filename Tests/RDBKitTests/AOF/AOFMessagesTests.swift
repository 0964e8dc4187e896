import Foundation
import XCTest
@testable import RDBKit

/// What validate says about append-only files and truncated dumps: JSON only with --json,
/// module commands as unknown (not damage) unless --strict, truncation named with its key.
final class AOFMessagesTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try RDBKitProcess.scratch("aof-messages") }
    override func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    private func resp(_ commands: [[String]]) -> String {
        commands.map { c in "*\(c.count)\r\n" + c.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined() }.joined()
    }

    private func write(_ text: String, _ name: String) throws -> String {
        let url = scratch.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func testValidateJSONPrintsOnlyJSONForAOFs() throws {
        let good = try write(resp([["SET", "a", "1"], ["SELECT", "1"], ["RPUSH", "l", "x"]]), "good.aof")
        let bad = try write(resp([["SET", "a", "1"], ["SEX", "b", "2"]]), "bad.aof")
        let dump = FixturePaths.fixtures.appendingPathComponent("legacy/ziplist_with_integers.rdb").path
        let r = try RDBKitProcess.run(["validate", "--json", good, bad, dump])
        XCTAssertEqual(r.status, 1)
        let objects = try r.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(objects.count, 4, r.out)
        XCTAssertEqual(objects[3]["files"] as? Int, 3, "the combined summary closes the list")
        XCTAssertEqual(objects[0]["valid"] as? Bool, true)
        XCTAssertEqual(objects[0]["format"] as? String, "aof")
        XCTAssertEqual(objects[0]["commands"] as? Int, 3)
        XCTAssertEqual(objects[1]["valid"] as? Bool, false)
        let error = try XCTUnwrap(objects[1]["error"] as? [String: Any])
        XCTAssertEqual(error["offset"] as? Int, 27)
        XCTAssertEqual(error["valid_up_to"] as? Int, 27)
        XCTAssertTrue((error["reason"] as? String)?.contains("unknown command 'SEX'") == true, "\(error)")
        XCTAssertEqual(objects[2]["valid"] as? Bool, true)
    }

    func testModuleCommandsAreUnknownNotDamageUnlessStrict() throws {
        let aof = try write(resp([["JSON.SET", "doc", "$", "{}"], ["SET", "a", "1"], ["FT.CREATE", "idx", "SCHEMA", "t", "TEXT"],
                                  ["JSON.SET", "doc", "$.a", "1"]]), "modules.aof")
        let lenient = try RDBKitProcess.run(["validate", aof])
        XCTAssertEqual(lenient.status, 0, lenient.out + lenient.err)
        XCTAssertTrue(lenient.out.contains("FT.CREATE 1, JSON.SET 2"), lenient.out)
        let json = try RDBKitProcess.run(["validate", aof, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        XCTAssertEqual(object["module_commands"] as? [String: Int], ["JSON.SET": 2, "FT.CREATE": 1])
        let strict = try RDBKitProcess.run(["validate", aof, "--strict"])
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.out.contains("unknown command 'JSON.SET'"), strict.out)
        // A flipped bit in a core command's name is still damage.
        let flipped = try write(resp([["SET", "a", "1"], ["HSEU", "h", "f", "v"]]), "flipped.aof")
        XCTAssertEqual(try RDBKitProcess.run(["validate", flipped]).status, 1)
    }

    func testTruncatedDumpNamesTheTruncationTheKeyAndTheKeysBefore() throws {
        let source = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb")
        let bytes = try Data(contentsOf: source)
        let cut = scratch.appendingPathComponent("cut.rdb")
        try bytes.prefix(7000).write(to: cut)
        let r = try RDBKitProcess.run(["validate", cut.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.out.contains("truncated here"), r.out)
        XCTAssertTrue(r.out.range(of: #"\(key "[^"]+"\)"#, options: .regularExpression) != nil, r.out)
        XCTAssertTrue(r.out.range(of: #"\(\d+ whole keys read before it\)"#, options: .regularExpression) != nil, r.out)
        let gz = scratch.appendingPathComponent("cut.rdb.gz")
        _ = try RedisServerProcess.run("/bin/sh", ["-c", "head -c 300 '\(source.path)' | gzip > '\(gz.path)'"])
        let streamed = try RDBKitProcess.run(["validate", gz.path])
        XCTAssertTrue(streamed.out.contains("truncated here"), streamed.out)
    }
}

extension AOFMessagesTests {
    /// --db applies to an AOF's commands (and its RDB content) by SELECT; the filters a command
    /// cannot be judged by are refused by name instead of ignored.
    func testFiltersOnAnAOFExportAreAppliedOrRefused() throws {
        let aof = try write(resp([["SET", "a", "1"], ["SELECT", "1"], ["SET", "b", "2"], ["RPUSH", "l", "x"], ["SELECT", "0"], ["DEL", "a"]]), "dbs.aof")
        let all = try RDBKitProcess.run(["export", aof])
        XCTAssertEqual(all.out.split(separator: "\n").count, 6)
        let db1 = try RDBKitProcess.run(["export", aof, "--db", "1"])
        XCTAssertEqual(db1.status, 0, db1.err)
        let lines = try db1.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(lines.map { ($0["args"] as! [String]).first! }, ["SELECT", "SET", "RPUSH"])
        XCTAssertTrue(lines.allSatisfy { $0["db"] as? Int == 1 })
        for arguments in [["--key", "a*"], ["--type", "string"], ["--key-regex", "a"], ["--min-size", "10"], ["--expired"]] {
            let refused = try RDBKitProcess.run(["export", aof] + arguments)
            XCTAssertEqual(refused.status, 2, arguments.joined(separator: " "))
            XCTAssertTrue(refused.err.contains("\(arguments[0]) cannot filter an AOF's commands in export (--db can)"), refused.err)
            XCTAssertTrue(refused.out.isEmpty)
        }
        XCTAssertEqual(try RDBKitProcess.run(["validate", aof, "--type", "hash"]).status, 2)
    }
}

extension AOFMessagesTests {
    /// What --skip-unknown's help promises: commands depending on chance or the server's clock
    /// are skipped too, and counted by name.
    func testMergeSkipUnknownSkipsWhatCannotBeReplayedExactly() throws {
        let aof = try write(resp([["SADD", "s", "a", "b", "c"], ["SPOP", "s"], ["XADD", "x", "MAXLEN", "~", "10", "1-1", "f", "v"],
                                  ["XADD", "x", "2-1", "f", "v"], ["XGROUP", "CREATE", "x", "g", "0"],
                                  ["XAUTOCLAIM", "x", "g", "c", "0", "0-0"], ["FROB.NICATE", "k"], ["SET", "done", "1"]]), "chance.aof")
        let out = scratch.appendingPathComponent("merged.rdb").path
        let strict = try RDBKitProcess.run(["merge", aof, "-o", out])
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.err.contains("SPOP of a random member"), strict.err)
        let skipping = try RDBKitProcess.run(["merge", aof, "-o", out, "--skip-unknown"])
        XCTAssertEqual(skipping.status, 0, skipping.err)
        for line in ["1 spop command skipped", "1 xadd command skipped", "1 xautoclaim command skipped", "1 frob.nicate command skipped"] {
            XCTAssertTrue(skipping.err.contains(line), skipping.err)
        }
        let keys = try RDBKitProcess.run(["export", out, "--format", "keys"]).out.split(separator: "\n").sorted()
        XCTAssertEqual(keys, ["done", "s", "x"])
    }
}

extension AOFMessagesTests {
    func testRepairOfADumpSaysItRepairsAOFs() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("legacy/ziplist_with_integers.rdb").path
        let out = scratch.appendingPathComponent("out").path
        let r = try RDBKitProcess.run(["repair", dump, "-o", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("repair works on append-only files"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// A cut of more than a little is pointed out with its size; --max-cut refuses it.
    func testRepairSaysHowMuchItCutsAndMaxCutLimitsIt() throws {
        let good = resp((0..<50).map { ["SET", "k\($0)", String(repeating: "v", count: 100)] })
        let aof = try write(good + "*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$9000\r\n" + String(repeating: "t", count: 200), "damaged.aof")
        let cut = Int64(try Data(contentsOf: URL(fileURLWithPath: aof)).count - good.utf8.count)
        let out = scratch.appendingPathComponent("fixed.aof").path
        let refused = try RDBKitProcess.run(["repair", aof, "-o", out, "--max-cut", "10"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("repair would cut \(cut) bytes"), refused.err)
        XCTAssertTrue(refused.err.contains("more than --max-cut 10; nothing was written"), refused.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let allowed = try RDBKitProcess.run(["repair", aof, "-o", out, "--max-cut", "10000"])
        XCTAssertEqual(allowed.status, 0, allowed.err)
        XCTAssertTrue(allowed.err.contains("removing \(cut) bytes"), allowed.err)
        XCTAssertTrue(allowed.err.contains("warning: that is more than a little"), allowed.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)).count, good.utf8.count)
    }
}

extension AOFMessagesTests {
    /// A loss names what is being written: the AOF for an AOF target, the RDB version for a dump.
    func testLossMessagesNameTheAOFTheyWrite() throws {
        let hfe = FixturePaths.fixtures.appendingPathComponent("redis-8.2/hfe.rdb").path
        let aof = scratch.appendingPathComponent("out.aof").path
        let toAOF = try RDBKitProcess.run(["convert", hfe, aof, "--target-version", "redis-7.0"])
        XCTAssertEqual(toAOF.status, 1)
        XCTAssertTrue(toAOF.err.contains("the AOF \(aof) (for Redis 7.0.15) cannot hold"), toAOF.err)
        XCTAssertFalse(toAOF.err.contains("REDIS0010"), toAOF.err)
        let merged = try RDBKitProcess.run(["merge", hfe, "-o", aof, "--to", "aof", "--target-version", "redis-7.0"])
        XCTAssertTrue(merged.err.contains("the AOF \(aof) (for Redis 7.0.15) cannot hold"), merged.err)
        let toRDB = try RDBKitProcess.run(["convert", hfe, scratch.appendingPathComponent("out.rdb").path, "--target-version", "redis-7.0"])
        XCTAssertTrue(toRDB.err.contains("REDIS0010 cannot hold"), toRDB.err)
    }
}
