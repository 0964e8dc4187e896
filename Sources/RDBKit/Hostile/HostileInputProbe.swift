/// Every parser fed bytes it must not trust, one entry point per parser: the libFuzzer shim
/// (`Fuzz/FuzzTargets.swift`) and the crasher regression tests call the same code, so an input
/// that once crashed a fuzz target is replayed exactly as the fuzzer ran it.
///
/// A run discards what the parser produces and ignores its errors: errors are the expected
/// outcome of hostile input; a crash, a hang or an allocation the input cannot justify is a bug.
public enum HostileInputProbe {
    /// The parsers, by the names `RDBKIT_FUZZ_TARGET` and `Fuzz/Crashers/<target>/` use.
    public static let targets = ["rdb", "listpack", "ziplist", "intset", "zipmap", "json", "resp", "manifest", "restore", "replay", "lzf",
                                 "stream", "array", "keymeta"]

    /// Feeds `bytes` to the parser `target` names; false when no parser has that name.
    @discardableResult
    public static func run(target: String, bytes: [UInt8]) -> Bool {
        switch target {
        case "rdb": probeRDB(bytes)
        case "listpack":
            bytes.withUnsafeBytes { raw in
                guard var reader = try? ListpackReader(raw) else { return }
                while let e = try? reader.next() { _ = e.array }
            }
        case "ziplist":
            bytes.withUnsafeBytes { raw in
                guard var reader = try? ZiplistReader(raw) else { return }
                while let e = try? reader.next() { _ = e.array }
            }
        case "intset":
            bytes.withUnsafeBytes { raw in
                guard var reader = try? IntsetReader(raw) else { return }
                while (try? reader.next()) != nil {}
            }
        case "zipmap":
            bytes.withUnsafeBytes { raw in
                guard var reader = try? ZipmapReader(raw) else { return }
                while (try? reader.next()) != nil {}
            }
        case "json": probeJSON(bytes)
        case "resp":
            let reader = RESPCommandReader(source: memorySource(bytes))
            while (try? reader.next()) != nil {}
        case "manifest":
            _ = try? AOFManifest.parse(bytes)
        case "restore":
            _ = try? RestorePayload.decode(bytes)
        case "replay": probeReplay(bytes)
        case "lzf": probeLZFStream(bytes)
        case "stream":
            // The first byte picks the layout: stream v4 (RDB 13, IDMP trailer) or v5 (RDB 14, NACK zones too).
            guard let first = bytes.first else { return true }
            probeValue(type: (first & 1 == 0 ? RDBValueType.RDB_TYPE_STREAM_LISTPACKS_4 : .RDB_TYPE_STREAM_LISTPACKS_5).byte, bytes.dropFirst())
        case "array": probeValue(type: RDBValueType.RDB_TYPE_ARRAY.byte, bytes[...])
        case "keymeta": probeNewValues(newestHeader + [RDBOpcode.RDB_OPCODE_KEY_META] + bytes)
        default:
            return false
        }
        return true
    }

    /// The whole reader three ways, as the verbs drive it: every key skipped by its lengths
    /// (filters), validated (LZF checks deferred to a second core), and exported element by
    /// element with the file-level records. Gzip is unwrapped by content, as `openInput` does:
    /// it is how a few bytes become more than the reader's window.
    private static func probeRDB(_ bytes: [UInt8]) {
        func source() -> ByteSource? {
            guard bytes.starts(with: [0x1F, 0x8B]) else { return memorySource(bytes) }
            return try? GzipSource(compressed: memorySource(bytes))
        }
        if let s = source() { _ = try? RDBReader.read(source: s, visitor: SkippingVisitor()) }
        if let s = source() { _ = try? RDBReader.read(source: s, visitor: Validator(path: "probe")) }
        if let s = source() {
            _ = try? RDBReader.read(source: s, visitor: JSONExporter(writer: JSONWriter(output: nil), format: .jsonl, withMeta: true))
        }
    }

    /// The magic of the newest Redis format read (RDB 14).
    private static let newestHeader = Array("REDIS0014".utf8)

