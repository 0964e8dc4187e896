/// Options that change what the reader accepts.
public struct ReaderOptions: Sendable {
    /// Try to read a file whose version is newer than any this reader knows.
    public var acceptNewerVersions = false
    /// Draw a progress line on standard error while reading (only when it is a terminal).
    public var showProgress = false
    /// Appended to the progress line: what the verb made of the input so far (restore's keys).
    public var progressDetail: (@Sendable () -> String)?
    /// The RDB is an AOF's preamble: stop right after the checksum, where the commands begin.
    public var isPreamble = false
    /// String values longer than this reach the visitor in pieces of this size (`StringValue`);
    /// shorter ones whole. Only tests change it, to put piece boundaries everywhere (at least 21).
    public var stringPieceSize = 1 << 20

    public init(acceptNewerVersions: Bool = false, showProgress: Bool = false) {
        self.acceptNewerVersions = acceptNewerVersions
        self.showProgress = showProgress
    }
}

/// Walks an RDB file front to back and reports its content to a visitor (see `RDBVisitor`).
/// Layers: `InputWindow` gives bytes, the primitives and container readers give structure, and the
/// visitor decides what the data becomes (a validation report, JSON, records).
public final class RDBParser<Visitor: RDBVisitor> {
    let input: InputWindow
    let visitor: Visitor
    let options: ReaderOptions
    var family: RDBFamily = .redis
    var version = 0

    /// Copy of the key being read, for the visitor and for error messages.
    let keyBuffer = ScratchBuffer(capacity: 256)
    /// Reused buffers: the first string of a pair, LZF output, a container blob, a module payload.
    let pairScratch = ScratchBuffer()
    let valueScratch = ScratchBuffer()
    let blobScratch = ScratchBuffer(capacity: 64 * 1024)
    let captureScratch = ScratchBuffer()
    /// A long listpack walked as a stream (`StreamedListpack`): an entry's bytes, bytes taken
    /// across pieces, an entry as a listpack of one; a long element staged (`readStableElement`).
    let streamScratch = ScratchBuffer()
    let takeScratch = ScratchBuffer()
    let entryScratch = ScratchBuffer()
    let elementSpill = SpillFile(purpose: "a long element")
    /// Kept between stream listpacks so their capacity is reused (see `readStreamListpack`).
    var streamFieldStorage: [RDBString] = []
    var streamMasterFieldStorage: [RDBString] = []
    let deferredChecks = DeferredStringChecks()
    let wantsStringValues: Bool
    let stringPieces: StringPieceReader
    /// A value is being copied (`KeyAction.copy`): strings are only checked, as in validation.
    var copying = false
    private lazy var spillCopy: (UnsafeRawBufferPointer) throws(RDBError) -> Void = { [unowned self] bytes throws(RDBError) in
        try self.visitor.rawValue(bytes)
    }

    public init(input: InputWindow, visitor: Visitor, options: ReaderOptions = ReaderOptions()) {
        self.input = input
        self.visitor = visitor
        self.options = options
        wantsStringValues = visitor.wantsStringValues
        stringPieces = StringPieceReader(input: input, pieceSize: options.stringPieceSize)
    }

    /// Reads the whole file; returns what its end says about integrity.
    @discardableResult
    public func run() throws(RDBError) -> RDBTrailer {
        do {
            return try readFile()
        } catch {
            // A check still running in the background may have found an earlier fault.
            if let earlier = deferredChecks.firstFailure(), earlier.offset < error.offset { throw earlier }
            throw error
        }
    }

