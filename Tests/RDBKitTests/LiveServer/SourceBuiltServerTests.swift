import Foundation
import XCTest
@testable import RDBKit

/// What Redis 8.6 and 8.8 themselves make of what we write (`SourceBuiltServers`: servers built
/// from the upstream source; skipped without them). Each compares a server that loaded the real
/// fixture with one that loaded our output: the oracle's content (`server_to_jsonl.py`: every
/// value, stream groups, NACKs and IDMP counters, arrays) and `DEBUG DIGEST-VALUE` of every key.
final class SourceBuiltServerTests: XCTestCase {
    /// `DEBUG DIGEST-VALUE` per key, one `db base64(key) digest` line each, sorted. DEBUG DIGEST
    /// of a whole db walks an array to its highest index (2^62 in the fixture), so keys go one by
    /// one and such an array is left to the oracle.
    private static let digestScript = """
        import sys, base64, redis
        out = []
        for db in range(16):
            r = redis.Redis(port=int(sys.argv[1]), db=db)
            for k in r.scan_iter(count=1000):
                if r.type(k) == b'array':
                    info = r.execute_command('ARINFO', k)
                    d = info if isinstance(info, dict) else dict(zip(info[::2], info[1::2]))
                    if d.get(b'len', d.get('len', 0)) > 1000000: continue
                out.append('%d %s %s' % (db, base64.b64encode(k).decode(), r.execute_command('DEBUG', 'DIGEST-VALUE', k)[0].decode()))
        print('\\n'.join(sorted(out)))
        """

    private func fixture(_ server: SourceBuiltServers.Server) -> String {
        FixturePaths.fixtures.appendingPathComponent("redis-\(server.release)/types.rdb").path
    }

    private func requirements() throws -> (servers: [SourceBuiltServers.Server], python: String) {
        let servers = try SourceBuiltServers.all()
        guard ServerContentOracle.isAvailable, let python = RedisServerProcess.executable("python3") else {
            throw XCTSkip("needs python3 with redis-py (the oracle)")
        }
        return (servers, python)
    }

