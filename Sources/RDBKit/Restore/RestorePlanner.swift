/// Turns the source's keys and libraries into what goes to the target: a `RESTORE` payload in
/// the RDB version the target accepts (the writer's downgrade path), or, for a key whose payload
/// is over the server's `proto-max-bulk-len`, the commands Redis's AOF rewrite would write for it.
/// What the target cannot hold is in `losses`, for the loss policy to judge before anything of
/// the key is sent (`LossPolicy.write(_:for:checkingAsItGoes:)`, which drives the planner as the
/// output it is).
final class RestorePlanner: TargetOutput {
    enum Decision {
        case send(RestoreItem)
        case skip(RestoreOutcome)
    }

    private let writer: RDBWriter
    private let options: RestoreOptions
    private let maximumBulk: Int

    init(target: RDBTarget, options: RestoreOptions, maximumBulk: Int) throws(RDBError) {
        writer = try RDBWriter(path: nil, target: target)
        writer.dropModules = options.withoutModules
        self.options = options
        self.maximumBulk = maximumBulk
    }

    var target: RDBTarget { writer.target }
    var losses: [ConversionLoss] { writer.losses }

    /// What was restored is on the server, and stays: there is nothing to make visible or take back.
    func finish() throws(RDBError) {}
    func abandon() {}

    func plan(_ record: KeyRecord, sequence: Int) throws(RDBError) -> Decision {
        if let at = record.expireAtMs, at <= options.nowMs { return .skip(.expired) }
        let db = options.databaseMap[record.db] ?? record.db
        guard writer.admits(record) else { return .skip(.dropped) }
        let payload = try writer.dumpPayload(for: record)
        if payload.count <= maximumBulk {
            return .send(RestoreItem(sequence: sequence, db: db, key: record.key,
                                     body: .payload(payload, expireAtMs: record.expireAtMs, idleSeconds: record.idleSeconds,
                                                    lfuFrequency: record.lfuFrequency),
                                     replacing: options.existing == .replace))
        }
        // Too long for one argument: the key as the AOF rewrite's commands (batches of 64
        // elements, each far below the limit). LRU/LFU metadata has no command and is not kept.
        let commands = MemorySink()
        let encoder = RESPEncoder(output: commands)
        let rewriter = try AOFRewriter(output: encoder, target: writer.target, dropModules: options.withoutModules)
        rewriter.currentDB = record.db  // databases are the pipeline's business
        try rewriter.write(record)
        try encoder.flush()
        return .send(RestoreItem(sequence: sequence, db: db, key: record.key,
                                 body: .plain(commands.bytes, commands: encoder.commands),
                                 replacing: options.existing == .replace))
    }

    func plan(function code: Bytes, sequence: Int) throws(RDBError) -> Decision {
        guard writer.target.hasFunctions else {
            writer.lose(LossText.functionLibrary)
            return .skip(.dropped)
        }
        return .send(RestoreItem(sequence: sequence, db: 0, key: [], body: .function(code), replacing: options.existing == .replace))
    }

    /// Module aux data rides with keys in a file; no command restores it.
    func moduleAux(_ aux: ModuleAux) {
        writer.loseModuleAux(aux)
    }
}
