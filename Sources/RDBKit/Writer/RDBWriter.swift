#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes key records as an RDB file for a target version, one key at a time (memory: one key),
/// choosing the encodings the target server itself would choose. The CRC64 is computed as the
/// bytes go out; the file appears under its name only when `finish()` commits it.
public final class RDBWriter: KeySink {
    public let target: RDBTarget
    let out: RDBOutput
    private let outputFile: OutputFile?
    private var headerWritten = false
    private var currentDB: Int?
    public private(set) var losses: [ConversionLoss] = []
    public private(set) var keysWritten = 0
    /// Leave out module values and module aux data (for a server that lacks the module: it
    /// refuses to load a file with data of a module it does not have).
    public var dropModules = false
    /// Values without their key, for a DUMP/RESTORE payload.
    private var payloadMode = false
    /// The time (unix ms) the target server is taken to load the output at: stream IDMP iids
    /// older than their duration then are left out, as that server drops them.
    public var clockMs = SystemClock.nowMs()

    /// `output` nil writes to memory (see `RDBOutput.pending`).
    public init(output: OutputFile?, target: RDBTarget, compress: Bool = true) {
        self.target = target
        outputFile = output
        out = RDBOutput(file: output, compress: compress)
    }

    /// Writes a new file at `path` (one that is no input of anything), or to memory when nil.
    public convenience init(path: String?, target: RDBTarget, compress: Bool = true) throws(RDBError) {
        self.init(output: try path.map { (p) throws(RDBError) in try OutputFile(path: p) }, target: target, compress: compress)
    }

    func lose(_ what: String, db: Int? = nil, key: Bytes? = nil, requested: Bool = false) {
        losses.append(ConversionLoss(db: db, key: key, what: what, requested: requested))
    }

    /// Magic and aux fields, as the target's server writes them (rdbSaveInfoAuxFields).
    private func writeHeaderIfNeeded() {
        guard !headerWritten else { return }
        headerWritten = true
        out.raw(Array(target.magic.utf8))
        guard target.hasAuxFields else { return }
        aux(target.writtenByValkey ? "valkey-ver" : "redis-ver", target.serverVersion)
        aux("redis-bits", "64")
        aux("ctime", String(SystemClock.nowSeconds()))
        aux("used-mem", "0")
        if target.version >= 10 || target.family == .valkey {
            aux("aof-base", "0")
        } else if target.version >= 8 {
            aux("aof-preamble", "0")
        }
    }

    private func aux(_ name: String, _ value: String) {
        out.byte(RDBOpcode.RDB_OPCODE_AUX)
        out.string(Array(name.utf8))
        out.string(Array(value.utf8))
    }

    /// A function library (FUNCTION2); targets before RDB 10 have no functions.
    public func writeFunction(_ code: Bytes) throws(RDBError) {
        writeHeaderIfNeeded()
        guard target.hasFunctions else {
            return lose(LossText.functionLibrary)
        }
        out.byte(RDBOpcode.RDB_OPCODE_FUNCTION2)
        out.string(code)
        try out.flushIfFull()
    }

    /// Module aux data, kept as the module wrote it.
    public func writeModuleAux(_ aux: ModuleAux) throws(RDBError) {
        writeHeaderIfNeeded()
        if dropModules { return loseModuleAux(aux) }
        guard target.hasStreams else {  // MODULE_AUX arrived with RDB 9, as streams did
            return lose(LossText.moduleAux(aux.typeID.name, requested: false, byCommands: false))
        }
        out.byte(RDBOpcode.RDB_OPCODE_MODULE_AUX)
        out.length(aux.typeID.raw)
        out.length(RDBModuleOpcode.RDB_MODULE_OPCODE_UINT)
        out.length(aux.when)
        out.raw(aux.payload)
        try out.flushIfFull()
    }

    /// Whether the target can hold the key at all, recording what it loses: a stream or module
    /// value it cannot hold is dropped whole (key metadata a target lacks is dropped by `writeValue`).
    public func admits(_ record: KeyRecord) -> Bool {
        if case .stream = record.value, !target.hasStreams {
            lose(LossText.stream, db: record.db, key: record.key)
            return false
        }
        if case .array = record.value, !target.hasArrays {
            lose(LossText.array, db: record.db, key: record.key)
            return false
        }
        if case .array(let a) = record.value, a.elements.isEmpty {
            lose("empty array dropped: Redis deletes an array with no elements", db: record.db, key: record.key)
            return false
        }
        if case .module(let m) = record.value {
            if dropModules {
                lose(LossText.moduleValueRequested(m.typeID.name), db: record.db, key: record.key, requested: true)
                return false
            }
            if !target.hasModules {
                lose(LossText.moduleValue, db: record.db, key: record.key)
                return false
            }
        }
        return true
    }

