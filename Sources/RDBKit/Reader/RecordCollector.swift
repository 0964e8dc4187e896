/// The convenience layer: builds each key as a `KeyRecord` and hands it over when complete.
/// Memory is one key at a time; use it where keys are known to be of reasonable size.
public final class RecordCollector: RDBVisitor {
    private let onRecord: (KeyRecord) throws(RDBError) -> Void
    private var info: KeyInfo?
    private var key: Bytes = []
    private var elements: [Bytes] = []
    private var members: [SortedSetMember] = []
    private var fields: [HashField] = []
    private var stream = StreamValue()
    private var array = ArrayValue()
    private var single: RedisValue?

    public private(set) var header: RDBHeader?
    public private(set) var auxFields: [(name: Bytes, value: Bytes)] = []
    public private(set) var functions: [Bytes] = []
    public private(set) var moduleAuxData: [ModuleAux] = []
    public private(set) var slotImports: [SlotImport] = []
    public private(set) var trailer: RDBTrailer?

    /// Called with each function library / module aux record as it is read (in file order).
    public var onFunction: ((Bytes) throws(RDBError) -> Void)?
    public var onModuleAux: ((ModuleAux) throws(RDBError) -> Void)?
    /// Called instead of `onRecord` for a string value that arrives in pieces, with the record
    /// (its value left empty) and the value to read: a writer copies it through without holding
    /// it. Without it such a value is gathered whole.
    public var onLongString: ((KeyRecord, StringValue) throws(RDBError) -> Void)?

    public init(onRecord: @escaping (KeyRecord) throws(RDBError) -> Void) {
        self.onRecord = onRecord
    }

    public func header(_ header: RDBHeader) throws(RDBError) { self.header = header }
    public func aux(name: RDBString, value: RDBString) throws(RDBError) { auxFields.append((name.array, value.array)) }
    public func function(code: RDBString) throws(RDBError) {
        functions.append(code.array)
        try onFunction?(code.array)
    }
    public func moduleAux(_ aux: ModuleAux) throws(RDBError) {
        moduleAuxData.append(aux)
        try onModuleAux?(aux)
    }
    public func slotImport(_ job: SlotImport) throws(RDBError) { slotImports.append(job) }
    public func end(_ trailer: RDBTrailer) throws(RDBError) { self.trailer = trailer }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        self.info = info
        self.key = key.array
        elements.removeAll()
        members.removeAll()
        fields.removeAll()
        stream = StreamValue()
        array = ArrayValue()
        single = nil
        return .read
    }

    public func stringValue(_ value: StringValue) throws(RDBError) {
        if value.whole == nil, let onLongString, let info {
            try onLongString(record(info, value: .string([])), value)
            self.info = nil
            return
        }
        single = .string(try value.array)
    }
    public func listElement(_ element: RDBString) throws(RDBError) { elements.append(element.array) }
    public func setMember(_ member: RDBString) throws(RDBError) { elements.append(member.array) }
    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) {
        members.append(SortedSetMember(member: member.array, score: score))
    }
    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        fields.append(HashField(field: field.array, value: value.array, expireAtMs: expireAtMs))
    }
    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        var pairs: [(field: Bytes, value: Bytes)] = []
        pairs.reserveCapacity(fields.count)
        for i in 0..<fields.count { pairs.append((fields.field(i).array, fields.value(i).array)) }
        stream.entries.append(StreamValue.Entry(id: id, fields: pairs))
    }
    public func streamMetadata(_ metadata: StreamMetadata) throws(RDBError) { stream.metadata = metadata }
    public func streamGroup(_ group: StreamGroup) throws(RDBError) { stream.groups.append(group) }
    public func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) { stream.idmp = idmp }
    public func arrayHeader(count: UInt64, insertIndex: UInt64?) throws(RDBError) { array.insertIndex = insertIndex }
    public func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {
        array.elements.append(ArrayValue.Element(index: index, value: element.stored))
    }
    public func moduleValue(_ value: ModuleValue) throws(RDBError) { single = .module(value) }

    public func endKey() throws(RDBError) {
        guard let info else { return }
        let value: RedisValue
        switch info.type {
        case .string, .module: value = single ?? .string([])
        case .list: value = .list(elements)
        case .set: value = .set(elements)
        case .zset: value = .sortedSet(members)
        case .hash: value = .hash(fields)
        case .stream: value = .stream(stream)
        case .array: value = .array(array)
        }
        try onRecord(record(info, value: value))
        self.info = nil
    }

    private func record(_ info: KeyInfo, value: RedisValue) -> KeyRecord {
        KeyRecord(db: info.db, key: key, value: value, expireAtMs: info.expireAtMs, idleSeconds: info.idleSeconds,
                  lfuFrequency: info.lfuFrequency, rdbType: info.rdbType, metadata: info.metadata)
    }
}