    private func readFile() throws(RDBError) -> RDBTrailer {
        let header = try readHeader()
        try visitor.header(header)
        let valueTypes = RDBValueType.readable(family: family, version: version)
        var expireAtMs: Int64?
        var idleSeconds: UInt64?
        var lfuFrequency: UInt8?
        var metadata: [KeyMetadata] = []
        var metadataOffset: Int64?
        var db = 0
        while true {
            let opcodeOffset = input.offset
            let opcode = try input.readByte()
            switch opcode {
            case RDBOpcode.RDB_OPCODE_EXPIRETIME_MS:
                expireAtMs = try input.readMillisecondTime()
            case RDBOpcode.RDB_OPCODE_EXPIRETIME:
                // Seconds, 4 bytes, written in host order (little-endian in practice).
                expireAtMs = Int64(Int32(bitPattern: try input.readUInt32LE())) * 1000
            case RDBOpcode.RDB_OPCODE_IDLE:
                idleSeconds = try input.readLength()
            case RDBOpcode.RDB_OPCODE_FREQ:
                lfuFrequency = try input.readByte()
            case RDBOpcode.RDB_OPCODE_SELECTDB:
                db = try input.readLengthAsInt()
                try visitor.selectDB(db)
            case RDBOpcode.RDB_OPCODE_RESIZEDB:
                let keys = try input.readLength()
                let expires = try input.readLength()
                try visitor.resizeDB(keys: keys, expires: expires)
            case RDBOpcode.RDB_OPCODE_AUX:
                let name = try input.readStableString(into: pairScratch)
                let value = try input.readString(lzfInto: valueScratch)
                try visitor.aux(name: name, value: value)
            case RDBOpcode.RDB_OPCODE_MODULE_AUX:
                try visitor.moduleAux(try readModuleAux())
            case RDBOpcode.RDB_OPCODE_FUNCTION2:
                try visitor.function(code: try input.readString(lzfInto: valueScratch))
            case RDBOpcode.RDB_OPCODE_FUNCTION_PRE_GA:
                throw RDBError(.unreadable("pre-release function format (opcode 246, Redis 7.0 release candidates) is not supported, as in Redis"),
                               offset: opcodeOffset)
            case RDBOpcode.RDB_OPCODE_SLOT_INFO:
                let slot = try input.readLength()
                let size = try input.readLength()
                let expiresSize = try input.readLength()
                try visitor.slotInfo(SlotInfo(slot: slot, size: size, expiresSize: expiresSize))
            case RDBOpcode.VALKEY_RDB_OPCODE_SLOT_IMPORT where family == .valkey:
                try visitor.slotImport(try readSlotImport())
            case RDBOpcode.RDB_OPCODE_KEY_META:
                metadata = try readKeyMetadata(at: opcodeOffset)
                metadataOffset = opcodeOffset
            case RDBOpcode.RDB_OPCODE_EOF:
                return try readTrailer()
            default:
                guard let type = valueTypes[Int(opcode)] else { throw unreadableType(opcode, at: opcodeOffset) }
                try readKey(type, at: opcodeOffset, db: db, expireAtMs: expireAtMs,
                            idleSeconds: idleSeconds, lfuFrequency: lfuFrequency, metadata: metadata, metadataOffset: metadataOffset)
                expireAtMs = nil
                metadataOffset = nil
                idleSeconds = nil
                lfuFrequency = nil
                if !metadata.isEmpty { metadata = [] }
            }
        }
    }

    private func readHeader() throws(RDBError) -> RDBHeader {
        guard let family = RDBFamily.ofMagic(try input.take(5)) else {
            throw RDBError(.badEncoding("not an RDB file: wrong signature (expected REDIS or VALKEY)"), offset: 0)
        }
        let letters = family.magicLetters.utf8
        let rest = try input.take(4)
        guard rest.prefix(letters.count - 5).elementsEqual(letters.dropFirst(5)) else {
            throw RDBError(.badEncoding("not an RDB file: wrong signature"), offset: 0)
        }
        let digits = String(decoding: UnsafeRawBufferPointer(rebasing: rest[(letters.count - 5)...]), as: UTF8.self)
        let magic = family.magicLetters + digits
        guard let v = Int(digits), v >= 1 else {
            throw RDBError(.badEncoding("bad version digits in magic \"\(magic)\""), offset: Int64(letters.count))
        }
        if v > family.newestKnownVersion && !options.acceptNewerVersions {
            let named = family == .valkey ? "Valkey RDB version \(v)"
                : "RDB version \(v)" + (RDBKnownVersions.redisRelease(of: v).map { " (\($0))" } ?? "")
            throw RDBError(.unsupportedVersion("\(named) is newer than the newest known (\(family.newestKnownVersion)); --accept-newer tries anyway"),
                           offset: Int64(letters.count))
        }
        self.family = family
        version = v
        return RDBHeader(family: family, version: v, magic: magic)
    }

    private func readTrailer() throws(RDBError) -> RDBTrailer {
        var checksum = ChecksumState.absent
        if version >= 5 || family == .valkey {
            let computed = input.checksumSoFar()
            let at = input.offset
            let stored = try input.readUInt64LE()
            if stored == 0 {
                checksum = .disabled
            } else if stored != computed {
                throw RDBError(.badChecksum(stored: stored, computed: computed), offset: at)
            } else {
                checksum = .verified(stored)
            }
        }
        if let failure = deferredChecks.firstFailure() { throw failure }
        if options.isPreamble {
            let trailer = RDBTrailer(checksum: checksum, trailingBytes: nil)
            try visitor.end(trailer)
            return trailer
        }
        let trailingAt = input.offset
        let trailing = try input.drain()
        let trailer = RDBTrailer(checksum: checksum, trailingBytes: trailing > 0 ? (trailingAt, trailing) : nil)
        try visitor.end(trailer)
        return trailer
    }

    private func readKey(_ type: RDBValueType, at typeOffset: Int64, db: Int, expireAtMs: Int64?,
                         idleSeconds: UInt64?, lfuFrequency: UInt8?, metadata: [KeyMetadata], metadataOffset: Int64?) throws(RDBError) {
        let key = try input.readString(lzfInto: valueScratch)
        key.withBytes { keyBuffer.set($0) }
        let info = KeyInfo(db: db, rdbType: type, expireAtMs: expireAtMs,
                           idleSeconds: idleSeconds, lfuFrequency: lfuFrequency, offset: typeOffset, metadata: metadata,
                           metadataOffset: metadataOffset)
        do throws(RDBError) {
            switch try visitor.beginKey(info, key: .bytes(keyBuffer.bytes)) {
            case .read:
                try readValue(type)
                try visitor.endKey()
            case .skip:
                try skipValue(type)
            case .copy:
                try copyValue(type)
                try visitor.endKey()
            }
        } catch var error {
            if error.key == nil { error.key = [UInt8](keyBuffer.bytes) }
            if error.context == nil { error.context = "reading \(type.name) value" }
            throw error
        }
    }

