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
    private let listNodeBytes = 8192, maxListpackEntries = 128, maxListpackValue = 64, maxIntsetEntries = 512
    private var info: KeyInfo?
    private var key: Bytes = []
    /// The figures of the key being read. Behind a pointer, as `ScratchBuffer`'s state: stored
    /// `var`s of a class are checked for exclusive access at run time on every element, which
    /// cost more than the figures themselves.
    private struct Running {
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
        var streamMemory = 0
    }

    private let r: UnsafeMutablePointer<Running>

    public init(onKey: @escaping (KeyStats) throws(RDBError) -> Void) {
        self.onKey = onKey
        r = .allocate(capacity: 1)
        r.initialize(to: Running())
    }

    deinit {
        r.deinitialize(count: 1)
        r.deallocate()
    }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        self.info = info
        self.key = key.array
        r.pointee = Running()
        return .read
    }

    private func note(_ b: UnsafeRawBufferPointer) {
        r.pointee.largest = max(r.pointee.largest, b.count)
        if b.count > maxListpackValue { r.pointee.fitsListpack = false }
    }

    public func stringValue(_ value: RDBString) throws(RDBError) {
        value.withBytes { b in
            r.pointee.elements = 1
            r.pointee.largest = b.count
            r.pointee.stringMemory = MemoryEstimate.string(b)
        }
    }

    public func listElement(_ element: RDBString) throws(RDBError) {
        element.withBytes { b in
            r.pointee.largest = max(r.pointee.largest, b.count)
            let entry = MemoryEstimate.listpackEntry(b)
            if r.pointee.elements > 0 && r.pointee.nodeBytes + entry > listNodeBytes { closeNode() }
            r.pointee.nodeBytes += entry
            r.pointee.elements += 1
        }
    }

    private func closeNode() {
        r.pointee.nodes += 1
        r.pointee.nodesMemory += MemoryEstimate.quicklistNode + jemallocSize(r.pointee.nodeBytes)
        r.pointee.nodeBytes = 7
    }

    public func setMember(_ member: RDBString) throws(RDBError) {
        member.withBytes { b in
            note(b)
            r.pointee.elements += 1
            if r.pointee.allIntegers, let v = canonicalInt64(b) {
                if v < Int64(Int32.min) || v > Int64(Int32.max) { r.pointee.widestInteger = 8 }
                else if v < Int64(Int16.min) || v > Int64(Int16.max) { r.pointee.widestInteger = max(r.pointee.widestInteger, 4) }
            } else {
                r.pointee.allIntegers = false
            }
            r.pointee.tableMemory += MemoryEstimate.dictEntry + MemoryEstimate.sds(b.count)
        }
    }

    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) {
        member.withBytes { b in
            note(b)
            r.pointee.elements += 1
            var scoreText = RDBWriterScore.text(score)
            r.pointee.listpackBytes += MemoryEstimate.listpackEntry(b) + scoreText.withUTF8 { MemoryEstimate.listpackEntry(UnsafeRawBufferPointer($0)) }
            r.pointee.tableMemory += MemoryEstimate.sds(b.count) + MemoryEstimate.dictEntry
        }
    }

    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        field.withBytes { f in
            value.withBytes { v in
                note(f)
                note(v)
                r.pointee.elements += 1
                r.pointee.listpackBytes += MemoryEstimate.listpackEntry(f) + MemoryEstimate.listpackEntry(v)
                r.pointee.tableMemory += MemoryEstimate.sds(f.count) + MemoryEstimate.sds(v.count) + MemoryEstimate.dictEntry
            }
        }
    }

    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        r.pointee.elements += 1
        // Entries as stored: flags, two id deltas, values (fields mostly shared), lp-count.
        var entry = 4
        for i in 0..<fields.count {
            fields.value(i).withBytes { entry += MemoryEstimate.listpackEntry($0); r.pointee.largest = max(r.pointee.largest, $0.count) }
        }
        r.pointee.streamMemory += entry
    }

    public func streamGroup(_ group: StreamGroup) throws(RDBError) {
        // streamCG, its PEL rax and NACKs (streamNACK: 32 bytes), consumers with their own PEL rax.
        r.pointee.streamMemory += 128 + group.pending.count * (jemallocSize(32) + 40) + group.consumers.count * 128
    }

    public func moduleValue(_ value: ModuleValue) throws(RDBError) {
        r.pointee.elements = 1
        r.pointee.stringMemory = MemoryEstimate.robj + value.payload.count
    }

    public func endKey() throws(RDBError) {
        guard let info else { return }
        let keyMemory = MemoryEstimate.sds(key.count) + MemoryEstimate.dictEntry
        var encoding: String
        var value: Int
        switch info.type {
        case .string:
            value = r.pointee.stringMemory
            encoding = value == MemoryEstimate.robj ? "int" : r.pointee.largest <= 44 ? "embstr" : "raw"
        case .list:
            if r.pointee.elements > 0 { closeNode() }
            value = MemoryEstimate.robj + MemoryEstimate.quicklist + r.pointee.nodesMemory
            encoding = "quicklist"
        case .set:
            if r.pointee.allIntegers && r.pointee.elements <= maxIntsetEntries {
                value = MemoryEstimate.robj + jemallocSize(8 + r.pointee.widestInteger * r.pointee.elements)
                encoding = "intset"
            } else {
                value = MemoryEstimate.robj + MemoryEstimate.dict + MemoryEstimate.bucket * MemoryEstimate.buckets(r.pointee.elements) + r.pointee.tableMemory
                encoding = "hashtable"
            }
        case .zset:
            if r.pointee.fitsListpack && r.pointee.elements <= maxListpackEntries {
                value = MemoryEstimate.robj + jemallocSize(r.pointee.listpackBytes)
                encoding = "listpack"
            } else {
                value = MemoryEstimate.robj + MemoryEstimate.zset + MemoryEstimate.zskiplist + MemoryEstimate.dict
                    + MemoryEstimate.bucket * MemoryEstimate.buckets(r.pointee.elements) + jemallocSize(MemoryEstimate.skiplistHeader)
                    + r.pointee.tableMemory + Int(MemoryEstimate.expectedSkiplistNode * Double(r.pointee.elements))
                encoding = "skiplist"
            }
        case .hash:
            if r.pointee.fitsListpack && r.pointee.elements <= maxListpackEntries {
                value = MemoryEstimate.robj + jemallocSize(r.pointee.listpackBytes)
                encoding = "listpack"
            } else {
                value = MemoryEstimate.robj + MemoryEstimate.dict + MemoryEstimate.bucket * MemoryEstimate.buckets(r.pointee.elements) + r.pointee.tableMemory
                encoding = "hashtable"
            }
        case .stream:
            let streamNodes = max(1, (r.pointee.elements + 99) / 100)
            value = MemoryEstimate.robj + MemoryEstimate.stream + streamNodes * (jemallocSize(r.pointee.streamMemory / streamNodes + 40) + 48)
            encoding = "stream"
        case .module:
            value = r.pointee.stringMemory
            encoding = "module"
        }
        try onKey(KeyStats(db: info.db, key: key, type: info.type, encoding: encoding, elements: r.pointee.elements,
                           largestElement: r.pointee.largest, memory: keyMemory + value, expireAtMs: info.expireAtMs))
        self.info = nil
    }
}
