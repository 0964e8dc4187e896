/// Per-key figures for reports: elements, largest element, the encoding Redis 7.0 would use for
/// the value once loaded, and the memory it would report (`MemoryEstimate`).
public struct KeyStats: Sendable {
    public var db: Int
    public var key: Bytes
    public var type: RedisType
    public var encoding: String
    public var elements: Int
    public var largestElement: Int
    public var memory: Int
    public var expireAtMs: Int64?
}

/// Computes `KeyStats` while the parser streams each key's elements: nothing is kept per element,
/// so a key with millions of members costs constant memory.
public final class KeyStatsCollector: RDBVisitor {
    private let onKey: (KeyStats) throws(RDBError) -> Void
    private let thresholds = EncodingThresholds()
    private var info: KeyInfo?
    private var key: Bytes = []
    private var elements = 0
    private var largest = 0
    /// Listpack bytes of the whole value (hash, zset) and of the current quicklist node (list).
    private var listpackBytes = 7
    private var nodeBytes = 7
    private var nodes = 0
    private var nodesMemory = 0
    /// Hashtable cost of the elements so far, and whether the value still fits a listpack / intset.
    private var tableMemory = 0
    private var fitsListpack = true
    private var allIntegers = true
    private var widestInteger = 2
    private var stringMemory = 0
    /// Consumer groups' cost, and the stream's nodes with their listpacks' allocations.
    private var streamMemory = 0
    private var streamNodes = 0
    private var streamNodesMemory = 0
    private var array = ArrayMemory()