    /// Module aux data left out: asked for (--without-modules), or where no command restores it
    /// (a RESTORE carries keys only).
    func loseModuleAux(_ aux: ModuleAux) {
        lose(LossText.moduleAux(aux.typeID.name, requested: dropModules, byCommands: true), requested: dropModules)
    }

    /// Per database, the keys and keys with an expiry that will be written (RESIZEDB's numbers).
    public var resizeHints: [Int: (keys: Int, expires: Int)] = [:]

    public func write(_ record: KeyRecord) throws(RDBError) {
        writeHeaderIfNeeded()
        guard admits(record) else { return }
        writeKeyAttributes(db: record.db, expireAtMs: record.expireAtMs, idleSeconds: record.idleSeconds,
                           lfuFrequency: record.lfuFrequency, key: record.key)
        try writeValue(record)
        keysWritten += 1
        try out.flushIfFull()
    }

    /// A string key whose value arrives in pieces (`RecordCollector.onLongString`): streamed,
    /// never held (see `RDBOutput.string(_: StringValue)`).
    public func write(_ record: KeyRecord, longString value: StringValue) throws(RDBError) {
        writeHeaderIfNeeded()
        guard admits(record) else { return }
        writeKeyAttributes(db: record.db, expireAtMs: record.expireAtMs, idleSeconds: record.idleSeconds,
                           lfuFrequency: record.lfuFrequency, key: record.key)
        writeKeyMetadata(record.metadata, db: record.db, key: record.key, to: out)
        begin(.RDB_TYPE_STRING, key: record.key)
        try out.string(value)
        keysWritten += 1
        try out.flushIfFull()
    }

    /// A key whose value is copied as the input stores it (`ValueCopier`, `KeyAction.copy`): its
    /// attributes, metadata, type byte and key now, the value's bytes by `copyValueBytes`, then
    /// `endCopy`. Only for a target that stores every value as the input does (`storesAsIs`).
    public func beginCopy(_ info: KeyInfo, key: RDBString) {
        writeHeaderIfNeeded()
        writeKeyAttributes(db: info.db, expireAtMs: info.expireAtMs, idleSeconds: info.idleSeconds,
                           lfuFrequency: info.lfuFrequency, key: key.array)
        writeKeyMetadata(info.metadata, db: info.db, key: key.array, to: out)
        out.byte(info.rdbType.byte)
        key.withBytes { out.string($0) }
    }

    public func copyValueBytes(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        out.raw(bytes)
        try out.flushIfFull()
    }

    public func endCopy() throws(RDBError) {
        keysWritten += 1
        try out.flushIfFull()
    }

    /// SELECTDB when the database changes, then the expiry and LRU/LFU opcodes. `key` is
    /// evaluated only for a loss message.
    private func writeKeyAttributes(db: Int, expireAtMs: Int64?, idleSeconds: UInt64?, lfuFrequency: UInt8?,
                                    key: @autoclosure () -> Bytes) {
        if db != currentDB {
            out.byte(RDBOpcode.RDB_OPCODE_SELECTDB)
            out.length(db)
            currentDB = db
            // rdb.c rdbSaveDb: the database's key and expire counts, which size the loading
            // server's tables before its keys arrive.
            if target.hasResizeHints, let hint = resizeHints[db] {
                out.byte(RDBOpcode.RDB_OPCODE_RESIZEDB)
                out.length(hint.keys)
                out.length(hint.expires)
            }
        }
        if let expire = expireAtMs {
            if target.hasMillisecondExpiry {
                out.byte(RDBOpcode.RDB_OPCODE_EXPIRETIME_MS)
                out.millisecondTime(expire)
            } else {
                if expire % 1000 != 0 { lose("expiry rounded down to whole seconds", db: db, key: key()) }
                out.byte(RDBOpcode.RDB_OPCODE_EXPIRETIME)
                out.uint32LE(UInt32(truncatingIfNeeded: expire / 1000))
            }
        }
        if target.hasLRUAndLFU {
            if let idle = idleSeconds {
                out.byte(RDBOpcode.RDB_OPCODE_IDLE)
                out.length(idle)
            }
            if let freq = lfuFrequency {
                out.byte(RDBOpcode.RDB_OPCODE_FREQ)
                out.byte(freq)
            }
        }
    }