    /// `KeyAction.copy`: the value read (and checked) as for validation, its bytes captured as
    /// they pass and handed to the visitor about a window at a time.
    private func copyValue(_ type: RDBValueType) throws(RDBError) {
        copying = true
        input.beginCapture(into: captureScratch, spillingTo: spillCopy)
        defer {
            input.endCapture()
            copying = false
        }
        try readValue(type)
        input.endCapture()
        try visitor.rawValue(captureScratch.bytes)
        captureScratch.removeAll()
        captureScratch.shrink(to: 1 << 20)
    }

    /// A byte where a type or opcode belongs that this file cannot have: opcodes and types whose
    /// layout no release confirms, by name (even with --accept-newer), or an unknown type.
    private func unreadableType(_ byte: UInt8, at offset: Int64) -> RDBError {
        if family == .redis {
            if let name = Self.unsupportedOpcodeName(byte) {
                return RDBError(.unreadable("\(name) (opcode \(byte)) is not supported: its layout is not confirmed from a Redis release"),
                                offset: offset)
            }
            if let refused = RDBRefusedType(byte: byte) {
                return RDBError(.unreadable("\(refused) (\(refused.origin)) (type \(byte)) is not supported: its layout is not confirmed from a Redis release"),
                                offset: offset)
            }
        }
        return RDBError(.badEncoding("unknown value type \(byte) in \(family == .valkey ? "a Valkey" : "an RDB") version \(version) file"),
                        offset: offset)
    }

    /// Opcodes of newer builds, refused by name rather than taken for a type byte.
    static func unsupportedOpcodeName(_ opcode: UInt8) -> String? {
        switch opcode {
        case 241: return "RDB_OPCODE_KEY_NOEVICT (no known release)"
        case 242: return "RDB_OPCODE_HASH_TEMPLATE (Redis 8.10 hash templates, RDB 15)"
        default: return nil
        }
    }

    /// RDB_TYPE_MODULE_PRE_GA: Redis itself refuses it (rdbLoadObject: "not supported").
    func preReleaseModuleError() -> RDBError {
        RDBError(.unreadable("pre-release module format (type 6, Redis 4.0 release candidates) cannot be read, as in Redis"),
                 offset: input.offset)
    }

    /// A string value: whole when it fits a piece, otherwise left in the input for the visitor
    /// to read in pieces, and consumed after it (whatever it did not read).
    func readStringValue() throws(RDBError) {
        let at = input.offset
        let header = try input.readStringHeader()
        if header.isLonger(than: stringPieces.pieceSize) {
            try visitor.stringValue(pendingString(header, at: at))
            return try stringPieces.finish()
        }
        switch header {
        case .plain(let count):
            try visitor.stringValue(StringValue(.bytes(try input.take(count))))
        case .int(let v):
            try visitor.stringValue(StringValue(.int(v)))
        case .lzf(let compressed, let expanded):
            guard LZF.decompress(try input.take(compressed), expectedLength: expanded, into: valueScratch) else {
                throw RDBError.invalidLZF(compressed, expanded, at: at)
            }
            try visitor.stringValue(StringValue(.bytes(valueScratch.bytes)))
        }
    }

    /// Reads a container string (listpack, ziplist, intset, zipmap), decompressing if needed.
    /// Returns the bytes (valid until the next read) and where its string started.
    @inline(__always)
    func readBlob() throws(RDBError) -> (bytes: UnsafeRawBufferPointer, offset: Int64) {
        let at = input.offset
        return (try readBlob(try input.readStringHeader(), at: at), at)
    }

    /// The rest of a container string whose header (read at `at`) is known.
    @inline(__always)
    func readBlob(_ header: InputWindow.StringHeader, at: Int64) throws(RDBError) -> UnsafeRawBufferPointer {
        switch try input.readString(header, at: at, lzfInto: blobScratch) {
        case .bytes(let b): return b
        case .int:
            throw RDBError(.badEncoding("an integer where an encoded container was expected"), offset: at)
        }
    }

    /// An error inside a container, placed at its byte in the file (or at its string when compressed).
    func containerFailure(_ error: ContainerError, blob: UnsafeRawBufferPointer, at blobOffset: Int64) -> RDBError {
        let compressed = blob.baseAddress == UnsafeRawPointer(blobScratch.base)
        if compressed {
            return RDBError(.corrupt(error.message), offset: blobOffset,
                            context: "in LZF-compressed container, at byte \(error.position) of its expanded form")
        }
        // The blob sits at the end of the string just read, after its length prefix.
        return RDBError(.corrupt(error.message), offset: input.offset - Int64(blob.count) + Int64(error.position))
    }
}
