/// `merge`: a base snapshot plus AOF deltas gives a new snapshot, offline — what Redis does at
/// start-up with a multi-part AOF. Two passes keep memory to what the delta touches:
///
/// 1. The deltas' commands are read once to note every argument (as a 64-bit hash: a false match
///    only means a key is held that did not need to be) and the databases FLUSHDB empties.
/// 2. The base is read in file order: a key no command names goes straight to the output; a key
///    a command may name is held in memory; a key of a database emptied by FLUSHDB/FLUSHALL is
///    dropped (every base key predates every command). Then the commands are replayed on the held
///    keys (`ReplayEngine`), which are written after the streamed ones, then the functions.
///
/// SWAPDB moves whole databases, so a delta holding it makes every base key held.
public enum Merge {
    public enum Output: Sendable {
        case rdb
        case aof(Convert.AOFLayout)
    }

    public struct Options: Sendable {
        public var target: RDBTarget
        public var output: Output = .rdb
        public var lossy = false
        public var withoutModules = false
        /// Unix seconds: apply only what was written up to this time (`#TS:` annotations).
        public var until: Int64?
        public var skipUnknown = false
        /// The clock for commands that read it (relative expiries of old AOFs), in ms.
        public var now: Int64
        public var reader = ReaderOptions()

        public init(target: RDBTarget, now: Int64) {
            self.target = target
            self.now = now
        }

        /// The options of `writing` for the dataset `base` makes (its own target by default).
        public init(_ writing: TargetWriting, base: String, output: Output, now: Int64) {
            self.init(target: writing.target(for: base), now: now)
            self.output = output
            lossy = writing.lossy
            withoutModules = writing.withoutModules
        }
    }

    public struct Summary: Sendable {
        public var keysStreamed = 0
        public var keysHeld = 0
        public var keysWritten = 0
        public var commands = 0
        public var refused: [String: Int] = [:]
        public var skipped: [String: Int] = [:]
        public var losses: [ConversionLoss] = []
        /// Where `until` stopped, when it did.
        public var stoppedAt: (file: String, offset: Int64)?
    }

    /// Where merged keys go: an RDB writer, or the AOF rewrite.
    private static func keySink(_ outputs: Outputs, path: String, options: Options) throws(RDBError) -> KeySink {
        switch options.output {
        case .rdb:
            let writer = RDBWriter(output: try outputs.file(path), target: options.target)
            writer.dropModules = options.withoutModules
            return writer
        case .aof(let layout):
            return try AOFRewriter(destination: AOFDestination(outputs, path: path, layout: layout), target: options.target,
                                   dropModules: options.withoutModules)
        }
    }