    /// `value` as the value of a key of `type` in an RDB 14 file: the decoder of that type alone,
    /// without the rest of a file for the mutations to spend themselves on.
    private static func probeValue(type: UInt8, _ value: ArraySlice<UInt8>) {
        probeNewValues(newestHeader + [type, 1, UInt8(ascii: "k")] + value)
    }

    /// The whole reader on `bytes`, then what it reads written back for Redis 8.6 and 8.8 (the
    /// encoders of the same structures, on whatever a decoder let through).
    private static func probeNewValues(_ bytes: [UInt8]) {
        probeRDB(bytes)
        let writers = ["redis-8.6", "redis-8.8"].compactMap { RDBTarget.named($0) }.compactMap { try? RDBWriter(path: nil, target: $0) }
        let collector = RecordCollector { (record) throws(RDBError) in
            for writer in writers { try writer.write(record) }
        }
        _ = try? RDBReader.read(source: memorySource(bytes), visitor: collector)
        for writer in writers { _ = try? writer.finish() }
    }

    /// The bytes as an AOF applied by the replay engine (unknown commands as no-ops), then the
    /// resulting keyspace written as RDB: every command handler meets hostile arguments.
    private static func probeReplay(_ bytes: [UInt8]) {
        let keyspace = Keyspace()
        let engine = ReplayEngine(keyspace: keyspace, now: 1_700_000_000_000)
        engine.skipUnknown = true
        let reader = RESPCommandReader(source: memorySource(bytes))
        while let command = try? reader.next() {
            try? engine.apply(command)
        }
        guard let writer = try? RDBWriter(path: nil, target: RDBTarget(family: .redis, version: 12, serverVersion: "8.2.3")) else { return }
        try? keyspace.forEachRecord { (record, long) throws(RDBError) in
            if let long { try? writer.write(record, longString: long.value) } else { try? writer.write(record) }
        }
        _ = try? writer.finish()
    }

    /// The export schema read back, and written as RDB for a recent, an old and a Valkey target.
    private static func probeJSON(_ bytes: [UInt8]) {
        for name in ["redis-7.4", "redis-3.2", "valkey-9"] {
            guard let target = RDBTarget.named(name), let writer = try? RDBWriter(path: nil, target: target) else { continue }
            let records = JSONImport(source: memorySource(bytes))
            while let item = try? records.next() {
                switch item {
                case .key(let record): try? writer.write(record)
                case .longString(let record, let value): try? writer.write(record, longString: value)
                case .function(let code): try? writer.writeFunction(code)
                case .moduleAux(let aux): try? writer.writeModuleAux(aux)
                }
            }
            _ = try? writer.finish()
        }
    }

    /// Differential: the streaming LZF decoder against liblzf on the same input. Bytes 0-2 give
    /// the expanded length (up to 16 MiB), byte 3 the piece size (1-256 bytes, so pieces end at
    /// every position), the rest is the compressed string. Both must agree on success and bytes.
    public static func probeLZFStream(_ bytes: [UInt8]) {
        guard bytes.count > 4 else { return }
        let expanded = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        let compressed = Array(bytes[4...])
        let reference = ScratchBuffer()
        let referenceOK = compressed.withUnsafeBytes { LZF.decompress($0, expectedLength: expanded, into: reference) }
        let decoder = LZFStreamDecoder(pieceSize: Int(bytes[3]) + 1)
        var streamed: [UInt8] = []
        let input = InputWindow(source: memorySource(compressed), checksummed: false)
        let streamedOK = (try? decoder.decode(from: input, compressedLength: compressed.count, expandedLength: expanded) {
            streamed.append(contentsOf: $0)
        }) ?? false
        precondition(streamedOK == referenceOK, "streaming LZF says \(streamedOK), liblzf \(referenceOK)")
        if referenceOK {
            precondition(streamed.elementsEqual(reference.bytes), "streaming LZF expands to other bytes than liblzf")
        }
    }

    /// The bytes as a stream of unknown size, as standard input or a gzip would be: lengths can
    /// then only be checked by reading, the path a lying length has most room to do harm in.
    private static func memorySource(_ bytes: [UInt8]) -> ByteSource {
        PrefixedSource(prefix: bytes, rest: EndOfInput())
    }
}

private final class EndOfInput: ByteSource {
    var knownSize: Int64? { nil }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int { 0 }
}
