/// A dump as commands for a live server: `SELECT` when the database changes, `FUNCTION LOAD
/// REPLACE` for each library, and per key `RESTORE key ttl payload REPLACE ABSTTL [IDLETIME s |
/// FREQ f]`, all as RESP arrays, the form `redis-cli --pipe` sends.
public final class RESPRestoreStream: KeySink {
    private let writer: RDBWriter
    private let encoder: RESPEncoder
    private var currentDB: Int?
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
        if record.db != currentDB {
            try command([Array("SELECT".utf8), Array(String(record.db).utf8)])
            currentDB = record.db
        }
        var args: [Bytes] = [Array("RESTORE".utf8), record.key, Array(String(record.expireAtMs ?? 0).utf8),
                             payload, Array("REPLACE".utf8), Array("ABSTTL".utf8)]
        if let idle = record.idleSeconds {
            args += [Array("IDLETIME".utf8), Array(String(idle).utf8)]
        } else if let freq = record.lfuFrequency {
            args += [Array("FREQ".utf8), Array(String(freq).utf8)]
        }
        try command(args)
        keysWritten += 1
    }

    private func command(_ args: [Bytes]) throws(RDBError) {
        try encoder.command(args)
    }

    public func finish() throws(RDBError) { try encoder.finish() }

    public func abandon() { encoder.abandon() }
}
