import Foundation
import XCTest
@testable import RDBKit

/// Redis 8.6/8.8 commands in the replay engine, as t_array.c and t_stream.c apply them, and the
/// rewrite and the replay as inverses of each other on the real Redis 8.8 dump.
final class Redis88ReplayTests: XCTestCase {
    private func replay(_ commands: [[String]]) throws -> (ReplayEngine, Keyspace) {
        let keyspace = Keyspace()
        let engine = ReplayEngine(keyspace: keyspace, now: 1_000_000)
        for (i, c) in commands.enumerated() {
            try engine.apply(AOFCommand(offset: Int64(i), timestamp: nil, arguments: c.map { Array($0.utf8) }))
        }
        return (engine, keyspace)
    }

    private func array(_ keyspace: Keyspace, _ key: String) -> [String: String]? {
        guard case .array(let a)? = keyspace[0, Array(key.utf8)]?.value else { return nil }
        var out: [String: String] = [:]
        for (index, v) in a.elements { out[String(index)] = String(decoding: v.text, as: UTF8.self) }
        if let insert = a.insertIndex { out["next"] = String(insert &+ 1) }
        return out
    }

    func testArrayCommands() throws {
        let (engine, keyspace) = try replay([
            ["ARSET", "a", "5", "x", "42", "1.50"],
            ["ARMSET", "a", "100", "3.5", "0", "zero"],
            ["ARDEL", "a", "6"],
            ["ARINSERT", "i", "p", "q"],
            ["ARINSERT", "i", "r"],
            ["ARSEEK", "i", "10"],
            ["ARINSERT", "i", "s"],
            ["ARDELRANGE", "a", "200", "99", "0", "0"],
            ["ARSET", "gone", "1", "v"],
            ["ARDEL", "gone", "1"],
            ["ARSEEK", "missing", "3"],
            ["ARSET", "bad", "18446744073709551615", "v"],
        ])
        XCTAssertEqual(array(keyspace, "a"), ["5": "x", "7": "1.50"])
        XCTAssertEqual(array(keyspace, "i"), ["0": "p", "1": "q", "2": "r", "10": "s", "next": "11"])
        XCTAssertNil(keyspace[0, Array("gone".utf8)], "an emptied array is deleted")
        XCTAssertNil(keyspace[0, Array("missing".utf8)], "ARSEEK does not create")
        XCTAssertEqual(engine.refused["arset"], 1, "index 2^64-1 is refused")
        guard case .array(let a)? = keyspace[0, Array("a".utf8)]?.value else { return XCTFail() }
        XCTAssertEqual(a.elements[7], .smallString(Array("1.50".utf8)), "1.50 is not d2string's form: kept as text")
    }

    /// arringCommand: writes wrap at the size; a smaller size keeps the newest items, rebuilt from 0.
    func testArrayRing() throws {
        let (_, keyspace) = try replay([
            ["ARRING", "r", "3", "a", "b", "c", "d", "e"],
        ])
        XCTAssertEqual(array(keyspace, "r"), ["0": "d", "1": "e", "2": "c", "next": "2"])
        let (_, shrunk) = try replay([
            ["ARRING", "r", "4", "a", "b", "c", "d", "e", "f"],
            ["ARRING", "r", "2", "g"],
        ])
        // The 4-ring holds e f c d with f newest; keeping 2 keeps e f at 0 1, then g wraps to 0.
        XCTAssertEqual(array(shrunk, "r"), ["0": "g", "1": "f", "next": "1"])
    }

    func testStreamIdmpAndNack() throws {
        let (engine, keyspace) = try replay([
            ["XADD", "s", "IDMP", "p1", "i1", "1-1", "f", "v"],
            ["XADD", "s", "IDMP", "p1", "i1", "*", "f", "again"],
            ["XADD", "s", "2-1", "f", "v2"],
            ["XIDMPRECORD", "s", "p0", "i9", "2-1"],
            ["XGROUP", "CREATE", "s", "g", "0"],
            ["XCLAIM", "s", "g", "c", "0", "1-1", "TIME", "5", "RETRYCOUNT", "3", "JUSTID", "FORCE"],
            ["XNACK", "s", "g", "SILENT", "IDS", "1", "1-1"],
            ["XNACK", "s", "g", "FAIL", "IDS", "1", "2-1", "RETRYCOUNT", "7", "FORCE"],
            ["XCFGSET", "s", "IDMP-MAXSIZE", "100"],
        ])
        XCTAssertTrue(engine.refused.isEmpty, "\(engine.refused)")
        guard case .stream(let s)? = keyspace[0, Array("s".utf8)]?.value else { return XCTFail("no stream") }
        XCTAssertEqual(s.entries.count, 2, "the duplicate iid added nothing")
        let idmp = try XCTUnwrap(s.idmp)
        XCTAssertEqual(idmp.iidsAdded, 2)
        XCTAssertEqual(idmp.iidsDuplicates, 1)
        XCTAssertEqual(idmp.producers.map { String(decoding: $0.pid, as: UTF8.self) }, ["p0", "p1"])
        let g = try XCTUnwrap(s.groups.first)
        XCTAssertEqual(g.nacked, [StreamID(ms: 1, seq: 1), StreamID(ms: 2, seq: 1)])
        XCTAssertEqual(g.pending.map(\.deliveryCount), [2, 7])
        XCTAssertTrue(g.pending.allSatisfy { $0.consumer == nil && $0.deliveryTimeMs == 0 })
        XCTAssertEqual(g.consumers.first?.pending, [])
        // A changed configuration clears the producers' iids, not the counters.
        let (_, cleared) = try replay([["XADD", "t", "IDMP", "p", "i", "1-1", "f", "v"], ["XCFGSET", "t", "IDMP-DURATION", "60"]])
        guard case .stream(let t)? = cleared[0, Array("t".utf8)]?.value else { return XCTFail() }
        XCTAssertEqual(t.idmp?.producers.count, 0)
        XCTAssertEqual(t.idmp?.duration, 60)
        XCTAssertEqual(t.idmp?.iidsAdded, 1)
    }

