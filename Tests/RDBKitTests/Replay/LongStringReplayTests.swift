import Foundation
import XCTest
@testable import RDBKit

/// An AOF's arguments longer than a piece (1 MiB) are applied from temporary files, and replayed
/// strings that long are kept on disk: every command still gives what Redis gives.
final class LongStringReplayTests: XCTestCase {
    private static let long = 3 << 20

    /// Bytes that are not UTF-8 (export writes them as base64).
    private static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state) | 0x80
        }
    }

    private func resp(_ commands: [[[UInt8]]]) -> [UInt8] {
        var out: [UInt8] = []
        for args in commands {
            out += Array("*\(args.count)\r\n".utf8)
            for a in args { out += Array("$\(a.count)\r\n".utf8) + a + [13, 10] }
        }
        return out
    }

    private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testLongArgumentsAndValuesReplayAsRedisDoes() throws {
        let dir = try scratchDirectory("long-replay")
        let a = Self.noise(Self.long, seed: 1)
        let text = [UInt8](repeating: UInt8(ascii: "t"), count: 2 << 20)
        let base = dir.appendingPathComponent("base.rdb").path
        let writer = try RDBWriter(path: base, target: try XCTUnwrap(RDBTarget.named("redis-7.0")))
        try writer.write(KeyRecord(db: 0, key: b("base:touched"), value: .string(a)))
        try writer.write(KeyRecord(db: 0, key: b("base:untouched"), value: .string(text)))
        try writer.finish()
        let commands: [[[UInt8]]] = [
            [b("SET"), b("big"), a],
            [b("APPEND"), b("big"), b("tail")],
            [b("SET"), b("grow"), b("x")],
            [b("APPEND"), b("grow"), text],
            [b("APPEND"), b("grow"), b("y")],
            [b("COPY"), b("big"), b("copied")],
            [b("APPEND"), b("copied"), b("2")],
            [b("SETRANGE"), b("ranged"), b("1"), text],
            [b("SET"), b("moved"), text],
            [b("RENAME"), b("moved"), b("renamed")],
            [b("MSET"), b("m1"), text, b("m2"), b("short")],
            [b("SET"), b("gone"), text],
            [b("DEL"), b("gone")],
            [b("PSETEX"), b("expiring"), b("100000"), a],
            [b("MULTI")],
            [b("SET"), b("queued"), text],
            [b("EXEC")],
            [b("HSET"), b("hash"), b("field"), a],
            [b("RPUSH"), b("list"), text, b("e")],
            [b("SET"), b("over"), text],
            [b("SETNX"), b("over"), a],
            [b("APPEND"), b("base:touched"), b("!")],
        ]
        let delta = dir.appendingPathComponent("delta.aof").path
        try Data(resp(commands)).write(to: URL(fileURLWithPath: delta))
        let now: Int64 = 1_700_000_000_000
        let merged = dir.appendingPathComponent("merged.rdb").path
        _ = try Merge.run(base: base, deltas: [delta], outputPath: merged,
                          options: Merge.Options(target: try XCTUnwrap(RDBTarget.named("redis-7.0")), now: now))
        var got: [String: KeyRecord] = [:]
        for r in try RDBReader.records(path: merged) { got[String(decoding: r.key, as: UTF8.self)] = r }
        let expected: [String: RedisValue] = [
            "big": .string(a + b("tail")),
            "grow": .string(b("x") + text + b("y")),
            "copied": .string(a + b("tail2")),
            "ranged": .string([0] + text),
            "renamed": .string(text),
            "m1": .string(text),
            "m2": .string(b("short")),
            "expiring": .string(a),
            "queued": .string(text),
            "hash": .hash([HashField(field: b("field"), value: a)]),
            "list": .list([text, b("e")]),
            "over": .string(text),
            "base:touched": .string(a + b("!")),
            "base:untouched": .string(text),
        ]
        XCTAssertEqual(Set(got.keys), Set(expected.keys))
        for (key, value) in expected { XCTAssertTrue(got[key]?.value == value, "\(key) differs") }
        XCTAssertEqual(got["expiring"]?.expireAtMs, now + 100_000)

        // The AOF itself as the base: convert d.aof out.rdb replays it the same way.
        let alone = dir.appendingPathComponent("alone.rdb").path
        _ = try Merge.run(base: delta, deltas: [], outputPath: alone,
                          options: Merge.Options(target: try XCTUnwrap(RDBTarget.named("redis-7.0")), now: now))
        let replayed = try RDBReader.records(path: alone)
        XCTAssertTrue(replayed.first { $0.key == b("big") }?.value == .string(a + b("tail")))

        // export of the AOF writes the long argument whole, as base64 (it is not UTF-8) or text.
        let exported = dir.appendingPathComponent("delta.jsonl").path
        XCTAssertEqual(try AOFExport.run(path: delta, outputPath: exported), commands.count)
        let lines = try parseJSONLines(try Data(contentsOf: URL(fileURLWithPath: exported)))
        let first = try XCTUnwrap(lines.first?["args"] as? [Any])
        let base64 = try XCTUnwrap((first[2] as? [String: Any])?["base64"] as? String)
        XCTAssertTrue(Base64.decode(Array(base64.utf8)) == a, "the long argument exports whole")
        let fourth = try XCTUnwrap(lines[3]["args"] as? [Any])
        XCTAssertEqual((fourth[2] as? String)?.utf8.count, text.count)
    }

    /// A long argument in a key's place is read back whole before the handler runs.
    func testALongKeyArgumentIsAKey() throws {
        let dir = try scratchDirectory("long-key")
        let key = Self.noise(Self.long, seed: 2)
        let delta = dir.appendingPathComponent("delta.aof").path
        try Data(resp([[b("SET"), key, b("v")], [b("APPEND"), key, b("w")]])).write(to: URL(fileURLWithPath: delta))
        let out = dir.appendingPathComponent("out.rdb").path
        _ = try Merge.run(base: delta, deltas: [], outputPath: out,
                          options: Merge.Options(target: try XCTUnwrap(RDBTarget.named("redis-7.0")), now: 0))
        let records = try RDBReader.records(path: out)
        XCTAssertEqual(records.count, 1)
        XCTAssertTrue(records.first?.key == key)
        XCTAssertEqual(records.first?.value, .string(b("vw")))
    }
}
