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
    /// The figures of the key being read, behind a pointer: a class's stored `var`s are checked
    /// for exclusive access at run time on every use, which costs more than the counting.
    /// Only what the figures need of `KeyInfo` (whose metadata array would be retained and
    /// released with every copy).
    private struct Figures {
        var reading = false
        var db = 0
        var type = RedisType.string
        var expireAtMs: Int64?
        /// One array reused from key to key: unique again once the key's `KeyStats` is dropped,
        /// so it is refilled in place (a copy kept by the consumer, top keys, is left alone).
        var key: Bytes = []
        var elements = 0
        var largest = 0
        /// Listpack bytes of the whole value (hash, zset) and of the current quicklist node (list).
        var listpackBytes = 7
        var nodeBytes = 7
        var nodes = 0
        var nodesMemory = 0
        /// Hashtable cost of the elements so far, and whether the value still fits a listpack / intset.
        var tableMemory = 0
        var fitsListpack = true
        var allIntegers = true
        var widestInteger = 2
        var stringMemory = 0
        /// Consumer groups' cost, and the stream's nodes with their listpacks' allocations.
        var streamMemory = 0
        var streamNodes = 0
        var streamNodesMemory = 0
        var array = ArrayMemory()

    }

    private let fig = UnsafeMutablePointer<Figures>.allocate(capacity: 1)

    public init(onKey: @escaping (KeyStats) throws(RDBError) -> Void) {
        self.onKey = onKey
        fig.initialize(to: Figures())
    }

    deinit {
        fig.deinitialize(count: 1)
        fig.deallocate()
    }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        var name = Bytes()
        swap(&name, &fig.pointee.key)
        name.removeAll(keepingCapacity: true)
        key.withBytes { name.append(contentsOf: $0) }
        fig.pointee = Figures(reading: true, db: info.db, type: info.type, expireAtMs: info.expireAtMs, key: name)
        return .read
    }

    private func note(_ b: UnsafeRawBufferPointer) { note(length: b.count) }

    private func note(length: Int) {
        fig.pointee.largest = max(fig.pointee.largest, length)
        if length > thresholds.maxListpackValue { fig.pointee.fitsListpack = false }
    }

    public func stringValue(_ value: StringValue) throws(RDBError) {
        fig.pointee.elements = 1
        fig.pointee.largest = value.count
        // A value in pieces is counted, never held (nor an integer: a piece holds any integer's text).
        fig.pointee.stringMemory = value.whole?.withBytes { MemoryEstimate.string($0) } ?? MemoryEstimate.string(textOfLength: value.count)
    }

    public func listElement(_ element: RDBString) throws(RDBError) {
        element.withBytes { b in addListElement(length: b.count, entry: ListpackEntrySize.entry(b)) }
    }

    private func addListElement(length: Int, entry: Int) {
        fig.pointee.largest = max(fig.pointee.largest, length)
        if fig.pointee.elements > 0 && fig.pointee.nodeBytes + entry > thresholds.listNodeBytes { closeNode() }
        fig.pointee.nodeBytes += entry
        fig.pointee.elements += 1
    }

    // Elements in pieces are counted by their length, never held: one longer than a piece (21
    // bytes at least) is never an integer's text.
    public func listElement(long element: StringValue) throws(RDBError) {
        addListElement(length: element.count, entry: ListpackEntrySize.entry(stringLength: element.count))
    }

    public func setMember(long member: StringValue) throws(RDBError) {
        note(length: member.count)
        fig.pointee.elements += 1
        fig.pointee.allIntegers = false
        fig.pointee.tableMemory += MemoryEstimate.dictEntry + MemoryEstimate.sds(member.count)
    }

    public func zsetMember(long member: StringValue, score: Double) throws(RDBError) {
        note(length: member.count)
        fig.pointee.elements += 1
        if fig.pointee.fitsListpack && fig.pointee.elements <= thresholds.maxListpackEntries {
            var scoreText = DoubleText.listpackScore(score)
            fig.pointee.listpackBytes += ListpackEntrySize.entry(stringLength: member.count)
                + scoreText.withUTF8 { ListpackEntrySize.entry(UnsafeRawBufferPointer($0)) }
        }
        fig.pointee.tableMemory += MemoryEstimate.sds(member.count) + MemoryEstimate.dictEntry
    }

    public func hashField(_ field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError) {
        field.withBytes { f in
            note(f)
            note(length: value.count)
            fig.pointee.elements += 1
            fig.pointee.listpackBytes += ListpackEntrySize.entry(f) + ListpackEntrySize.entry(stringLength: value.count)
            fig.pointee.tableMemory += MemoryEstimate.sds(f.count) + MemoryEstimate.sds(value.count) + MemoryEstimate.dictEntry
        }
    }

    private func closeNode() {
        fig.pointee.nodes += 1
        fig.pointee.nodesMemory += MemoryEstimate.quicklistNode + jemallocSize(fig.pointee.nodeBytes)
        fig.pointee.nodeBytes = 7
    }

    public func setMember(_ member: RDBString) throws(RDBError) {
        member.withBytes { b in
            note(b)
            fig.pointee.elements += 1
            if fig.pointee.allIntegers, let v = canonicalInt64(b) {
                if v < Int64(Int32.min) || v > Int64(Int32.max) { fig.pointee.widestInteger = 8 }
                else if v < Int64(Int16.min) || v > Int64(Int16.max) { fig.pointee.widestInteger = max(fig.pointee.widestInteger, 4) }
            } else {
                fig.pointee.allIntegers = false
            }
            fig.pointee.tableMemory += MemoryEstimate.dictEntry + MemoryEstimate.sds(b.count)
        }
    }

    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) {
        member.withBytes { b in
            note(b)
            fig.pointee.elements += 1
            // The listpack's size matters only while the value may still be one (the score's text costs a String).
            if fig.pointee.fitsListpack && fig.pointee.elements <= thresholds.maxListpackEntries {
                var scoreText = DoubleText.listpackScore(score)
                fig.pointee.listpackBytes += ListpackEntrySize.entry(b) + scoreText.withUTF8 { ListpackEntrySize.entry(UnsafeRawBufferPointer($0)) }
            }
            fig.pointee.tableMemory += MemoryEstimate.sds(b.count) + MemoryEstimate.dictEntry
        }
    }

    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        field.withBytes { f in
            value.withBytes { v in
                note(f)
                note(v)
                fig.pointee.elements += 1
                fig.pointee.listpackBytes += ListpackEntrySize.entry(f) + ListpackEntrySize.entry(v)
                fig.pointee.tableMemory += MemoryEstimate.sds(f.count) + MemoryEstimate.sds(v.count) + MemoryEstimate.dictEntry
            }
        }
    }

    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        fig.pointee.elements += 1
        for i in 0..<fields.count {
            fields.value(i).withBytes { fig.pointee.largest = max(fig.pointee.largest, $0.count) }
        }
    }

    public func streamNode(listpackBytes: Int) throws(RDBError) {
        // rdb.c loads each node's listpack as stored, in an allocation of its size.
        fig.pointee.streamNodes += 1
        fig.pointee.streamNodesMemory += jemallocSize(listpackBytes)
    }

    public func streamGroup(_ group: StreamGroup) throws(RDBError) {
        // object.c: streamCG, its PEL's rax and one streamNACK per entry; per consumer its
        // struct, its name's length and its own PEL's rax (the NACKs are shared).
        fig.pointee.streamMemory += MemoryEstimate.streamGroup + MemoryEstimate.streamRax(group.pending.count)
            + MemoryEstimate.streamNACK * group.pending.count
        for consumer in group.consumers {
            fig.pointee.streamMemory += MemoryEstimate.streamConsumer + consumer.name.count + MemoryEstimate.streamRax(consumer.pending.count)
        }
    }

    public func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) {
        // idmpProducer (rax node and dict) per producer; idmpEntry (iid copy, id, next) and its dict slot per iid.
        for producer in idmp.producers {
            fig.pointee.streamMemory += 96 + MemoryEstimate.sds(producer.pid.count)
            for entry in producer.entries { fig.pointee.streamMemory += jemallocSize(40 + entry.iid.count) + MemoryEstimate.dictEntry }
        }
    }

    public func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {
        fig.pointee.elements += 1
        element.withText { fig.pointee.largest = max(fig.pointee.largest, $0.count) }
        fig.pointee.array.add(index: index, element: ArrayEncoding.loaded(element))
    }

    public func moduleValue(_ value: ModuleValue) throws(RDBError) {
        fig.pointee.elements = 1
        fig.pointee.stringMemory = MemoryEstimate.robj + value.payload.count
    }

    /// A set's or a hash's dict: the object, the table's buckets and what its entries hold.
    private var hashtableMemory: Int {
        MemoryEstimate.robj + MemoryEstimate.dict + MemoryEstimate.bucket * MemoryEstimate.buckets(fig.pointee.elements) + fig.pointee.tableMemory
    }

    public func endKey() throws(RDBError) {
        guard fig.pointee.reading else { return }
        let keyMemory = MemoryEstimate.sds(fig.pointee.key.count) + MemoryEstimate.dictEntry
        var encoding: String
        var value: Int
        switch fig.pointee.type {
        case .string:
            value = fig.pointee.stringMemory
            encoding = value == MemoryEstimate.robj ? "int" : fig.pointee.largest <= 44 ? "embstr" : "raw"
        case .list:
            if fig.pointee.elements > 0 { closeNode() }
            value = MemoryEstimate.robj + MemoryEstimate.quicklist + fig.pointee.nodesMemory
            encoding = "quicklist"
        case .set:
            if fig.pointee.allIntegers && fig.pointee.elements <= thresholds.maxIntsetEntries {
                value = MemoryEstimate.robj + jemallocSize(8 + fig.pointee.widestInteger * fig.pointee.elements)
                encoding = "intset"
            } else {
                (value, encoding) = (hashtableMemory, "hashtable")
            }
        case .zset:
            if fig.pointee.fitsListpack && fig.pointee.elements <= thresholds.maxListpackEntries {
                (value, encoding) = (MemoryEstimate.robj + jemallocSize(fig.pointee.listpackBytes), "listpack")
            } else {
                value = MemoryEstimate.robj + MemoryEstimate.zset + MemoryEstimate.zskiplist + MemoryEstimate.dict
                    + MemoryEstimate.bucket * MemoryEstimate.buckets(fig.pointee.elements) + jemallocSize(MemoryEstimate.skiplistHeader)
                    + fig.pointee.tableMemory + Int(MemoryEstimate.expectedSkiplistNode * Double(fig.pointee.elements))
                encoding = "skiplist"
            }
        case .hash:
            if fig.pointee.fitsListpack && fig.pointee.elements <= thresholds.maxListpackEntries {
                (value, encoding) = (MemoryEstimate.robj + jemallocSize(fig.pointee.listpackBytes), "listpack")
            } else {
                (value, encoding) = (hashtableMemory, "hashtable")
            }
        case .stream:
            value = MemoryEstimate.robj + MemoryEstimate.stream + MemoryEstimate.streamRax(fig.pointee.streamNodes) + fig.pointee.streamNodesMemory + fig.pointee.streamMemory
            encoding = "stream"
        case .module:
            value = fig.pointee.stringMemory
            encoding = "module"
        case .array:
            value = MemoryEstimate.robj + fig.pointee.array.total()
            encoding = "sliced-array"
        }
        fig.pointee.reading = false
        try onKey(KeyStats(db: fig.pointee.db, key: fig.pointee.key, type: fig.pointee.type, encoding: encoding,
                           elements: fig.pointee.elements, largestElement: fig.pointee.largest, memory: keyMemory + value,
                           expireAtMs: fig.pointee.expireAtMs))
    }
}
