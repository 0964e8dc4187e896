import XCTest
@testable import RDBKit

/// Container elements longer than the reader's piece size (list elements, set and sorted-set
/// members, hash values) reach visitors in pieces, and every verb gives the same bytes as when
/// they come whole, wherever the piece boundaries fall (a small piece size puts them everywhere;
/// the default, 1 MiB, reads these elements whole as before).
final class LongElementTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-elements-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Elements whose JSON form depends on their last bytes, with short ones and integers between.
    private static let elements: [[UInt8]] = {
        let text = Array(String(repeating: "héllo wörld ✓ 𝄞 \"quoted\" \\ tab\t nl\n ", count: 90).utf8)
        return [
            text,
            Array("12".utf8),
            text + [0xE2, 0x82],
            Array("-70000".utf8),
            Array(String(repeating: "\u{1}\u{1F}\"\\", count: 700).utf8),
            deterministicNoise(5000, seed: 7),
            Array("short".utf8),
            Array(deterministicNoise(3000, seed: 3).map { 0x20 + $0 % 90 }),
            Array(String(repeating: "a", count: 60).utf8) + Array("𝄞".utf8),
            [],
        ]
    }()

    private static func records(fieldTTLs: Bool) -> [KeyRecord] {
        let e = elements
        var fields = e.enumerated().map { HashField(field: Array("f\($0.offset)".utf8), value: $0.element) }
        if fieldTTLs { fields[2].expireAtMs = 1_900_000_000_000 }
        return [
            KeyRecord(db: 0, key: Array("list".utf8), value: .list(e + e.reversed())),
            KeyRecord(db: 0, key: Array("set".utf8), value: .set(e)),
            KeyRecord(db: 0, key: Array("zset".utf8), value: .sortedSet(e.enumerated().map { SortedSetMember(member: $0.element, score: Double($0.offset) - 2.5) })),
            KeyRecord(db: 1, key: Array("hash".utf8), value: .hash(fields), expireAtMs: 1_900_000_000_000),
            KeyRecord(db: 1, key: Array("hash-binary-fields".utf8),
                      value: .hash([HashField(field: [0xFF, 0x00], value: e[5]), HashField(field: Array("x".utf8), value: e[0])])),
            KeyRecord(db: 1, key: Array("small-set".utf8), value: .set([Array("1".utf8), Array("2".utf8), Array("300000".utf8)])),
            KeyRecord(db: 1, key: Array("small-list".utf8), value: .list([Array("a".utf8), Array("7".utf8), Array("bb".utf8)])),
        ]
    }

    /// The targets whose encodings differ: quicklist 2 and hashtables (7.0), listpack sets (7.2),
    /// field TTLs (7.4: HASH_METADATA; Valkey 9: HASH_2), ziplist quicklists (6.2), linked lists (3.0).
    private static let targets = ["redis-7.0", "redis-7.2", "redis-7.4", "valkey-9", "redis-6.2", "redis-3.0"]

    private func makeDump(_ targetName: String, compress: Bool) throws -> String {
        let file = path("\(targetName)-\(compress).rdb")
        let target = try XCTUnwrap(RDBTarget.named(targetName))
        let writer = try RDBWriter(path: file, target: target, compress: compress)
        for record in Self.records(fieldTTLs: target.hasFieldTTLs) { try writer.write(record) }
        try writer.finish()
        return file
    }

    private func options(pieceSize: Int) -> ReaderOptions {
        var options = ReaderOptions()
        options.stringPieceSize = pieceSize
        return options
    }

    private func read(_ file: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: file))) }

    /// A written RDB without what depends on when it was written: its ctime aux value (an
    /// INT32-encoded string after the name) and the checksum that covers it, zeroed.
    private func timeless(_ rdb: [UInt8]) -> [UInt8] {
        var out = rdb
        let name = Array("ctime".utf8)
        if let at = (0...(out.count - name.count)).first(where: { out[$0..<($0 + name.count)].elementsEqual(name) }) {
            for i in (at + name.count)..<(at + name.count + 5) { out[i] = 0 }
        }
        for i in (out.count - 8)..<out.count { out[i] = 0 }
        return out
    }

    private static let pieceSizes = [21, 22, 23, 29, 40, 64, 333, 4096]

    /// What each verb writes for `dump`, read with `options`, by name.
    private func outputs(of dump: String, target: RDBTarget, options: ReaderOptions) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for format in [ExportFormat.jsonl, .json, .csv] {
            _ = try Export.run(path: dump, outputPath: path("out"), format: format, withMeta: true, options: options)
            out["export \(format)"] = try read(path("out"))
        }
        _ = try Convert.rdbToAOF(inputPath: dump, outputPath: path("out"), layout: .singleFile, target: target, lossy: true, options: options)
        out["aof"] = try read(path("out"))
        _ = try Convert.rdbToRDB(inputPath: dump, outputPath: path("out"), target: target, lossy: false, options: options)
        out["rdb, own target"] = timeless(try read(path("out")))
        let other = try XCTUnwrap(RDBTarget.named(target.version == 10 ? "redis-7.2" : "redis-7.0"))
        _ = try Convert.rdbToRDB(inputPath: dump, outputPath: path("out"), target: other, lossy: true, options: options)
        out["rdb, re-encoded"] = timeless(try read(path("out")))
        _ = try Convert.restorePayloads(inputPath: dump, outputPath: path("out"), target: target, lossy: true, options: options)
        out["restore-payload"] = try read(path("out"))
        _ = try Convert.rdbToRESP(inputPath: dump, outputPath: path("out"), target: target, lossy: true, options: options)
        out["resp"] = try read(path("out"))
        var digests = ""
        try RDBReader.read(path: dump, visitor: DigestingVisitor { (db, key, digest) throws(RDBError) in
            digests += "\(db) \(key) \(digest)\n"
        }, options: options)
        out["diff digests"] = Array(digests.utf8)
        let inspection = try Inspector.inspect(path: dump, nowMs: 0, top: 10, separator: Array(":".utf8), options: options)
        out["inspect"] = Array(inspection.json.utf8)
        XCTAssertTrue(Validator.validate(path: dump, options: options).isValid)
        return out
    }

    func testEveryVerbGivesTheSameBytesWithElementsInPieces() throws {
        for name in Self.targets {
            let target = try XCTUnwrap(RDBTarget.named(name))
            for compress in [true, false] {
                let dump = try makeDump(name, compress: compress)
                let whole = try outputs(of: dump, target: target, options: ReaderOptions())
                for size in Self.pieceSizes {
                    let pieces = try outputs(of: dump, target: target, options: options(pieceSize: size))
                    for (verb, bytes) in whole {
                        XCTAssertTrue(pieces[verb] == bytes, "\(verb): \(name), compress \(compress), pieces of \(size)")
                    }
                }
            }
        }
    }

    /// Elements longer than a piece arrive through the `long` events, in pieces no longer than one,
    /// holding the element's bytes; shorter ones through the usual events.
    func testLongElementsArriveInPieces() throws {
        for name in ["redis-7.0", "redis-7.2", "valkey-9", "redis-7.4", "redis-3.0"] {
            for compress in [true, false] {
                let dump = try makeDump(name, compress: compress)
                let recorder = PieceRecorder(pieceSize: 333)
                try RDBReader.read(path: dump, visitor: recorder, options: options(pieceSize: 333))
                let long = Self.elements.filter { $0.count > 333 }
                let expected = Self.records(fieldTTLs: false).reduce(0) { n, record in
                    switch record.value {
                    case .list(let e), .set(let e): n + e.filter { $0.count > 333 }.count
                    case .sortedSet(let m): n + m.filter { $0.member.count > 333 }.count
                    case .hash(let f): n + f.filter { $0.value.count > 333 }.count
                    default: n
                    }
                }
                XCTAssertEqual(recorder.long.count, expected, "\(name), compress \(compress)")
                for element in recorder.long { XCTAssertTrue(long.contains(element), "\(name): an element in pieces differs") }
                XCTAssertFalse(recorder.oversizedPiece, "\(name): a piece longer than the piece size")
                XCTAssertTrue(recorder.whole.allSatisfy { $0.count <= 333 }, "\(name): a long element came whole")
            }
        }
    }

    /// A listpack walked as a stream refuses what the whole-blob reader refuses, with the same message.
    func testStreamedListpackDamageIsReportedAsWhole() throws {
        let target = try XCTUnwrap(RDBTarget.named("redis-7.2"))
        var builder = ListpackBuilder()
        for e in Self.elements { builder.append(e) }
        let good = builder.finished()
        var damaged: [(String, [UInt8])] = []
        var b = good; b[4] = 3; damaged.append(("count", b))
        b = good; b[b.count - 1] = 0x7F; damaged.append(("terminator", b))
        b = good; b[0] &+= 1; damaged.append(("total", b))
        b = good; b[b.count - 2] ^= 0x01; damaged.append(("backlen", b))
        b = good; b[6] = 0xF7; damaged.append(("encoding", b))
        // A 32-bit string entry claiming 65535 bytes, where 5 are left.
        b = Array(good.prefix(good.count - 1)) + [0xF0, 0xFF, 0xFF, 0x00, 0x00, 0xFF]
        withUnsafeBytes(of: UInt32(b.count).littleEndian) { b.replaceSubrange(0..<4, with: $0) }
        damaged.append(("entry past the end", b))
        for (what, blob) in damaged {
            for compress in [true, false] {
                let file = path("damaged-\(what).rdb")
                try writeSetListpack(blob, to: file, target: target, compress: compress)
                let whole = Validator.validate(path: file)
                let streamed = Validator.validate(path: file, options: options(pieceSize: 64))
                XCTAssertFalse(whole.isValid, what)
                XCTAssertFalse(streamed.isValid, what)
                // A stream meets a last byte only at its end: a listpack that does not end with
                // 0xFF fails at the entry that byte starts, not before its first entry.
                guard what != "terminator" else { continue }
                XCTAssertEqual(streamed.error?.description, whole.error?.description, "\(what), compress \(compress)")
            }
        }
        let file = path("good.rdb")
        try writeSetListpack(good, to: file, target: target, compress: true)
        XCTAssertTrue(Validator.validate(path: file, options: options(pieceSize: 64)).isValid)
    }

    /// A real Redis 7.0 saves containers holding 2 MiB elements (random and compressible, so
    /// plain and LZF); what convert (to AOF, to RESTORE commands, to an older RDB) and
    /// restore-payload write from its dump, the elements read in pieces, loads into a real Redis
    /// with every key's DEBUG DIGEST-VALUE equal to the original's.
    func testRealRedisLoadsWhatIsWrittenFromElementsInPieces() throws {
        guard let apt = RedisServerProcess.executable("redis-server"),
              let source = try RedisServerProcess(command: [apt]) else { throw XCTSkip("redis-server is not installed") }
        defer { source.stop() }
        let random = deterministicNoise(2 << 20, seed: 9)
        let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog ", count: 50_000).utf8)
        func w(_ s: String) -> [UInt8] { Array(s.utf8) }
        try source.pipe([
            [w("HSET"), w("hash"), w("big"), random, w("text"), text, w("small"), w("v")],
            [w("SADD"), w("set"), random, text, w("small")],
            [w("ZADD"), w("zset"), w("1.5"), random, w("-2"), text, w("3"), w("small")],
            [w("RPUSH"), w("list"), w("a"), random, w("b"), text, w("c")],
            [w("PEXPIREAT"), w("hash"), w("1900000000000")],
        ])
        _ = try source.command("SAVE")
        let keys = ["hash", "set", "zset", "list"]
        let digests = try keys.map { try source.command("DEBUG", "DIGEST-VALUE", $0) }
        let dump = path("source.rdb")
        try FileManager.default.copyItem(atPath: source.dumpPath, toPath: dump)
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))

        func check(_ server: RedisServerProcess, _ how: String) throws {
            for (key, digest) in zip(keys, digests) {
                XCTAssertEqual(try server.command("DEBUG", "DIGEST-VALUE", key), digest, "\(how): \(key)")
            }
        }
        func fresh(dump: String? = nil) throws -> RedisServerProcess {
            try XCTUnwrap(try RedisServerProcess(command: [apt], dump: dump))
        }
        _ = try Convert.rdbToAOF(inputPath: dump, outputPath: path("out.aof"), layout: .singleFile, target: target, lossy: false)
        var server = try fresh()
        try server.pipe(file: path("out.aof"))
        try check(server, "convert to AOF")
        server.stop()
        _ = try Convert.rdbToRESP(inputPath: dump, outputPath: path("out.resp"), target: target, lossy: false)
        server = try fresh()
        try server.pipe(file: path("out.resp"))
        try check(server, "convert to RESTORE commands")
        server.stop()
        _ = try Convert.restorePayloads(inputPath: dump, outputPath: path("payloads.jsonl"), target: target)
        server = try fresh()
        for line in String(decoding: try read(path("payloads.jsonl")), as: UTF8.self).split(separator: "\n") {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let key = try XCTUnwrap(object["key"] as? String)
            let payload = try XCTUnwrap((object["payload"] as? [String: String])?["base64"])
            let ttl = (object["expire_at_ms"] as? Int).map(String.init) ?? "0"
            try server.pipe([[w("RESTORE"), w(key), w(ttl), Array(try XCTUnwrap(Data(base64Encoded: payload))), w("ABSTTL")]])
        }
        try check(server, "restore-payload")
        server.stop()
        _ = try Convert.rdbToRDB(inputPath: dump, outputPath: path("old.rdb"), target: try XCTUnwrap(RDBTarget.named("redis-6.2")), lossy: false)
        server = try fresh(dump: path("old.rdb"))
        try check(server, "convert to RDB 9")
        server.stop()
    }

    /// A dump holding one RDB_TYPE_SET_LISTPACK whose listpack is `blob`, stored plain or as LZF.
    private func writeSetListpack(_ blob: [UInt8], to file: String, target: RDBTarget, compress: Bool) throws {
        func length(_ n: Int) -> [UInt8] {
            n < 64 ? [UInt8(n)] : n < 16384 ? [0x40 | UInt8(n >> 8), UInt8(n & 0xFF)]
                : [0x80] + withUnsafeBytes(of: UInt32(n).bigEndian) { Array($0) }
        }
        var bytes = Array("REDIS0011".utf8) + [0xFE, 0x00, RDBValueType.RDB_TYPE_SET_LISTPACK.row.byte] + length(3) + Array("set".utf8)
        if compress {
            let compressed = ScratchBuffer()
            XCTAssertTrue(blob.withUnsafeBytes { LZF.compressIfWorthIt($0, into: compressed) })
            bytes += [0xC3] + length(compressed.count) + length(blob.count) + Array(compressed.bytes)
        } else {
            bytes += length(blob.count) + blob
        }
        bytes += [0xFF] + [UInt8](repeating: 0, count: 8)  // a checksum of 0: not checked
        try Data(bytes).write(to: URL(fileURLWithPath: file))
    }
}