    /// The type byte and, in a file, the key: what precedes every value.
    func begin(_ type: RDBValueType, key: Bytes) {
        assert(target.holds(type), "\(type) written for \(target.magic)")
        out.byte(type.byte)
        if !payloadMode { out.string(key) }
    }

    /// The payload `DUMP` returns and `RESTORE` accepts (cluster.c createDumpPayload): the value
    /// as the target stores it, without its key, then the RDB version (2 bytes little-endian) and
    /// the CRC64 of everything before it (8 bytes little-endian). Ask `admits` first: a key the
    /// target cannot hold has no payload.
    public func dumpPayload(for record: KeyRecord) throws(RDBError) -> [UInt8] {
        let payload = RDBWriter(output: nil, target: target)
        payload.payloadMode = true
        payload.dropModules = dropModules
        defer { losses += payload.losses }
        try payload.writeValue(record)
        let version = UInt16(target.version)
        payload.out.byte(UInt8(version & 0xFF))
        payload.out.byte(UInt8(version >> 8))
        payload.out.uint64LE(payload.out.checksum)
        return payload.out.pending
    }

    /// `dumpPayload` of a string key whose value arrives in pieces (the record's own value is
    /// empty), written to `sink` as it is made (RDBOutput flushes about every MiB) rather than returned.
    public func dumpPayload(_ record: KeyRecord, longString value: StringValue, to sink: ByteSink) throws(RDBError) {
        let out = beginPayload(record.metadata, .RDB_TYPE_STRING, db: record.db, key: record.key, to: sink)
        try out.string(value)
        try endPayload(out)
    }

    /// A payload made as its bytes come, into `sink`: the key's metadata and type byte now, the
    /// value by the caller (a copied value's stored bytes, `ValueCopier`), then `endPayload`.
    func beginPayload(_ metadata: [KeyMetadata], _ type: RDBValueType, db: Int, key: @autoclosure () -> Bytes,
                      to sink: ByteSink) -> RDBOutput {
        let out = RDBOutput(file: sink, compress: true)
        writeKeyMetadata(metadata, db: db, key: key(), to: out)
        out.byte(type.byte)
        return out
    }

    /// The payload's RDB version and CRC64, flushed to its sink.
    func endPayload(_ out: RDBOutput) throws(RDBError) {
        let version = UInt16(target.version)
        out.byte(UInt8(version & 0xFF))
        out.byte(UInt8(version >> 8))
        out.uint64LE(out.checksum)
        try out.flush()
    }

    private func writeValue(_ record: KeyRecord) throws(RDBError) {
        writeKeyMetadata(record.metadata, db: record.db, key: record.key, to: out)
        switch record.value {
        case .string(let s):
            begin(.RDB_TYPE_STRING, key: record.key)
            out.string(s)
        case .list(let elements):
            writeList(key: record.key, elements)
        case .set(let members):
            writeSet(key: record.key, members)
        case .sortedSet(let members):
            writeSortedSet(key: record.key, members)
        case .hash(let fields):
            writeHash(record, fields)
        case .stream(let stream):
            writeStream(record, stream)
        case .module(let module):
            begin(.RDB_TYPE_MODULE_2, key: record.key)
            out.length(module.typeID.raw)
            out.raw(module.payload)
        case .array(let array):
            writeArray(record, array)
        }
    }

    /// rdbSaveKeyMetadata (keymeta.c): before the type byte, in files and DUMP payloads alike.
    private func writeKeyMetadata(_ metadata: [KeyMetadata], db: Int, key: @autoclosure () -> Bytes, to out: RDBOutput) {
        guard !metadata.isEmpty else { return }
        guard target.hasKeyMetadata else {
            return lose(LossText.keyMetadata(metadata.map(\.className)), db: db, key: key())
        }
        let classes = metadata.compactMap { m in m.classSpec.map { ($0, m.payload) } }
        out.byte(RDBOpcode.RDB_OPCODE_KEY_META)
        out.length(classes.count)
        for (spec, payload) in classes {
            out.uint32LE(spec)
            out.raw(payload)
        }
    }

    /// The CRC64 of the file, once `finish()` has written it.
    public private(set) var checksum: UInt64 = 0

    /// EOF and checksum; makes the file visible.
    public func finish() throws(RDBError) {
        writeHeaderIfNeeded()
        out.byte(RDBOpcode.RDB_OPCODE_EOF)
        checksum = out.checksum
        if target.hasChecksum { out.uint64LE(checksum) }
        try out.flush()
        try outputFile?.commit()
    }

    /// Drops a partial output.
    public func abandon() {
        outputFile?.abandon()
    }

    /// The file's bytes, when writing to memory.
    public var bytes: [UInt8] { out.pending }
}