    /// The IDMPAUTO iids in the real dumps are the hash of their entry's fields (the server's own
    /// XXH3-128 vectors); a 16-byte iid the hash does not give was sent with IDMP.
    func testIdmpautoIidsAreTheServersHash() throws {
        var derived = 0
        for folder in ["redis-8.6", "redis-8.8"] {
            let dump = FixturePaths.fixtures.appendingPathComponent("\(folder)/types.rdb").path
            for record in try RDBReader.records(path: dump) {
                guard case .stream(let s) = record.value, let idmp = s.idmp else { continue }
                let fieldsByID = Dictionary(s.entries.map { ($0.id, $0.fields.flatMap { [$0.field, $0.value] }) }, uniquingKeysWith: { a, _ in a })
                for producer in idmp.producers {
                    for e in producer.entries where e.iid.count == 16 {
                        if let fields = fieldsByID[e.id], IdempotencyHash.iid(fields: fields[...]) == e.iid { derived += 1 }
                    }
                }
            }
        }
        XCTAssertGreaterThan(derived, 0, "no IDMPAUTO iid of the fixtures was derived")
        print("IDMPAUTO: \(derived) iids of the Redis 8.6/8.8 dumps derived from their fields")
        // Pairs in any order hash alike; the field's length separates field from value.
        let ab = IdempotencyHash.iid(fields: [Array("a".utf8), Array("1".utf8), Array("b".utf8), Array("2".utf8)])
        XCTAssertEqual(ab, IdempotencyHash.iid(fields: [Array("b".utf8), Array("2".utf8), Array("a".utf8), Array("1".utf8)]))
        XCTAssertNotEqual(IdempotencyHash.iid(fields: [Array("ab".utf8), Array("c".utf8)]), IdempotencyHash.iid(fields: [Array("a".utf8), Array("bc".utf8)]))
    }

    /// XADD … IDMPAUTO as the AOF holds it (the ID explicit; `*` for a duplicate, which the
    /// server propagated as called), options in any order.
    func testIdmpautoReplay() throws {
        let (engine, keyspace) = try replay([
            ["XADD", "s", "IDMPAUTO", "p", "1-1", "a", "1", "b", "2"],
            ["XADD", "s", "IDMPAUTO", "p", "*", "b", "2", "a", "1"],
            ["XADD", "s", "MAXLEN", "=", "5", "IDMPAUTO", "q", "2-1", "f", "v"],
            ["XADD", "s", "NOMKSTREAM", "IDMP", "q", "x", "MAXLEN", "1", "3-1", "f", "w"],
            ["XADD", "s", "IDMPAUTO", "", "*", "f", "v"],
            ["XADD", "s", "IDMP", "p", "i", "IDMPAUTO", "p", "*", "f", "v"],
        ])
        XCTAssertEqual(engine.refused["xadd"], 2, "an empty producer, IDMP with IDMPAUTO")
        guard case .stream(let s)? = keyspace[0, Array("s".utf8)]?.value else { return XCTFail("no stream") }
        XCTAssertEqual(s.entries.map(\.id), [StreamID(ms: 3, seq: 1)], "MAXLEN 1 after the options")
        let idmp = try XCTUnwrap(s.idmp)
        XCTAssertEqual(idmp.iidsAdded, 3)
        XCTAssertEqual(idmp.iidsDuplicates, 1)
        XCTAssertEqual(idmp.lookup(pid: Array("p".utf8), iid: IdempotencyHash.iid(fields: [Array("a".utf8), Array("1".utf8), Array("b".utf8), Array("2".utf8)])),
                       StreamID(ms: 1, seq: 1))
        XCTAssertEqual(idmp.lookup(pid: Array("q".utf8), iid: Array("x".utf8)), StreamID(ms: 3, seq: 1))
    }

