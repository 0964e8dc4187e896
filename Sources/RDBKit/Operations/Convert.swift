/// The convert verb's work: every key of the input re-encoded for a target version (RDB, RESP
/// RESTORE commands, payloads), or imported from the export schema.
public enum Convert {
    public struct Summary: Sendable {
        public var keys: Int
        /// What the target could not hold (only with `lossy`; otherwise these fail the conversion).
        public var losses: [ConversionLoss]
        public var checksum: UInt64
    }

    /// Converts `inputPath` into `outputPath` for `target`. Without `lossy`, anything the target
    /// cannot hold fails the conversion, listing every such thing, and no output is left behind.
    public static func rdbToRDB(inputPath: String, outputPath: String, target: RDBTarget, lossy: Bool,
                                withoutModules: Bool = false, filter: KeyFilter? = nil,
                                options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Summary {
        let writer = RDBWriter(output: try Outputs(inputs: [inputPath]).file(outputPath), target: target)
        writer.dropModules = withoutModules
        try LossPolicy(lossy: lossy).write(writer, for: target) { () throws(RDBError) in
            let collector = RecordCollector(into: writer)
            // Values the target stores as the input does are copied; a size filter decides on the
            // decoded value, so it needs every value built.
            let copier = filter?.minimumSize == nil ? ValueCopier(writer: writer, collector: collector) : nil
            // Every key written as it stands: the input's own RESIZEDB numbers hold for the output.
            copier?.adoptsResizeHints = (filter?.isEmpty ?? true) && !withoutModules
            let sameFormat = copier?.adoptsResizeHints == true
                && (inputPath == "-" || RDBTarget.inputHeader(inputPath).map { target.storesAsIs($0.0) } == true)
            if target.hasResizeHints && inputPath != "-" && !sameFormat {
                // A first pass, values skipped by their lengths, counts what RESIZEDB says Redis has.
                let counter = DatabaseCounter()
                try RDBReader.read(path: inputPath, visitor: counter, filter: filter, options: ReaderOptions(acceptNewerVersions: options.acceptNewerVersions))
                writer.resizeHints = counter.counts
            }
            if let copier {
                try RDBReader.read(path: inputPath, visitor: copier, filter: filter, options: options)
            } else {
                try RDBReader.read(path: inputPath, visitor: collector, filter: filter, options: options)
            }
        }
        return Summary(keys: writer.keysWritten, losses: writer.losses, checksum: writer.checksum)
    }

    /// Converts the export schema (JSON Lines or the JSON array form) into an RDB file.
    public static func jsonToRDB(inputPath: String, outputPath: String, target: RDBTarget, lossy: Bool,
                                 withoutModules: Bool = false) throws(RDBError) -> Summary {
        let writer = RDBWriter(output: try Outputs(inputs: [inputPath]).file(outputPath), target: target)
        writer.dropModules = withoutModules
        try LossPolicy(lossy: lossy).write(writer, for: target) { () throws(RDBError) in
            if target.hasResizeHints && inputPath != "-" {
                // A first pass counts what RESIZEDB says, as for a dump.
                let counting = JSONImport(source: try openInput(path: inputPath))
                while let item = try counting.next() {
                    let record: KeyRecord
                    switch item {
                    case .key(let r), .longString(let r, _): record = r
                    default: continue
                    }
                    writer.resizeHints[record.db, default: (0, 0)].keys += 1
                    if record.expireAtMs != nil { writer.resizeHints[record.db, default: (0, 0)].expires += 1 }
                }
            }
            let records = JSONImport(source: try openInput(path: inputPath))
            while let item = try records.next() {
                switch item {
                case .key(let record): try writer.write(record)
                case .longString(let record, let value): try writer.write(record, longString: value)
                case .function(let code): try writer.writeFunction(code)
                case .moduleAux(let aux): try writer.writeModuleAux(aux)
                }
            }
        }
        return Summary(keys: writer.keysWritten, losses: writer.losses, checksum: writer.checksum)
    }

    /// Converts `inputPath` into RESP `RESTORE` commands (see `RESPRestoreStream`).
    public static func rdbToRESP(inputPath: String, outputPath: String, target: RDBTarget, lossy: Bool,
                                 withoutModules: Bool = false, filter: KeyFilter? = nil,
                                 options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Summary {
        let stream = RESPRestoreStream(output: try Outputs(inputs: [inputPath]).file(outputPath), target: target,
                                       dropModules: withoutModules)
        try LossPolicy(lossy: lossy).write(stream, for: target) { () throws(RDBError) in
            // Values stored as the target stores them are copied into their payloads (see `restorePayloads`).
            let collector = RecordCollector(into: stream)
            if filter?.minimumSize == nil {
                try RDBReader.read(path: inputPath, visitor: ValueCopier(writer: stream, collector: collector), filter: filter, options: options)
            } else {
                try RDBReader.read(path: inputPath, visitor: collector, filter: filter, options: options)
            }
        }
        return Summary(keys: stream.keysWritten, losses: stream.losses, checksum: 0)
    }
}

/// Keys and keys with an expiry per database, every value skipped undecoded.
final class DatabaseCounter: RDBVisitor {
    private(set) var counts: [Int: (keys: Int, expires: Int)] = [:]

    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        counts[info.db, default: (0, 0)].keys += 1
        if info.expireAtMs != nil { counts[info.db, default: (0, 0)].expires += 1 }
        return .skip
    }
}
