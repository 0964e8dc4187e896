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
        if target.hasResizeHints && inputPath != "-" {
            // A first pass, values skipped by their lengths, counts what RESIZEDB says Redis has.
            let counter = DatabaseCounter()
            do throws(RDBError) {
                try RDBReader.read(path: inputPath, visitor: counter, filter: filter, options: ReaderOptions(acceptNewerVersions: options.acceptNewerVersions))
            } catch {
                writer.abandon()
                throw error
            }
            writer.resizeHints = counter.counts
        }
        let collector = RecordCollector { (record) throws(RDBError) in try writer.write(record) }
        collector.onLongString = { (record, value) throws(RDBError) in try writer.write(record, longString: value) }
        collector.onFunction = { (code) throws(RDBError) in try writer.writeFunction(code) }
        collector.onModuleAux = { (aux) throws(RDBError) in try writer.writeModuleAux(aux) }
        do throws(RDBError) {
            try read(inputPath, collector, filter, options)
            try LossPolicy(lossy: lossy).check(writer.losses, target: target)
            let checksum = try writer.finish()
            return Summary(keys: writer.keysWritten, losses: writer.losses, checksum: checksum)
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Converts the export schema (JSON Lines or the JSON array form) into an RDB file.
    public static func jsonToRDB(inputPath: String, outputPath: String, target: RDBTarget, lossy: Bool,
                                 withoutModules: Bool = false) throws(RDBError) -> Summary {
        let writer = RDBWriter(output: try Outputs(inputs: [inputPath]).file(outputPath), target: target)
        writer.dropModules = withoutModules
        do throws(RDBError) {
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
            try LossPolicy(lossy: lossy).check(writer.losses, target: target)
            let checksum = try writer.finish()
            return Summary(keys: writer.keysWritten, losses: writer.losses, checksum: checksum)
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Converts `inputPath` into RESP `RESTORE` commands (see `RESPRestoreStream`).
    public static func rdbToRESP(inputPath: String, outputPath: String, target: RDBTarget, lossy: Bool,
                                 withoutModules: Bool = false, filter: KeyFilter? = nil,
                                 options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Summary {
        let stream = RESPRestoreStream(output: try Outputs(inputs: [inputPath]).file(outputPath), target: target,
                                       dropModules: withoutModules)
        let collector = RecordCollector { (record) throws(RDBError) in try stream.restore(record) }
        collector.onLongString = { (record, value) throws(RDBError) in try stream.restore(record, longString: value) }
        collector.onFunction = { (code) throws(RDBError) in try stream.function(code) }
        collector.onModuleAux = { (aux) throws(RDBError) in
            stream.losesModuleAux(aux)
        }
        do throws(RDBError) {
            try read(inputPath, collector, filter, options)
            try LossPolicy(lossy: lossy).check(stream.losses, target: target)
            try stream.finish()
            return Summary(keys: stream.keysRestored, losses: stream.losses, checksum: 0)
        } catch {
            stream.abandon()
            throw error
        }
    }

    /// Per key, the RESTORE payload as JSON Lines:
    /// `{"db":0,"key":K,"expire_at_ms":N?,"idle":N?,"freq":N?,"payload":{"base64":"..."}}`.
    /// What the target cannot hold fails the run unless `lossy` (then each drop is in the summary).
    public static func restorePayloads(inputPath: String, outputPath: String?, target: RDBTarget, lossy: Bool = false,
                                       withoutModules: Bool = false, filter: KeyFilter? = nil,
                                       options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Summary {
        let file = try Outputs(inputs: [inputPath]).file(outputPath)
        let json = JSONWriter(output: file)
        let writer = RDBWriter(output: nil, target: target)
        writer.dropModules = withoutModules
        var keys = 0
        func begin(_ record: KeyRecord) {
            json.raw("{\"db\":")
            json.int(Int64(record.db))
            json.raw(",\"key\":")
            json.string(record.key)
            json.keyAttributes(expireAtMs: record.expireAtMs, idleSeconds: record.idleSeconds, lfuFrequency: record.lfuFrequency)
            json.raw(",\"payload\":{\"base64\":\"")
        }
        func end() throws(RDBError) {
            json.raw("\"}}\n")
            try json.flushIfFull()
            keys += 1
        }
        let collector = RecordCollector { (record) throws(RDBError) in
            guard writer.admits(record) else { return }
            let payload = try writer.dumpPayload(for: record)
            begin(record)
            payload.withUnsafeBytes { json.base64($0) }
            try end()
        }
        collector.onLongString = { (record, value) throws(RDBError) in
            begin(record)
            let base64 = Base64Sink(json)
            try writer.dumpPayload(longString: value, to: base64)
            base64.commit()
            try end()
        }
        do throws(RDBError) {
            try read(inputPath, collector, filter, options)
            try LossPolicy(lossy: lossy).check(writer.losses, target: target)
            try json.flush()
            try file.commit()
            return Summary(keys: keys, losses: writer.losses, checksum: 0)
        } catch {
            file.abandon()
            throw error
        }
    }

    private static func read(_ path: String, _ collector: RecordCollector, _ filter: KeyFilter?,
                             _ options: ReaderOptions) throws(RDBError) {
        try RDBReader.read(path: path, visitor: collector, filter: filter, options: options)
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
