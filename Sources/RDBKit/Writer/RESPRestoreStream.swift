/// A dump as commands for a live server: `SELECT` when the database changes, `FUNCTION LOAD
/// REPLACE` for each library, and per key `RESTORE key ttl payload REPLACE ABSTTL [IDLETIME s |
/// FREQ f]`, all as RESP arrays, the form `redis-cli --pipe` sends.
public final class RESPRestoreStream: KeySink {
    private let writer: RDBWriter
    private let encoder: RESPEncoder
    private var currentDB: Int?
    /// A payload made as it comes (a long string's, a copied value's): over a MiB it waits in a
    /// temporary file until its length, which the RESTORE argument states first, is known.
    private let stage = StagedBytes(purpose: "a RESTORE payload")
    private var copied: (record: KeyRecord, out: RDBOutput)?
    public var commands: Int { encoder.commands }
    public private(set) var keysWritten = 0

    public init(output: OutputFile, target: RDBTarget, dropModules: Bool) {
        encoder = RESPEncoder(output: output)
        writer = RDBWriter(output: nil, target: target)
        writer.dropModules = dropModules
    }

    public var losses: [ConversionLoss] { writer.losses }

    public func writeFunction(_ code: Bytes) throws(RDBError) {
        try command([Array("FUNCTION".utf8), Array("LOAD".utf8), Array("REPLACE".utf8), code])
    }

    /// Module aux data has no command: RESTORE carries keys only.
    public func writeModuleAux(_ aux: ModuleAux) throws(RDBError) {
        writer.loseModuleAux(aux)
    }

    public func write(_ record: KeyRecord) throws(RDBError) {
        guard writer.admits(record) else { return }
        let payload = try writer.dumpPayload(for: record)
        try select(record.db)
        let (before, after) = arguments(record)
        try command(before + [payload] + after)
        keysWritten += 1
    }

    /// A string key whose value arrives in pieces: its payload (compressed as it goes, so its
    /// length is known only at its end) is staged (`StagedBytes`), then copied out.
    public func write(_ record: KeyRecord, longString value: StringValue) throws(RDBError) {
        guard writer.admits(record) else { return }
        defer { stage.abandon() }
        try writer.dumpPayload(record, longString: value, to: stage)
        try restoreStaged(record)
    }

    private func restoreStaged(_ record: KeyRecord) throws(RDBError) {
        try select(record.db)
        let (before, after) = arguments(record)
        encoder.begin(count: before.count + 1 + after.count)
        for a in before { a.withUnsafeBytes { encoder.argument($0) } }
        try encoder.argument(stage)
        for a in after { a.withUnsafeBytes { encoder.argument($0) } }
        try encoder.end()
        keysWritten += 1
    }

    private func select(_ db: Int) throws(RDBError) {
        guard db != currentDB else { return }
        try command([Array("SELECT".utf8), Array(String(db).utf8)])
        currentDB = db
    }

    /// RESTORE's arguments before the payload and after it.
    private func arguments(_ record: KeyRecord) -> (before: [Bytes], after: [Bytes]) {
        var after: [Bytes] = [Array("REPLACE".utf8), Array("ABSTTL".utf8)]
        if let idle = record.idleSeconds {
            after += [Array("IDLETIME".utf8), Array(String(idle).utf8)]
        } else if let freq = record.lfuFrequency {
            after += [Array("FREQ".utf8), Array(String(freq).utf8)]
        }
        return ([Array("RESTORE".utf8), record.key, Array(String(record.expireAtMs ?? 0).utf8)], after)
    }

    private func command(_ args: [Bytes]) throws(RDBError) {
        try encoder.command(args)
    }

    public func finish() throws(RDBError) { try encoder.finish() }

    public func abandon() { encoder.abandon() }
}

extension RESPRestoreStream: ValueCopyTarget {
    var target: RDBTarget { writer.target }

    /// A value copied as stored (`ValueCopier`): its payload is staged as its bytes come.
    func beginCopy(_ info: KeyInfo, key: RDBString) throws(RDBError) {
        let record = KeyRecord(db: info.db, key: key.array, value: .string([]), expireAtMs: info.expireAtMs,
                               idleSeconds: info.idleSeconds, lfuFrequency: info.lfuFrequency)
        copied = (record, writer.beginPayload(info.metadata, info.rdbType, db: info.db, key: record.key, to: stage))
    }

    func copyValueBytes(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        copied!.out.raw(bytes)
        try copied!.out.flushIfFull()
    }

    func endCopy() throws(RDBError) {
        defer {
            copied = nil
            stage.abandon()
        }
        try writer.endPayload(copied!.out)
        try restoreStaged(copied!.record)
    }
}
