/// `--min-size`: passes on only keys whose estimated memory (`MemoryEstimate`) is at least
/// `minimum` bytes. The size is known only once a key is read, so each key is held whole here
/// (memory: the largest key) and then replayed to `inner` if it qualifies; a string value that
/// arrives in pieces is sized by its length and passed on in its pieces, never held.
public final class MinimumSizeVisitor<Inner: RDBVisitor>: ForwardsElements, ForwardsFileRecords {
    public let inner: Inner
    public let minimum: Int
    private var info: KeyInfo?
    private var collector: RecordCollector!

    public init(_ inner: Inner, minimum: Int) {
        self.inner = inner
        self.minimum = minimum
        collector = RecordCollector { [unowned self] (record) throws(RDBError) in try self.decide(record) }
        collector.onLongString = { [unowned self] (record, value) throws(RDBError) in try self.decide(record, longString: value) }
    }

    private func decide(_ record: KeyRecord, longString value: StringValue) throws(RDBError) {
        guard let info else { return }
        var size = 0
        // KeyStatsCollector counts a value in pieces by its length and leaves it unread.
        try record.replay(as: info, longString: value, into: KeyStatsCollector { (s) throws(RDBError) in size = s.memory })
        if size >= minimum { try record.replay(as: info, longString: value, into: inner) }
    }

    private func decide(_ record: KeyRecord) throws(RDBError) {
        guard let info else { return }
        var size = 0
        try record.replay(as: info, into: KeyStatsCollector { (s) throws(RDBError) in size = s.memory })
        if size >= minimum { try record.replay(as: info, into: inner) }
    }

    public var wantsStringValues: Bool { true }
    public var elementSink: RecordCollector { collector }
    public var fileSink: Inner { inner }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        self.info = info
        return try collector.beginKey(info, key: key)
    }
}
