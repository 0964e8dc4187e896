/// Passes a file's events to `inner`, leaving out the keys a `KeyFilter` rejects (the parser
/// skips their values without decoding them). File-level records pass through.
public final class FilteringVisitor<Inner: RDBVisitor>: ForwardsElements, ForwardsFileRecords {
    public let inner: Inner
    public let filter: KeyFilter
    public private(set) var keysSkipped = 0

    // A skipped key gets no element events from the parser: everything else passes through.
    public var elementSink: Inner { inner }
    public var fileSink: Inner { inner }

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
}
