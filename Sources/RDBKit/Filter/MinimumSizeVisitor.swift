/// `--min-size`: passes on only keys whose estimated memory (`MemoryEstimate`) is at least
/// `minimum` bytes. The size is known only once a key is read, so each key is held whole here
/// (memory: the largest key) and then replayed to `inner` if it qualifies.
public final class MinimumSizeVisitor<Inner: RDBVisitor>: RDBVisitor {
    public let inner: Inner
    public let minimum: Int
    private var info: KeyInfo?
    private var collector: RecordCollector!

    public init(_ inner: Inner, minimum: Int) {
        self.inner = inner
        self.minimum = minimum
        collector = RecordCollector { [unowned self] (record) throws(RDBError) in try self.decide(record) }
    }

    private func decide(_ record: KeyRecord) throws(RDBError) {
        guard let info else { return }
        var size = 0
        try record.replay(as: info, into: KeyStatsCollector { (s) throws(RDBError) in size = s.memory })
        if size >= minimum { try record.replay(as: info, into: inner) }
    }

    public var wantsStringValues: Bool { true }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        self.info = info
        return try collector.beginKey(info, key: key)
    }
    public func stringValue(_ value: RDBString) throws(RDBError) { try collector.stringValue(value) }
    public func listElement(_ element: RDBString) throws(RDBError) { try collector.listElement(element) }
    public func setMember(_ member: RDBString) throws(RDBError) { try collector.setMember(member) }
    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) { try collector.zsetMember(member, score: score) }
    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        try collector.hashField(field, value: value, expireAtMs: expireAtMs)
    }
    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) { try collector.streamEntry(id: id, fields: fields) }
    public func streamMetadata(_ metadata: StreamMetadata) throws(RDBError) { try collector.streamMetadata(metadata) }
    public func streamGroup(_ group: StreamGroup) throws(RDBError) { try collector.streamGroup(group) }
    public func moduleValue(_ value: ModuleValue) throws(RDBError) { try collector.moduleValue(value) }
    public func endKey() throws(RDBError) { try collector.endKey() }

    // File-level records go straight through.
    public func header(_ header: RDBHeader) throws(RDBError) { try inner.header(header) }
    public func aux(name: RDBString, value: RDBString) throws(RDBError) { try inner.aux(name: name, value: value) }
    public func selectDB(_ db: Int) throws(RDBError) { try inner.selectDB(db) }
    public func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError) { try inner.resizeDB(keys: keys, expires: expires) }
    public func slotInfo(_ info: SlotInfo) throws(RDBError) { try inner.slotInfo(info) }
    public func function(code: RDBString) throws(RDBError) { try inner.function(code: code) }
    public func moduleAux(_ aux: ModuleAux) throws(RDBError) { try inner.moduleAux(aux) }
    public func slotImport(_ job: SlotImport) throws(RDBError) { try inner.slotImport(job) }
    public func end(_ trailer: RDBTrailer) throws(RDBError) { try inner.end(trailer) }
}