    /// What a server holds: the oracle's lines and every key's digest.
    private func content(of live: RedisServerProcess, python: String) throws -> (lines: [String], digests: String) {
        let lines = try ServerContentOracle.read(port: live.port).map { line -> String in
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
        let digests = try RedisServerProcess.run(python, ["-c", Self.digestScript, "\(live.port)"])
        XCTAssertEqual(digests.status, 0)
        return (lines, String(decoding: digests.stdout, as: UTF8.self))
    }

    /// Equal content, or the first lines that differ (shortened).
    private func assertSame(_ got: (lines: [String], digests: String), _ expected: (lines: [String], digests: String), _ label: String) {
        let extra = Set(got.lines).subtracting(expected.lines).sorted(), missing = Set(expected.lines).subtracting(got.lines).sorted()
        // Where the first differing lines part: 150 characters either side.
        var at = ""
        if let a = extra.first.map(Array.init), let b = missing.first.map(Array.init) {
            let i = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            at = " — ours …\(String(a[max(0, i - 150)..<min(a.count, i + 150)]))… the original …\(String(b[max(0, i - 150)..<min(b.count, i + 150)]))…"
        }
        XCTAssertTrue(extra.isEmpty && missing.isEmpty, "\(label): \(extra.count) lines only ours, \(missing.count) only the original's\(at)")
        let ours = Set(got.digests.split(separator: "\n")), theirs = Set(expected.digests.split(separator: "\n"))
        XCTAssertEqual(ours, theirs, "\(label): digests")
    }

    private func start(_ server: SourceBuiltServers.Server, dump: String? = nil, module: Bool = false) throws -> RedisServerProcess {
        let command = [server.binary] + (module ? ["--loadmodule", try XCTUnwrap(server.keyMetadataModule, "test_keymeta.so not built")] : [])
        return try XCTUnwrap(try RedisServerProcess(command: command, dump: dump), "redis-cli missing")
    }

    private func scratchDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-built-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Our RDB 13/14 writes of the fixture (converted, and through JSON export and import) load
    /// in the real server as the fixture does; so does every older fixture converted for it.
    func testOurWritesLoadWithEqualContentAndDigests() throws {
        let (servers, python) = try requirements()
        let dir = try scratchDirectory()
        for server in servers {
            let original = try start(server, dump: fixture(server))
            let expected = try content(of: original, python: python)
            original.stop()
            XCTAssertGreaterThan(expected.lines.count, 20, server.release)

            let converted = dir.appendingPathComponent("\(server.release).rdb").path
            var r = try RDBKitProcess.run(["convert", fixture(server), converted, "--target-version", server.target])
            XCTAssertEqual(r.status, 0, r.err)
            let json = dir.appendingPathComponent("\(server.release).jsonl").path
            r = try RDBKitProcess.run(["export", fixture(server), "-o", json, "--with-meta"])
            XCTAssertEqual(r.status, 0, r.err)
            let imported = dir.appendingPathComponent("\(server.release)-imported.rdb").path
            r = try RDBKitProcess.run(["convert", json, imported, "--target-version", server.target])
            XCTAssertEqual(r.status, 0, r.err)
            for ours in [converted, imported] {
                let live = try start(server, dump: ours)
                defer { live.stop() }
                let got = try content(of: live, python: python)
                assertSame(got, expected, "\(server.release): \(ours)")
                print("Redis \(server.release) loaded \(URL(fileURLWithPath: ours).lastPathComponent): \(got.lines.count) keys, "
                      + "\(got.digests.split(separator: "\n").count) digests equal to the fixture's")
            }

            // Every older Redis fixture: loaded as it is and as we convert it for this server.
            for dump in FixturePaths.allDumps() where !dump.path.contains("/redis-8.") && !dump.path.contains("valkey") {
                guard let header = Validator.validate(path: dump.path).header, header.family == .redis, header.version <= 14 else { continue }
                guard let live = try? RedisServerProcess(command: [server.binary], dump: dump.path) else { continue }
                let before = try content(of: live, python: python)
                live.stop()
                let out = dir.appendingPathComponent("old-\(server.release)-\(dump.lastPathComponent)").path
                let c = try RDBKitProcess.run(["convert", dump.path, out, "--target-version", server.target])
                XCTAssertEqual(c.status, 0, "\(dump.path): \(c.err)")
                let again = try start(server, dump: out)
                let after = try content(of: again, python: python)
                again.stop()
                assertSame(after, before, "\(server.release): \(dump.path)")
            }
        }
    }

    /// RESTORE of each key's payload (8.6 stamps 13, 8.8 stamps 14) rebuilds what the fixture holds.
    func testRestorePayloadsAreAccepted() throws {
        let (servers, python) = try requirements()
        for server in servers {
            let original = try start(server, dump: fixture(server))
            let expected = try content(of: original, python: python)
            original.stop()
            let target = try XCTUnwrap(RDBTarget.named(server.target))
            let writer = try RDBWriter(path: nil, target: target)
            let live = try start(server)
            defer { live.stop() }
            var byDB: [Int: [[[UInt8]]]] = [:]
            for record in try RDBReader.records(path: fixture(server)) {
                let payload = try writer.dumpPayload(for: record)
                byDB[record.db, default: []].append([Array("RESTORE".utf8), record.key, Array(String(record.expireAtMs ?? 0).utf8),
                                                     payload, Array("ABSTTL".utf8), Array("REPLACE".utf8)])
            }
            XCTAssertTrue(writer.losses.isEmpty, "\(writer.losses)")
            for (db, commands) in byDB.sorted(by: { $0.key < $1.key }) {
                try live.pipe([[Array("SELECT".utf8), Array(String(db).utf8)]] + commands)
            }
            let got = try content(of: live, python: python)
            assertSame(got, expected, server.release)
            print("Redis \(server.release) accepted \(byDB.values.map(\.count).reduce(0, +)) RESTORE payloads; content equal to the fixture's")
        }
    }

    /// The memory estimate of arrays against `MEMORY USAGE key SAMPLES 0` of Redis 8.8.
    func testArrayMemoryEstimateAgainstMemoryUsage() throws {
        guard let server = SourceBuiltServers.server("8.8") else { throw XCTSkip("no Redis 8.8 built from source") }
        let live = try start(server, dump: fixture(server))
        defer { live.stop() }
        var stats: [String: KeyStats] = [:]
        try RDBReader.read(path: fixture(server), visitor: KeyStatsCollector { stats[String(decoding: $0.key, as: UTF8.self)] = $0 })
        var compared = 0
        for (name, s) in stats.sorted(by: { $0.key < $1.key }) where s.type == .array {
            let usage = Double(try live.command("MEMORY", "USAGE", name, "SAMPLES", "0").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            guard usage > 0 else { continue }
            let ratio = Double(s.memory) / usage
            print("array memory \(name): ours \(s.memory), Redis 8.8 \(Int(usage)), ratio \(String(format: "%.3f", ratio))")
            XCTAssertLessThan(abs(ratio - 1), 0.25, name)
            compared += 1
        }
        XCTAssertEqual(compared, 5)
    }

    /// Key metadata written by us loads into a server whose module registers the classes (each
    /// key's value as the writing server held it), and what that server saves reads back the
    /// same. A class without ALLOW_IGNORE: the server without it refuses the file, and so does
    /// `validate`, naming the key.
    func testKeyMetadataAgainstTheModule() throws {
        let servers = try SourceBuiltServers.all().filter { $0.keyMetadataModule != nil }
        guard !servers.isEmpty else { throw XCTSkip("test_keymeta.so not built") }
        let dir = try scratchDirectory()
        for server in servers {
            let facts = try parseJSONLines(try Data(contentsOf: FixturePaths.fixtures.appendingPathComponent("redis-\(server.release)/types.meta.jsonl")))
            let ours = dir.appendingPathComponent("meta-\(server.release).rdb").path
            let c = try RDBKitProcess.run(["convert", fixture(server), ours, "--target-version", server.target])
            XCTAssertEqual(c.status, 0, c.err)
            let live = try start(server, module: true)
            defer { live.stop() }
            // Classes are registered at run time only with this debug switch (RM_CreateKeyMetaClass).
            _ = try live.command("DEBUG", "ENABLE-KEYMETA-RUNTIME-REGISTRATION", "1")
            XCTAssertEqual(try live.command("KEYMETA.REGISTER", "KMT1", "1", "ALLOWIGNORE:RDBLOAD:RDBSAVE").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, false)
            _ = try live.command("KEYMETA.REGISTER", "KMT2", "3", "ALLOWIGNORE:RDBLOAD:RDBSAVE")
            try? FileManager.default.removeItem(atPath: live.dumpPath)
            try FileManager.default.copyItem(atPath: ours, toPath: live.dumpPath)
            XCTAssertEqual(try live.command("DEBUG", "RELOAD", "NOSAVE").trimmingCharacters(in: .whitespacesAndNewlines), "OK")
            var checked = 0
            for fact in facts {
                guard let keymeta = fact["keymeta"] as? [String: String], let key = fact["key"] as? String else { continue }
                for (name, value) in keymeta {
                    XCTAssertEqual(try live.command("KEYMETA.GET", name, key).trimmingCharacters(in: .whitespacesAndNewlines), value, "\(server.release) \(key) \(name)")
                    checked += 1
                }
            }
            XCTAssertGreaterThanOrEqual(checked, 4, server.release)
            XCTAssertEqual(try live.command("SAVE").trimmingCharacters(in: .whitespacesAndNewlines), "OK")
            let saved = try RDBReader.records(path: live.dumpPath).filter { !$0.metadata.isEmpty }
            let written = try RDBReader.records(path: ours).filter { !$0.metadata.isEmpty }
            // The server saves its keys in its own order.
            func byKey(_ records: [KeyRecord]) -> [Bytes: [KeyMetadata]] {
                Dictionary(records.map { ($0.key, $0.metadata) }, uniquingKeysWith: { a, _ in a })
            }
            XCTAssertEqual(byKey(saved), byKey(written), server.release)
            XCTAssertEqual(saved.count, 4, server.release)

            // A class that does not allow being ignored.
            _ = try live.command("KEYMETA.REGISTER", "KMT9", "2", "RDBLOAD:RDBSAVE")
            _ = try live.command("SET", "strict:key", "v")
            XCTAssertEqual(try live.command("KEYMETA.SET", "KMT9", "strict:key", "held").trimmingCharacters(in: .whitespacesAndNewlines), "OK")
            XCTAssertEqual(try live.command("SAVE").trimmingCharacters(in: .whitespacesAndNewlines), "OK")
            let strict = dir.appendingPathComponent("strict-\(server.release).rdb").path
            try FileManager.default.copyItem(atPath: live.dumpPath, toPath: strict)
            XCTAssertThrowsError(try RedisServerProcess(command: [server.binary], dump: strict), "\(server.release) loads a class it lacks")
            let v = try RDBKitProcess.run(["validate", strict])
            XCTAssertEqual(v.status, 1, v.out)
            XCTAssertTrue(v.out.contains("KMT9") && v.out.contains("strict:key") && v.out.contains("at offset"), v.out)
            let declared = try RDBKitProcess.run(["validate", strict, "--metadata-class", "KMT9"])
            XCTAssertEqual(declared.status, 0, declared.out)
        }
    }

    /// XADD … IDMPAUTO as the server's own AOF holds it (the ID made explicit, IDMPAUTO kept):
    /// the replay derives each iid as the server did, duplicates included.
    func testIdmpautoReplayMatchesTheServer() throws {
        let dir = try scratchDirectory()
        for server in try SourceBuiltServers.all() {
            let live = try XCTUnwrap(try RedisServerProcess(command: [server.binary], extraArguments: ["--appendonly", "yes"]))
            defer { live.stop() }
            let sent: [(producer: String, fields: [String])] = [
                ("p0", ["f", "v"]), ("p0", ["a", "1", "b", "2"]), ("p0", ["b", "2", "a", "1"]),
                ("p1", ["", ""]), ("p1", ["long", String(repeating: "x", count: 300)]), ("p0", ["f", "v"]),
            ]
            try live.pipe(sent.map { (["XADD", "s", "IDMPAUTO", $0.producer, "*"] + $0.fields).map { Array($0.utf8) } })
            XCTAssertEqual(try live.command("SAVE").trimmingCharacters(in: .whitespacesAndNewlines), "OK")
            let held = try XCTUnwrap(try RDBReader.records(path: live.dumpPath).first)
            let replayed = dir.appendingPathComponent("replayed-\(server.release).rdb").path
            let c = try RDBKitProcess.run(["convert", live.directory.appendingPathComponent("appendonlydir").path, replayed, "--target-version", server.target])
            XCTAssertEqual(c.status, 0, c.err)
            let ours = try XCTUnwrap(try RDBReader.records(path: replayed).first)
            guard case .stream(let a) = held.value, case .stream(let b) = ours.value else { return XCTFail("not streams") }
            XCTAssertEqual(a.entries.count, 4, "fields in another order, and the same fields again, are duplicates")
            XCTAssertEqual(b.entries, a.entries, server.release)
            XCTAssertEqual(b.idmp, a.idmp, server.release)
            XCTAssertEqual(a.idmp?.producers.flatMap(\.entries).map(\.iid.count), [16, 16, 16, 16])
        }
    }
}