    public init(onKey: @escaping (KeyStats) throws(RDBError) -> Void) {
        self.onKey = onKey
    }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        self.info = info
        self.key = key.array
        elements = 0
        largest = 0
        listpackBytes = 7
        nodeBytes = 7
        nodes = 0
        nodesMemory = 0
        tableMemory = 0
        fitsListpack = true
        allIntegers = true
        widestInteger = 2
        stringMemory = 0
        streamMemory = 0
        streamNodes = 0
        streamNodesMemory = 0
        array = ArrayMemory()
        return .read
    }

    private func note(_ b: UnsafeRawBufferPointer) {
        largest = max(largest, b.count)
        if b.count > thresholds.maxListpackValue { fitsListpack = false }
    }

    public func stringValue(_ value: StringValue) throws(RDBError) {
        elements = 1
        largest = value.count
        // A value in pieces is counted, never held (nor an integer: a piece holds any integer's text).
        stringMemory = value.whole?.withBytes { MemoryEstimate.string($0) } ?? MemoryEstimate.string(textOfLength: value.count)
    }

    public func listElement(_ element: RDBString) throws(RDBError) {
        element.withBytes { b in
            largest = max(largest, b.count)
            let entry = ListpackEntrySize.entry(b)
            if elements > 0 && nodeBytes + entry > thresholds.listNodeBytes { closeNode() }
            nodeBytes += entry
            elements += 1
        }
    }

    private func closeNode() {
        nodes += 1
        nodesMemory += MemoryEstimate.quicklistNode + jemallocSize(nodeBytes)
        nodeBytes = 7
    }

    public func setMember(_ member: RDBString) throws(RDBError) {
        member.withBytes { b in
            note(b)
            elements += 1
            if allIntegers, let v = canonicalInt64(b) {
                if v < Int64(Int32.min) || v > Int64(Int32.max) { widestInteger = 8 }
                else if v < Int64(Int16.min) || v > Int64(Int16.max) { widestInteger = max(widestInteger, 4) }
            } else {
                allIntegers = false
            }
            tableMemory += MemoryEstimate.dictEntry + MemoryEstimate.sds(b.count)
        }
    }

    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) {
        member.withBytes { b in
            note(b)
            elements += 1
            var scoreText = RDBWriterScore.text(score)
            listpackBytes += ListpackEntrySize.entry(b) + scoreText.withUTF8 { ListpackEntrySize.entry(UnsafeRawBufferPointer($0)) }
            tableMemory += MemoryEstimate.sds(b.count) + MemoryEstimate.dictEntry
        }
    }

    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        field.withBytes { f in
            value.withBytes { v in
                note(f)
                note(v)
                elements += 1
                listpackBytes += ListpackEntrySize.entry(f) + ListpackEntrySize.entry(v)
                tableMemory += MemoryEstimate.sds(f.count) + MemoryEstimate.sds(v.count) + MemoryEstimate.dictEntry
            }
        }
    }

    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        elements += 1
        for i in 0..<fields.count {
            fields.value(i).withBytes { largest = max(largest, $0.count) }
        }
    }

    public func streamNode(listpackBytes: Int) throws(RDBError) {
        // rdb.c loads each node's listpack as stored, in an allocation of its size.
        streamNodes += 1
        streamNodesMemory += jemallocSize(listpackBytes)
    }

    public func streamGroup(_ group: StreamGroup) throws(RDBError) {
        // object.c: streamCG, its PEL's rax and one streamNACK per entry; per consumer its
        // struct, its name's length and its own PEL's rax (the NACKs are shared).
        streamMemory += MemoryEstimate.streamGroup + MemoryEstimate.streamRax(group.pending.count)
            + MemoryEstimate.streamNACK * group.pending.count
        for consumer in group.consumers {
            streamMemory += MemoryEstimate.streamConsumer + consumer.name.count + MemoryEstimate.streamRax(consumer.pending.count)
        }
    }

    public func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) {
        // idmpProducer (rax node and dict) per producer; idmpEntry (iid copy, id, next) and its dict slot per iid.
        for producer in idmp.producers {
            streamMemory += 96 + MemoryEstimate.sds(producer.pid.count)
            for entry in producer.entries { streamMemory += jemallocSize(40 + entry.iid.count) + MemoryEstimate.dictEntry }
        }
    }

    public func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {
        elements += 1
        element.withText { largest = max(largest, $0.count) }
        array.add(index: index, element: ArrayEncoding.loaded(element))
    }

    public func moduleValue(_ value: ModuleValue) throws(RDBError) {
        elements = 1
        stringMemory = MemoryEstimate.robj + value.payload.count
    }

    public func endKey() throws(RDBError) {
        guard let info else { return }
        let keyMemory = MemoryEstimate.sds(key.count) + MemoryEstimate.dictEntry
        var encoding: String
        var value: Int
        switch info.type {
        case .string:
            value = stringMemory
            encoding = value == MemoryEstimate.robj ? "int" : largest <= 44 ? "embstr" : "raw"
        case .list:
            if elements > 0 { closeNode() }
            value = MemoryEstimate.robj + MemoryEstimate.quicklist + nodesMemory
            encoding = "quicklist"
        case .set:
            if allIntegers && elements <= thresholds.maxIntsetEntries {
                value = MemoryEstimate.robj + jemallocSize(8 + widestInteger * elements)
                encoding = "intset"
            } else {
                value = MemoryEstimate.robj + MemoryEstimate.dict + MemoryEstimate.bucket * MemoryEstimate.buckets(elements) + tableMemory
                encoding = "hashtable"
            }
        case .zset:
            if fitsListpack && elements <= thresholds.maxListpackEntries {
                value = MemoryEstimate.robj + jemallocSize(listpackBytes)
                encoding = "listpack"
            } else {
                value = MemoryEstimate.robj + MemoryEstimate.zset + MemoryEstimate.zskiplist + MemoryEstimate.dict
                    + MemoryEstimate.bucket * MemoryEstimate.buckets(elements) + jemallocSize(MemoryEstimate.skiplistHeader)
                    + tableMemory + Int(MemoryEstimate.expectedSkiplistNode * Double(elements))
                encoding = "skiplist"
            }
        case .hash:
            if fitsListpack && elements <= thresholds.maxListpackEntries {
                value = MemoryEstimate.robj + jemallocSize(listpackBytes)
                encoding = "listpack"
            } else {
                value = MemoryEstimate.robj + MemoryEstimate.dict + MemoryEstimate.bucket * MemoryEstimate.buckets(elements) + tableMemory
                encoding = "hashtable"
            }
        case .stream:
            value = MemoryEstimate.robj + MemoryEstimate.stream + MemoryEstimate.streamRax(streamNodes) + streamNodesMemory + streamMemory
            encoding = "stream"
        case .module:
            value = stringMemory
            encoding = "module"
        case .array:
            value = MemoryEstimate.robj + array.total()
            encoding = "sliced-array"
        }
        try onKey(KeyStats(db: info.db, key: key, type: info.type, encoding: encoding, elements: elements,
                           largestElement: largest, memory: keyMemory + value, expireAtMs: info.expireAtMs))
        self.info = nil
    }
}
