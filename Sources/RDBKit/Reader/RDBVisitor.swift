/// Everything known about a key before its value is read.
public struct KeyInfo: Sendable {
    public var db: Int
    /// The type as stored, which names the encoding.
    public let rdbType: RDBValueType
    /// `rdbType`'s logical type, looked up once: visitors ask for it several times a key, and
    /// the table's row (with its strings) is not free to build each time.
    public let type: RedisType
    public var expireAtMs: Int64?
    /// LRU idle time in seconds (RDB_OPCODE_IDLE), present when the server ran an LRU policy.
    public var idleSeconds: UInt64?
    /// LFU counter (RDB_OPCODE_FREQ), present when the server ran an LFU policy.
    public var lfuFrequency: UInt8?
    /// Offset of the type byte.
    public var offset: Int64
    /// Module metadata classes attached to the key (RDB 13+); empty for most keys.
    public var metadata: [KeyMetadata]
    /// Offset of the RDB_OPCODE_KEY_META that brought `metadata`.
    public var metadataOffset: Int64?

    public init(db: Int, rdbType: RDBValueType, expireAtMs: Int64?, idleSeconds: UInt64?, lfuFrequency: UInt8?,
                offset: Int64, metadata: [KeyMetadata] = [], metadataOffset: Int64? = nil) {
        self.db = db
        self.rdbType = rdbType
        type = rdbType.redisType
        self.expireAtMs = expireAtMs
        self.idleSeconds = idleSeconds
        self.lfuFrequency = lfuFrequency
        self.offset = offset
        self.metadata = metadata
        self.metadataOffset = metadataOffset
    }

    public var encodingName: String { rdbType.name }
}

public enum KeyAction: Sendable {
    /// Decode the value and deliver its elements.
    case read
    /// Consume the value without delivering it (checks framing, decodes as little as it can);
    /// no element events and no `endKey` follow.
    case skip
    /// Decode and check the value as `.read` does, but hand over its bytes as stored (everything
    /// after the key) through `rawValue`, in pieces as they are read, then `endKey`; the element
    /// events that arrive meanwhile are to be ignored. For a writer whose target stores the value
    /// exactly as the input does. Not for module values (their payload is itself a capture).
    case copy
}

/// Receives a file's content in order, one event at a time. Borrowed strings (`RDBString`,
/// `StringValue`) are valid only during the call that receives them; a long string value arrives
/// in pieces (see `StringValue`), and so does a container's element longer than a piece: a list
/// element, set member, sorted-set member or hash value comes through its `long` event instead,
/// whose default gathers it and calls the plain one. Between `beginKey` and `endKey` come the
/// value's elements: a key with millions of members is never held whole by the reader.
/// Every method has a default that ignores the event, so a visitor implements what it needs.
public protocol RDBVisitor: AnyObject {
    /// False when the visitor ignores string values (validation): they are then only checked,
    /// LZF data in the background, and `stringValue` is not called; nor are the `long` events
    /// of elements longer than a piece (checked the same way).
    var wantsStringValues: Bool { get }

    func header(_ header: RDBHeader) throws(RDBError)
    func aux(name: RDBString, value: RDBString) throws(RDBError)
    func selectDB(_ db: Int) throws(RDBError)
    func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError)
    func slotInfo(_ info: SlotInfo) throws(RDBError)
    func function(code: RDBString) throws(RDBError)
    func moduleAux(_ aux: ModuleAux) throws(RDBError)
    func slotImport(_ job: SlotImport) throws(RDBError)

    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction
    func stringValue(_ value: StringValue) throws(RDBError)
    func listElement(_ element: RDBString) throws(RDBError)
    func setMember(_ member: RDBString) throws(RDBError)
    func zsetMember(_ member: RDBString, score: Double) throws(RDBError)
    func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError)
    /// Elements longer than the reader's piece size, in pieces (in file order among the others).
    func listElement(long element: StringValue) throws(RDBError)
    func setMember(long member: StringValue) throws(RDBError)
    func zsetMember(long member: StringValue, score: Double) throws(RDBError)
    func hashField(_ field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError)
    func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError)
    /// One node of the stream's radix tree: its listpack's size as stored (Redis loads it as is).
    func streamNode(listpackBytes: Int) throws(RDBError)
    func streamMetadata(_ metadata: StreamMetadata) throws(RDBError)
    func streamGroup(_ group: StreamGroup) throws(RDBError)
    /// A stream's IDMP state (RDB 13+), after its groups.
    func streamIdmp(_ idmp: StreamIdmp) throws(RDBError)
    /// An array's header (RDB 14), before its elements: how many, and ARINSERT's next index.
    func arrayHeader(count: UInt64, insertIndex: UInt64?) throws(RDBError)
    /// One array element, in ascending index order.
    func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError)
    func moduleValue(_ value: ModuleValue) throws(RDBError)
    /// A piece of a copied value's stored bytes (see `KeyAction.copy`), in file order.
    func rawValue(_ bytes: UnsafeRawBufferPointer) throws(RDBError)
    func endKey() throws(RDBError)

    func end(_ trailer: RDBTrailer) throws(RDBError)
}

extension RDBVisitor {
    public var wantsStringValues: Bool { true }
    public func header(_ header: RDBHeader) throws(RDBError) {}
    public func aux(name: RDBString, value: RDBString) throws(RDBError) {}
    public func selectDB(_ db: Int) throws(RDBError) {}
    public func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError) {}
    public func slotInfo(_ info: SlotInfo) throws(RDBError) {}
    public func function(code: RDBString) throws(RDBError) {}
    public func moduleAux(_ aux: ModuleAux) throws(RDBError) {}
    public func slotImport(_ job: SlotImport) throws(RDBError) {}
    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction { .read }
    public func stringValue(_ value: StringValue) throws(RDBError) {}
    public func listElement(_ element: RDBString) throws(RDBError) {}
    public func setMember(_ member: RDBString) throws(RDBError) {}
    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) {}
    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {}
    public func listElement(long element: StringValue) throws(RDBError) {
        try element.withWhole { (e) throws(RDBError) in try listElement(e) }
    }
    public func setMember(long member: StringValue) throws(RDBError) {
        try member.withWhole { (m) throws(RDBError) in try setMember(m) }
    }
    public func zsetMember(long member: StringValue, score: Double) throws(RDBError) {
        try member.withWhole { (m) throws(RDBError) in try zsetMember(m, score: score) }
    }
    public func hashField(_ field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError) {
        try value.withWhole { (v) throws(RDBError) in try hashField(field, value: v, expireAtMs: expireAtMs) }
    }
    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {}
    public func streamNode(listpackBytes: Int) throws(RDBError) {}
    public func streamMetadata(_ metadata: StreamMetadata) throws(RDBError) {}
    public func streamGroup(_ group: StreamGroup) throws(RDBError) {}
    public func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) {}
    public func arrayHeader(count: UInt64, insertIndex: UInt64?) throws(RDBError) {}
    public func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {}
    public func moduleValue(_ value: ModuleValue) throws(RDBError) {}
    public func rawValue(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {}
    public func endKey() throws(RDBError) {}
    public func end(_ trailer: RDBTrailer) throws(RDBError) {}
}

/// Skips every key by its lengths: what finds the end of an RDB part quickest.
final class SkippingVisitor: RDBVisitor {
    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction { .skip }
}
