/// Passes a file's events to `inner`, leaving out the keys a `KeyFilter` rejects (the parser
/// skips their values without decoding them). File-level records pass through.
public final class FilteringVisitor<Inner: RDBVisitor>: RDBVisitor {
    public let inner: Inner
    public let filter: KeyFilter
    public private(set) var keysSkipped = 0

    public init(_ inner: Inner, filter: KeyFilter) {
        self.inner = inner
        self.filter = filter
    }

    public var wantsStringValues: Bool { inner.wantsStringValues }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        let accepted = key.withBytes { filter.accepts(info, key: $0) }
        guard accepted else {
            keysSkipped += 1
            return .skip
        }
        return try inner.beginKey(info, key: key)
    }

    // A skipped key gets no element events and no endKey from the parser: forward everything.
    public func header(_ header: RDBHeader) throws(RDBError) { try inner.header(header) }
    public func aux(name: RDBString, value: RDBString) throws(RDBError) { try inner.aux(name: name, value: value) }
    public func selectDB(_ db: Int) throws(RDBError) { try inner.selectDB(db) }
    public func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError) { try inner.resizeDB(keys: keys, expires: expires) }
    public func slotInfo(_ info: SlotInfo) throws(RDBError) { try inner.slotInfo(info) }
    public func function(code: RDBString) throws(RDBError) { try inner.function(code: code) }
    public func moduleAux(_ aux: ModuleAux) throws(RDBError) { try inner.moduleAux(aux) }
    public func slotImport(_ job: SlotImport) throws(RDBError) { try inner.slotImport(job) }
    public func stringValue(_ value: RDBString) throws(RDBError) { try inner.stringValue(value) }
    public func listElement(_ element: RDBString) throws(RDBError) { try inner.listElement(element) }
    public func setMember(_ member: RDBString) throws(RDBError) { try inner.setMember(member) }
    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) { try inner.zsetMember(member, score: score) }
    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        try inner.hashField(field, value: value, expireAtMs: expireAtMs)
    }
    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) { try inner.streamEntry(id: id, fields: fields) }
    public func streamMetadata(_ metadata: StreamMetadata) throws(RDBError) { try inner.streamMetadata(metadata) }
    public func streamGroup(_ group: StreamGroup) throws(RDBError) { try inner.streamGroup(group) }
    public func moduleValue(_ value: ModuleValue) throws(RDBError) { try inner.moduleValue(value) }
    public func endKey() throws(RDBError) { try inner.endKey() }
    public func end(_ trailer: RDBTrailer) throws(RDBError) { try inner.end(trailer) }
}
