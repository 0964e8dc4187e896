/// Where keys are written: an RDB file (`RDBWriter`), the AOF rewrite's commands (`AOFRewriter`),
/// RESTORE commands (`RESPRestoreStream`). A key arrives whole, or, for a string too long to hold,
/// with its value in pieces. A sink that takes values element by element (the AOF rewrite) is
/// also an `RDBVisitor`, and reads a dump without records.
public protocol KeySink: TargetOutput {
    var keysWritten: Int { get }

    func write(_ record: KeyRecord) throws(RDBError)
    /// A string key whose value arrives in pieces (`RecordCollector.onLongString`); the record's
    /// own value is empty.
    func write(_ record: KeyRecord, longString value: StringValue) throws(RDBError)
    func writeFunction(_ code: Bytes) throws(RDBError)
    func writeModuleAux(_ aux: ModuleAux) throws(RDBError)
}

/// An output written for a target: it records what the target could not hold, and is finished
/// (made visible under its name) or abandoned (removed) as a whole — what `LossPolicy.write` drives.
public protocol TargetOutput: AnyObject {
    /// What the target could not hold, so far.
    var losses: [ConversionLoss] { get }
    /// Completes the output and makes it visible under its name.
    func finish() throws(RDBError)
    /// Drops a partial output.
    func abandon()
}

extension KeySink {
    /// For a sink that needs the value whole: it is gathered first.
    public func write(_ record: KeyRecord, longString value: StringValue) throws(RDBError) {
        var whole = record
        whole.value = .string(try value.array)
        try write(whole)
    }
}

extension RecordCollector {
    /// Hands every key, function library and module aux record of a dump to `sink`, in file order.
    public convenience init(into sink: KeySink) {
        self.init { (record) throws(RDBError) in try sink.write(record) }
        onLongString = { (record, value) throws(RDBError) in try sink.write(record, longString: value) }
        onFunction = { (code) throws(RDBError) in try sink.writeFunction(code) }
        onModuleAux = { (aux) throws(RDBError) in try sink.writeModuleAux(aux) }
    }
}
