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
        XCTAssertEqual(objects.count, 3, r.out)
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
        XCTAssertTrue(r.out.contains("the file is truncated here"), r.out)
        XCTAssertTrue(r.out.range(of: #"\(key "[^"]+"\)"#, options: .regularExpression) != nil, r.out)
        XCTAssertTrue(r.out.range(of: #"\(\d+ whole keys read before it\)"#, options: .regularExpression) != nil, r.out)
        let gz = scratch.appendingPathComponent("cut.rdb.gz")
        _ = try RedisServerProcess.run("/bin/sh", ["-c", "head -c 300 '\(source.path)' | gzip > '\(gz.path)'"])
        let streamed = try RDBKitProcess.run(["validate", gz.path])
        XCTAssertTrue(streamed.out.contains("the file is truncated here"), streamed.out)
    }
}