/// Records which elements came whole and which in pieces.
private final class PieceRecorder: RDBVisitor {
    let pieceSize: Int
    var long: [[UInt8]] = []
    var whole: [[UInt8]] = []
    var oversizedPiece = false

    init(pieceSize: Int) { self.pieceSize = pieceSize }

    private func gather(_ value: StringValue) throws(RDBError) {
        var bytes: [UInt8] = []
        try value.forEachPiece { (piece) throws(RDBError) in
            if piece.count > pieceSize { oversizedPiece = true }
            bytes.append(contentsOf: piece)
        }
        XCTAssertEqual(bytes.count, value.count)
        long.append(bytes)
    }

    func listElement(_ element: RDBString) throws(RDBError) { whole.append(element.array) }
    func setMember(_ member: RDBString) throws(RDBError) { whole.append(member.array) }
    func zsetMember(_ member: RDBString, score: Double) throws(RDBError) { whole.append(member.array) }
    func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) { whole.append(value.array) }
    func listElement(long element: StringValue) throws(RDBError) { try gather(element) }
    func setMember(long member: StringValue) throws(RDBError) { try gather(member) }
    func zsetMember(long member: StringValue, score: Double) throws(RDBError) { try gather(member) }
    func hashField(_ field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError) { try gather(value) }
}