    /// The Redis 8.8 dump as an AOF (Redis 8.8's rewrite) and merged back into an RDB by the
    /// replay: arrays, NACK zones and IDMP state come back as they were.
    func testRewriteThenReplayKeepsTheRedis88Dump() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-8.8/types.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { throw XCTSkip("no Redis 8.8 fixture") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-88aof-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let target = try XCTUnwrap(RDBTarget.named("redis-8.8"))
        let aof = scratch.appendingPathComponent("appendonly.aof").path
        let rewrite = try Convert.rdbToAOF(inputPath: dump, outputPath: aof, layout: .singleFile, target: target, lossy: true, withoutModules: true)
        let merged = scratch.appendingPathComponent("merged.rdb").path
        _ = try Merge.run(base: aof, deltas: [], outputPath: merged, options: Merge.Options(target: target, now: 0))
        // What no command carries, as in Redis's own rewrite: module aux data, and the IDMP counters.
        XCTAssertEqual(rewrite.losses.filter { !$0.requested && !$0.what.contains("module aux") }.map { String(decoding: $0.key ?? [], as: UTF8.self) },
                       ["stream:idmp"], "\(rewrite.losses)")
        let before = try RDBReader.records(path: dump), after = try RDBReader.records(path: merged)
        func key(_ r: KeyRecord) -> String { "\(r.db)/\(String(decoding: r.key, as: UTF8.self))" }
        let byKey = Dictionary(after.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        var arrays = 0, streams = 0
        for original in before {
            guard let replayed = byKey[key(original)] else {
                if case .module = original.value { continue }
                XCTFail("\(key(original)) missing after the replay")
                continue
            }
            switch (original.value, replayed.value) {
            case (.array(let a), .array(let b)):
                XCTAssertEqual(a.insertIndex, b.insertIndex, key(original))
                XCTAssertEqual(a.elements.map { $0.index }, b.elements.map { $0.index }, key(original))
                XCTAssertEqual(a.elements.map { $0.value.text }, b.elements.map { $0.value.text }, key(original))
                arrays += 1
            case (.stream(let a), .stream(let b)):
                // The rewrite leaves out what a server loading the dump now drops (`StreamIdmp.live`).
                XCTAssertEqual(a.idmp?.live(at: Int64(Date().timeIntervalSince1970 * 1000)).producers, b.idmp?.producers, key(original))
                XCTAssertEqual(a.idmp?.duration, b.idmp?.duration, key(original))
                XCTAssertEqual(a.idmp?.maxSize, b.idmp?.maxSize, key(original))
                XCTAssertEqual(a.groups.map(\.nacked), b.groups.map(\.nacked), key(original))
                XCTAssertEqual(a.groups.map { $0.pending.map(\.id) }, b.groups.map { $0.pending.map(\.id) }, key(original))
                XCTAssertEqual(a.groups.map { $0.pending.map(\.deliveryCount) }, b.groups.map { $0.pending.map(\.deliveryCount) }, key(original))
                streams += 1
            default:
                XCTAssertEqual(original.value.type, replayed.value.type, key(original))
            }
            XCTAssertEqual(original.expireAtMs, replayed.expireAtMs, key(original))
        }
        XCTAssertEqual(arrays, 5)
        XCTAssertEqual(streams, 3)
    }

    /// The fuzz targets' probes on the new decoders, with deterministic damage (the fuzzer's own
    /// build does not run here): the Redis 8.8 command seed through the replay, the 8.8 dump and
    /// its JSON export through the reader and the importer. A crash would end the test run.
    func testHostileProbesSurviveDamagedRedis88Inputs() throws {
        let seeds: [(String, [UInt8])] = try [
            ("replay", [UInt8](Data(contentsOf: FixturePaths.repositoryRoot.appendingPathComponent("Fuzz/Seeds/resp/redis-8.8-commands.aof")))),
            ("rdb", [UInt8](Data(contentsOf: FixturePaths.fixtures.appendingPathComponent("redis-8.8/types.rdb")))),
            ("json", [UInt8](exportToMemory(FixturePaths.fixtures.appendingPathComponent("redis-8.8/types.rdb").path).prefix(40_000))),
        ]
        var random = CommandWorkload(seed: 88)
        for (target, seed) in seeds {
            XCTAssertTrue(HostileInputProbe.run(target: target, bytes: seed))
            for _ in 0..<(target == "rdb" ? 15 : target == "json" ? 100 : 300) {
                var bytes = seed
                for _ in 0..<3 {
                    let at = Int(random.next() % UInt64(bytes.count))
                    bytes[at] = UInt8(truncatingIfNeeded: random.next())
                }
                let cut = Int(random.next() % UInt64(bytes.count + 1))
                HostileInputProbe.run(target: target, bytes: Array(bytes[..<max(cut, bytes.count / 2)]))
            }
        }
    }
}