    /// `base`: an RDB file, the export schema (JSON), an AOF file or a multi-part directory (its
    /// RDB content is the base, its commands come first). `deltas`: AOF files or directories, applied in order.
    public static func run(base: String, deltas: [String], outputPath: String, options: Options) throws(RDBError) -> Summary {
        let outputs = Outputs(inputs: [base] + deltas)
        try outputs.refuseInput(outputPath)
        let baseKind = InputKind.of(base)
        let baseIsAOF = baseKind == .aof
        let commandSources = (baseIsAOF ? [base] : []) + deltas
        if commandSources.contains("-") {
            // The plan's scan and the replay each read every AOF once.
            throw RDBError(.unreadable("merge reads each AOF twice, and standard input can be read only once: give the AOF as a file"),
                           context: "-")
        }
        let plan = try MergePlan.scan(commandSources, options: options)
        let sink = try keySink(outputs, path: outputPath, options: options)
        var summary = Summary()
        let aof: String? = if case .aof = options.output { outputPath } else { nil }
        return try LossPolicy(lossy: options.lossy).write(sink, for: options.target, aofAt: aof) { () throws(RDBError) -> Summary in
            let keyspace = Keyspace()
            let engine = ReplayEngine(keyspace: keyspace, now: options.now)
            engine.skipUnknown = options.skipUnknown
            let route = { (record: KeyRecord) throws(RDBError) in
                if plan.dropsBase(db: record.db) { return }
                if plan.mayTouch(record.key) {
                    keyspace.insert(record)
                    summary.keysHeld += 1
                } else {
                    try sink.write(record)
                    summary.keysStreamed += 1
                }
            }
            let keepFunction = { (code: Bytes) in
                if let name = ReplayEngine.libraryName(code) { keyspace.functions.append((name, code)) }
            }
            // A long string value goes through in its pieces, or is held on disk (`Keyspace`).
            let routeLong = { (record: KeyRecord, value: StringValue) throws(RDBError) in
                if plan.dropsBase(db: record.db) { return }
                if plan.mayTouch(record.key) {
                    try keyspace.insert(record, longString: value)
                    summary.keysHeld += 1
                } else {
                    try sink.write(record, longString: value)
                    summary.keysStreamed += 1
                }
            }
            let router = RecordCollector(onRecord: route)
            router.onLongString = routeLong
            router.onFunction = keepFunction
            router.onModuleAux = { (aux) throws(RDBError) in try sink.writeModuleAux(aux) }
            switch baseKind {
            case .rdb:
                if let writer = sink as? RDBWriter {
                    // A key no command names is copied as stored when the output's format is the base's.
                    let copier = ValueCopier(writer: writer, collector: router) { info, key in
                        if plan.dropsBase(db: info.db) { return .drop }
                        return key.withBytes { plan.mayTouch($0) } ? .decode : .copy
                    }
                    try RDBReader.read(path: base, visitor: copier, options: options.reader)
                    summary.keysStreamed += copier.keysCopied
                } else {
                    try RDBReader.read(path: base, visitor: router, options: options.reader)
                }
            case .json:
                let records = JSONImport(source: try openInput(path: base))
                while let item = try records.next() {
                    switch item {
                    case .key(let record): try route(record)
                    case .longString(let record, let value): try routeLong(record, value)
                    case .function(let code): keepFunction(code)
                    case .moduleAux(let aux): try sink.writeModuleAux(aux)
                    }
                }
            case .aof: break
            }
            for (index, source) in commandSources.enumerated() {
                let reader = try AOFReader(path: source, options: options.reader, until: options.until)
                // A long value (a 512 MiB SET) is applied from a temporary file, never held.
                reader.longArguments = .spilled
                // Only the base's own RDB content is a base; RDB content inside a delta (a
                // rewrite's base file) replaces nothing and is refused.
                let rdb: RecordCollector = index == 0 && baseIsAOF ? router : RecordCollector { (record) throws(RDBError) in
                    throw RDBError(.unreadable("a delta holds RDB content (a rewritten base): give that directory as the base"),
                                   key: record.key)
                }
                do throws(RDBError) {
                    try reader.read(rdb: rdb, partEnded: { engine.endOfFile() }) { (command) throws(RDBError) in
                        do throws(ReplayError) {
                            try engine.apply(command)
                        } catch {
                            throw RDBError(.unreadable("\(error.command): \(error.reason)"), offset: error.offset)
                        }
                        summary.commands += 1
                    }
                } catch var error {
                    if error.context == nil { error.context = reader.currentPart.path }
                    throw error
                }
                if let stop = reader.stoppedByTimestamp {
                    summary.stoppedAt = (reader.files.parts[stop.part].path, stop.offset)
                    break
                }
            }
            var replayed = 0
            try keyspace.forEachRecord { (record, long) throws(RDBError) in
                if let long { try sink.write(record, longString: long.value) } else { try sink.write(record) }
                replayed += 1
            }
            for library in keyspace.functions { try sink.writeFunction(library.code) }
            summary.keysWritten = summary.keysStreamed + replayed
            summary.refused = engine.refused
            summary.skipped = engine.skipped
            summary.losses = sink.losses
            return summary
        }
    }
}

/// What pass 1 learns from the deltas.
struct MergePlan {
    private var arguments = Set<UInt64>()
    private var flushedDatabases = Set<Int>()
    private var flushesAll = false
    /// SWAPDB moves whole databases: every base key is then held.
    private var holdsEverything = false
    /// An argument longer than a piece is passed over (given empty), not fingerprinted: once an
    /// empty argument is seen, every base key that long is held (it may have been one).
    private var holdsLongKeys = false

    func mayTouch(_ key: some Collection<UInt8>) -> Bool {
        holdsEverything || holdsLongKeys && key.count > RESPSyntax.bulkPiece || arguments.contains(fingerprint(key))
    }

    func dropsBase(db: Int) -> Bool { !holdsEverything && (flushesAll || flushedDatabases.contains(db)) }

    static func scan(_ sources: [String], options: Merge.Options) throws(RDBError) -> MergePlan {
        var plan = MergePlan()
        for source in sources {
            let reader = try AOFReader(path: source, options: options.reader, until: options.until)
            reader.longArguments = .elided
            var db = 0
            try reader.read(rdb: SkippingVisitor(), partEnded: { db = 0 }) { command in
                for argument in command.arguments.dropFirst() { plan.arguments.insert(fingerprint(argument)) }
                if command.arguments.contains(where: \.isEmpty) { plan.holdsLongKeys = true }
                switch command.name {
                case "select": if command.arguments.count == 2, let n = integer(command.arguments[1]) { db = Int(n) }
                case "flushall": plan.flushesAll = true
                case "flushdb": plan.flushedDatabases.insert(db)
                case "swapdb": plan.holdsEverything = true
                default: break
                }
            }
            if reader.stoppedByTimestamp != nil { break }
        }
        return plan
    }
}

/// FNV-1a, 64 bits: a key's stand-in in the set of arguments.
private func fingerprint(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
    return h
}
