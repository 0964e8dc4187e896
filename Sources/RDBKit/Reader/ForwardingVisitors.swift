/// Visitors that wrap another visitor pass most events through unchanged; these protocols give
/// them that passing-through, so each wrapper states only what it does differently.

/// Sends a key's element events (values, members, fields, stream parts, endKey) to `elementSink`.
public protocol ForwardsElements: RDBVisitor {
    associatedtype ElementSink: RDBVisitor
    var elementSink: ElementSink { get }
}

extension ForwardsElements {
    public func stringValue(_ value: StringValue) throws(RDBError) { try elementSink.stringValue(value) }
    public func listElement(_ element: RDBString) throws(RDBError) { try elementSink.listElement(element) }
    public func setMember(_ member: RDBString) throws(RDBError) { try elementSink.setMember(member) }
    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) { try elementSink.zsetMember(member, score: score) }
    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        try elementSink.hashField(field, value: value, expireAtMs: expireAtMs)
    }
    public func listElement(long element: StringValue) throws(RDBError) { try elementSink.listElement(long: element) }
    public func setMember(long member: StringValue) throws(RDBError) { try elementSink.setMember(long: member) }
    public func zsetMember(long member: StringValue, score: Double) throws(RDBError) {
        try elementSink.zsetMember(long: member, score: score)
    }
    public func hashField(_ field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError) {
        try elementSink.hashField(field, longValue: value, expireAtMs: expireAtMs)
    }
    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) { try elementSink.streamEntry(id: id, fields: fields) }
    public func streamNode(listpackBytes: Int) throws(RDBError) { try elementSink.streamNode(listpackBytes: listpackBytes) }
    public func streamMetadata(_ metadata: StreamMetadata) throws(RDBError) { try elementSink.streamMetadata(metadata) }
    public func streamGroup(_ group: StreamGroup) throws(RDBError) { try elementSink.streamGroup(group) }
    public func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) { try elementSink.streamIdmp(idmp) }
    public func arrayHeader(count: UInt64, insertIndex: UInt64?) throws(RDBError) {
        try elementSink.arrayHeader(count: count, insertIndex: insertIndex)
    }
    public func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {
        try elementSink.arrayElement(index: index, element: element)
    }
    public func moduleValue(_ value: ModuleValue) throws(RDBError) { try elementSink.moduleValue(value) }
    public func rawValue(_ bytes: UnsafeRawBufferPointer) throws(RDBError) { try elementSink.rawValue(bytes) }
    public func endKey() throws(RDBError) { try elementSink.endKey() }
}

/// Sends the file-level events (header, aux, databases, functions, module aux, end) to `fileSink`.
public protocol ForwardsFileRecords: RDBVisitor {
    associatedtype FileSink: RDBVisitor
    var fileSink: FileSink { get }
}

extension ForwardsFileRecords {
    public func header(_ header: RDBHeader) throws(RDBError) { try fileSink.header(header) }
    public func aux(name: RDBString, value: RDBString) throws(RDBError) { try fileSink.aux(name: name, value: value) }
    public func selectDB(_ db: Int) throws(RDBError) { try fileSink.selectDB(db) }
    public func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError) { try fileSink.resizeDB(keys: keys, expires: expires) }
    public func slotInfo(_ info: SlotInfo) throws(RDBError) { try fileSink.slotInfo(info) }
    public func function(code: RDBString) throws(RDBError) { try fileSink.function(code: code) }
    public func moduleAux(_ aux: ModuleAux) throws(RDBError) { try fileSink.moduleAux(aux) }
    public func slotImport(_ job: SlotImport) throws(RDBError) { try fileSink.slotImport(job) }
    public func end(_ trailer: RDBTrailer) throws(RDBError) { try fileSink.end(trailer) }
}
