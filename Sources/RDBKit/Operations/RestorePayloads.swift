extension Convert {
    /// Per key, the RESTORE payload as JSON Lines:
    /// `{"db":0,"key":K,"expire_at_ms":N?,"idle":N?,"freq":N?,"payload":{"base64":"..."}}`.
    /// What the target cannot hold fails the run unless `lossy` (then each drop is in the summary);
    /// function libraries and module aux data, which no payload carries, are such losses. An AOF
    /// input gives the payloads of the dataset it replays to (`ReplayedDataset`, at `filter`'s clock).
    public static func restorePayloads(inputPath: String, outputPath: String?, target: RDBTarget, lossy: Bool = false,
                                       withoutModules: Bool = false, filter: KeyFilter? = nil,
                                       options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Summary {
        let lines = PayloadLines(file: try Outputs(inputs: [inputPath]).file(outputPath), target: target)
        lines.writer.dropModules = withoutModules
        return try LossPolicy(lossy: lossy).write(lines, for: target) { () throws(RDBError) in
            let collector = RecordCollector { (record) throws(RDBError) in try lines.write(record) }
            collector.onLongString = { (record, value) throws(RDBError) in try lines.write(record, longString: value) }
            collector.onFunction = { (code) in lines.writer.lose(LossText.functionLibraryByPayload(ReplayEngine.libraryName(code))) }
            collector.onModuleAux = { (aux) throws(RDBError) in lines.writer.loseModuleAux(aux) }
            // A value the target stores as the input does is copied into its payload as it is
            // read, never held whole (a 15M-element set); a size filter needs every value built.
            _ = try ReplayedDataset.withDataset(inputPath, now: filter?.nowMs ?? SystemClock.nowMs(), options: options) { (dataset) throws(RDBError) in
                if filter?.minimumSize == nil {
                    try RDBReader.read(path: dataset, visitor: ValueCopier(writer: lines, collector: collector), filter: filter, options: options)
                } else {
                    try RDBReader.read(path: dataset, visitor: collector, filter: filter, options: options)
                }
            }
            return Summary(keys: lines.keys, losses: lines.losses, checksum: 0)
        }
    }
}

/// restore-payload's output: one JSON line per key around the payload the RDB writer makes for it.
private final class PayloadLines: TargetOutput {
    let writer: RDBWriter
    private let file: OutputFile
    private let json: JSONWriter
    private(set) var keys = 0
    /// The payload of the value being copied, and the encoder its bytes go through.
    private var copied: RDBOutput?
    private let base64: Base64Sink

    init(file: OutputFile, target: RDBTarget) {
        self.file = file
        json = JSONWriter(output: file)
        writer = RDBWriter(output: nil, target: target)
        base64 = Base64Sink(json)
    }

    var losses: [ConversionLoss] { writer.losses }

    func write(_ record: KeyRecord) throws(RDBError) {
        guard writer.admits(record) else { return }
        let payload = try writer.dumpPayload(for: record)
        begin(record)
        payload.withUnsafeBytes { json.base64($0) }
        try end()
    }

    /// A string too long to hold: its payload is encoded into the line as it is made.
    func write(_ record: KeyRecord, longString value: StringValue) throws(RDBError) {
        guard writer.admits(record) else { return }
        begin(record)
        let base64 = Base64Sink(json)
        try writer.dumpPayload(record, longString: value, to: base64)
        base64.commit()
        try end()
    }

    private func begin(_ record: KeyRecord) {
        begin(db: record.db, expireAtMs: record.expireAtMs, idleSeconds: record.idleSeconds, lfuFrequency: record.lfuFrequency) {
            json.string(record.key)
        }
    }

    private func begin(db: Int, expireAtMs: Int64?, idleSeconds: UInt64?, lfuFrequency: UInt8?, key: () -> Void) {
        json.open(ExportField.db)
        json.int(Int64(db))
        json.field(ExportField.key)
        key()
        json.keyAttributes(expireAtMs: expireAtMs, idleSeconds: idleSeconds, lfuFrequency: lfuFrequency)
        json.field(ExportField.payload)
        json.open(ExportField.base64)
        json.byte(UInt8(ascii: "\""))
    }

    private func end() throws(RDBError) {
        json.raw("\"}}\n")
        try json.flushIfFull()
        keys += 1
    }

    func finish() throws(RDBError) {
        try json.flush()
        try file.commit()
    }

    func abandon() { file.abandon() }
}

/// A value copied as stored (`ValueCopier`): its payload is encoded into the line as its bytes
/// come (the JSON needs no length first, so nothing is staged).
extension PayloadLines: ValueCopyTarget {
    var target: RDBTarget { writer.target }

    func beginCopy(_ info: KeyInfo, key: RDBString) throws(RDBError) {
        begin(db: info.db, expireAtMs: info.expireAtMs, idleSeconds: info.idleSeconds, lfuFrequency: info.lfuFrequency) {
            json.string(key)
        }
        copied = writer.beginPayload(info.metadata, info.rdbType, db: info.db, key: key.array, to: base64)
    }

    func copyValueBytes(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        copied!.raw(bytes)
        try copied!.flushIfFull()
    }

    func endCopy() throws(RDBError) {
        try writer.endPayload(copied!)
        copied = nil
        base64.commit()
        try end()
    }
}
