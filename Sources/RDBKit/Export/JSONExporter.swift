/// Export formats for key records.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// One JSON object per line.
    case jsonl
    /// One JSON array of objects.
    case json
    /// The key-level CSV report (`CSVExporter`).
    case csv
    /// Key names only, one a line (`KeyText`).
    case keys
}

/// Writes a file's keys as JSON while the parser reads them (the export schema of README.md):
/// `{"db":0,"key":K,"type":T,"expire_at_ms":N?,"idle":N?,"freq":N?,"value":V}`; nothing is built
/// in memory but the text of the current element (and a hash's fields, see `HashStaging`).
public final class JSONExporter: RDBVisitor {
    let out: JSONWriter
    let format: ExportFormat
    let withMeta: Bool
    private let hash = HashStaging()
    private let longString = SpillFile(purpose: "a long string value")

    private enum StreamSection { case entries, groups, idmp }

    /// Per-element state behind a pointer, not in stored `var`s that would be checked for
    /// exclusive access at run time on every element.
    private struct State {
        var recordCount = 0
        var db = 0
        var currentType = RedisType.string
        var firstElement = true
        var streamSection = StreamSection.entries
        var keysWritten = 0
    }

    private let state = UnsafeMutablePointer<State>.allocate(capacity: 1)

    public var keysWritten: Int { state.pointee.keysWritten }

    public init(writer: JSONWriter, format: ExportFormat, withMeta: Bool) {
        out = writer
        self.format = format
        self.withMeta = withMeta
        state.initialize(to: State())
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    // MARK: records

    private func beginRecord() {
        if format == .json { state.pointee.recordCount == 0 ? out.raw("[\n") : out.raw(",\n") }
        state.pointee.recordCount += 1
    }

    private func endRecord() throws(RDBError) {
        if format == .jsonl { out.byte(UInt8(ascii: "\n")) }
        try out.flushIfFull()
    }

    public func end(_ trailer: RDBTrailer) throws(RDBError) {
        if format == .json { out.raw(state.pointee.recordCount == 0 ? "[]\n" : "\n]\n") }
        try out.flush()
    }

    // MARK: file-level records (--with-meta)

    public func header(_ header: RDBHeader) throws(RDBError) {
        guard withMeta else { return }
        beginRecord()
        out.raw("{\"meta\":\"header\",\"magic\":")
        out.string(Array(header.magic.utf8))
        out.raw(",\"family\":\"")
        out.text(header.family.rawValue)
        out.raw("\",\"version\":")
        out.int(Int64(header.version))
        out.byte(UInt8(ascii: "}"))
        try endRecord()
    }

    public func aux(name: RDBString, value: RDBString) throws(RDBError) {
        guard withMeta else { return }
        beginRecord()
        out.raw("{\"meta\":\"aux\",\"name\":")
        out.string(name)
        out.raw(",\"value\":")
        out.string(value)
        out.byte(UInt8(ascii: "}"))
        try endRecord()
    }

    public func selectDB(_ db: Int) throws(RDBError) {
        state.pointee.db = db
    }

    public func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError) {
        guard withMeta else { return }
        beginRecord()
        out.raw("{\"meta\":\"resizedb\",\"db\":")
        out.int(Int64(state.pointee.db))
        out.raw(",\"keys\":")
        out.uint(keys)
        out.raw(",\"expires\":")
        out.uint(expires)
        out.byte(UInt8(ascii: "}"))
        try endRecord()
    }

    public func slotInfo(_ info: SlotInfo) throws(RDBError) {
        guard withMeta else { return }
        beginRecord()
        out.raw("{\"meta\":\"slot_info\",\"slot\":")
        out.uint(info.slot)
        out.raw(",\"keys\":")
        out.uint(info.size)
        out.raw(",\"expires\":")
        out.uint(info.expiresSize)
        out.byte(UInt8(ascii: "}"))
        try endRecord()
    }

    public func function(code: RDBString) throws(RDBError) {
        guard withMeta else { return }
        beginRecord()
        out.raw("{\"meta\":\"function\",\"code\":")
        out.string(code)
        out.byte(UInt8(ascii: "}"))
        try endRecord()
    }

    public func moduleAux(_ aux: ModuleAux) throws(RDBError) {
        guard withMeta else { return }
        beginRecord()
        out.raw("{\"meta\":\"module_aux\",\"module\":")
        out.string(Array(aux.typeID.name.utf8))
        out.raw(",\"encver\":")
        out.int(Int64(aux.typeID.encodingVersion))
        out.raw(",\"when\":")
        out.uint(aux.when)
        out.raw(",\"payload\":{\"base64\":\"")
        aux.payload.withUnsafeBytes { out.base64($0) }
        out.raw("\"}}")
        try endRecord()
    }

    public func slotImport(_ job: SlotImport) throws(RDBError) {
        guard withMeta else { return }
        beginRecord()
        out.raw("{\"meta\":\"slot_import\",\"job\":")
        out.string(job.jobName)
        out.raw(",\"ranges\":[")
        for (i, r) in job.slotRanges.enumerated() {
            out.raw(i == 0 ? "[" : ",[")
            out.uint(r.from)
            out.byte(UInt8(ascii: ","))
            out.uint(r.to)
            out.byte(UInt8(ascii: "]"))
        }
        out.raw("]}")
        try endRecord()
    }

    // MARK: keys

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        beginRecord()
        out.raw("{\"db\":")
        out.int(Int64(info.db))
        out.raw(",\"key\":")
        out.string(key)
        out.raw(",\"type\":\"")
        out.text(info.type.rawValue)
        out.byte(UInt8(ascii: "\""))
        out.keyAttributes(expireAtMs: info.expireAtMs, idleSeconds: info.idleSeconds, lfuFrequency: info.lfuFrequency)
        if !info.metadata.isEmpty {
            out.raw(",\"metadata\":[")
            for (i, m) in info.metadata.enumerated() {
                out.raw(i == 0 ? "{\"class\":" : ",{\"class\":")
                out.string(Array(m.className.utf8))
                out.raw(",\"version\":")
                out.int(Int64(m.version))
                out.raw(",\"flags\":")
                out.int(Int64(m.flags))
                out.raw(",\"payload\":{\"base64\":\"")
                m.payload.withUnsafeBytes { out.base64($0) }
                out.raw("\"}}")
            }
            out.byte(UInt8(ascii: "]"))
        }
        // An array's "insert_index" comes before its value, once its header is read.
        if info.type != .array { out.raw(",\"value\":") }
        state.pointee.currentType = info.type
        state.pointee.firstElement = true
        switch info.type {
        case .list, .set, .zset: out.byte(UInt8(ascii: "["))
        case .hash: hash.reset()
        case .stream:
            out.raw("{\"entries\":[")
            state.pointee.streamSection = .entries
        case .string, .module, .array: break
        }
        state.pointee.keysWritten += 1
        return .read
    }

    @inline(__always)
    private func separator() {
        if state.pointee.firstElement { state.pointee.firstElement = false } else { out.byte(UInt8(ascii: ",")) }
    }

    public func stringValue(_ value: StringValue) throws(RDBError) {
        if let whole = value.whole {
            out.string(whole)
        } else {
            try writeLongString(value)
        }
        try out.flushIfFull()
    }

    /// Whether a string is written as text or as base64 is known only at its end: a value that
    /// arrives in pieces is staged in a temporary file (disk, not memory) while its UTF-8 is
    /// checked, then written from there.
    private func writeLongString(_ value: StringValue) throws(RDBError) {
        defer { longString.discard() }
        var utf8 = UTF8Check()
        try value.forEachPiece { (piece) throws(RDBError) in
            utf8.update(piece)
            try longString.append(piece)
        }
        try out.string(staged: longString.readBack(), count: value.count, isUTF8: utf8.isValid)
    }

    public func listElement(_ element: RDBString) throws(RDBError) {
        separator()
        out.string(element)
        try out.flushIfFull()
    }

    public func setMember(_ member: RDBString) throws(RDBError) {
        separator()
        out.string(member)
        try out.flushIfFull()
    }

    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) {
        separator()
        out.byte(UInt8(ascii: "["))
        out.string(member)
        out.byte(UInt8(ascii: ","))
        out.double(score)
        out.byte(UInt8(ascii: "]"))
        try out.flushIfFull()
    }

    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        try hash.add(field: field, value: value, expireAtMs: expireAtMs)
    }

    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        separator()
        out.raw("{\"id\":")
        out.streamID(id)
        out.raw(",\"fields\":[")
        for i in 0..<fields.count {
            out.raw(i == 0 ? "[" : ",[")
            out.string(fields.field(i))
            out.byte(UInt8(ascii: ","))
            out.string(fields.value(i))
            out.byte(UInt8(ascii: "]"))
        }
        out.raw("]}")
        try out.flushIfFull()
    }

    public func streamMetadata(_ m: StreamMetadata) throws(RDBError) {
        out.raw("],\"length\":")
        out.uint(m.length)
        out.raw(",\"last_id\":")
        out.streamID(m.lastID)
        if let first = m.firstID {
            out.raw(",\"first_id\":")
            out.streamID(first)
        }
        if let maxDeleted = m.maxDeletedID {
            out.raw(",\"max_deleted_id\":")
            out.streamID(maxDeleted)
        }
        if let added = m.entriesAdded {
            out.raw(",\"entries_added\":")
            out.uint(added)
        }
        out.raw(",\"groups\":[")
        state.pointee.streamSection = .groups
        state.pointee.firstElement = true
    }

    public func streamGroup(_ g: StreamGroup) throws(RDBError) {
        separator()
        out.raw("{\"name\":")
        out.string(g.name)
        out.raw(",\"last_delivered_id\":")
        out.streamID(g.lastDeliveredID)
        if let read = g.entriesRead {
            // SCG_INVALID_ENTRIES_READ (stored as 2^64-1): unknown, shown as nil by XINFO.
            out.raw(",\"entries_read\":")
            if read == StreamGroup.invalidEntriesRead { out.raw("null") } else { out.uint(read) }
        }
        out.raw(",\"pending\":[")
        for (i, p) in g.pending.enumerated() {
            out.raw(i == 0 ? "{\"id\":" : ",{\"id\":")
            out.streamID(p.id)
            if let consumer = p.consumer {
                out.raw(",\"consumer\":")
                out.string(consumer)
            }
            out.raw(",\"delivery_time_ms\":")
            out.int(p.deliveryTimeMs)
            out.raw(",\"delivery_count\":")
            out.uint(p.deliveryCount)
            out.byte(UInt8(ascii: "}"))
        }
        out.raw("],\"consumers\":[")
        for (i, c) in g.consumers.enumerated() {
            out.raw(i == 0 ? "{\"name\":" : ",{\"name\":")
            out.string(c.name)
            out.raw(",\"seen_time_ms\":")
            out.int(c.seenTimeMs)
            if let active = c.activeTimeMs {
                out.raw(",\"active_time_ms\":")
                out.int(active)
            }
            out.raw(",\"pending\":[")
            for (j, id) in c.pending.enumerated() {
                if j > 0 { out.byte(UInt8(ascii: ",")) }
                out.streamID(id)
            }
            out.raw("]}")
        }
        out.byte(UInt8(ascii: "]"))
        if let nacked = g.nacked, !nacked.isEmpty {
            out.raw(",\"nacked\":[")
            for (i, id) in nacked.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.streamID(id)
            }
            out.byte(UInt8(ascii: "]"))
        }
        out.byte(UInt8(ascii: "}"))
        try out.flushIfFull()
    }

    /// `"idmp"` closes the groups list; the stream object itself is closed by `endKey`.
    public func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) {
        out.raw("],\"idmp\":{\"duration\":")
        out.uint(idmp.duration)
        out.raw(",\"max_size\":")
        out.uint(idmp.maxSize)
        out.raw(",\"producers\":[")
        for (i, producer) in idmp.producers.enumerated() {
            out.raw(i == 0 ? "{\"pid\":" : ",{\"pid\":")
            out.string(producer.pid)
            out.raw(",\"entries\":[")
            for (j, entry) in producer.entries.enumerated() {
                out.raw(j == 0 ? "{\"iid\":" : ",{\"iid\":")
                out.string(entry.iid)
                out.raw(",\"id\":")
                out.streamID(entry.id)
                out.byte(UInt8(ascii: "}"))
            }
            out.raw("]}")
            try out.flushIfFull()
        }
        out.raw("],\"iids_added\":")
        out.uint(idmp.iidsAdded)
        out.raw(",\"iids_duplicates\":")
        out.uint(idmp.iidsDuplicates)
        out.byte(UInt8(ascii: "}"))
        state.pointee.streamSection = .idmp
    }

    public func arrayHeader(count: UInt64, insertIndex: UInt64?) throws(RDBError) {
        // As ARNEXT reports it: the index the next ARINSERT writes to (the file keeps the last one).
        if let insertIndex {
            out.raw(",\"insert_index\":")
            out.uint(insertIndex &+ 1)
        }
        out.raw(",\"value\":[")
    }

    public func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {
        separator()
        out.byte(UInt8(ascii: "["))
        out.uint(index)
        out.byte(UInt8(ascii: ","))
        element.withText { out.string(.bytes($0)) }
        out.byte(UInt8(ascii: "]"))
        try out.flushIfFull()
    }

    public func moduleValue(_ value: ModuleValue) throws(RDBError) {
        out.raw("{\"module\":")
        out.string(Array(value.typeID.name.utf8))
        out.raw(",\"encver\":")
        out.int(Int64(value.typeID.encodingVersion))
        out.raw(",\"payload\":{\"base64\":\"")
        value.payload.withUnsafeBytes { out.base64($0) }
        out.raw("\"}}")
    }

    public func endKey() throws(RDBError) {
        switch state.pointee.currentType {
        case .list, .set, .zset, .array: out.byte(UInt8(ascii: "]"))
        case .hash: try writeStagedHash()
        case .stream:
            if state.pointee.streamSection == .entries {
                throw RDBError(.corrupt("stream ended without its metadata"), offset: 0)
            }
            out.raw(state.pointee.streamSection == .idmp ? "}" : "]}")
        case .string, .module: break
        }
        out.byte(UInt8(ascii: "}"))
        try endRecord()
    }

    /// A hash is an object when every field name is UTF-8, else a list of pairs; field TTLs
    /// follow the value as `field_expire_at_ms` in the same form.
    private func writeStagedHash() throws(RDBError) {
        let asObject = hash.allFieldsUTF8
        out.byte(asObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        var first = true
        try hash.forEach { (field, value, _) throws(RDBError) in
            if !first { out.byte(UInt8(ascii: ",")) }
            first = false
            if asObject {
                out.quoted(field)
                out.byte(UInt8(ascii: ":"))
            } else {
                out.byte(UInt8(ascii: "["))
                out.string(field)
                out.byte(UInt8(ascii: ","))
            }
            out.string(value)
            if !asObject { out.byte(UInt8(ascii: "]")) }
            try out.flushIfFull()
        }
        out.byte(asObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        guard hash.anyExpiry else { return }
        out.raw(",\"field_expire_at_ms\":")
        out.byte(asObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        first = true
        try hash.forEach { (field, _, expiry) throws(RDBError) in
            guard let expiry else { return }
            if !first { out.byte(UInt8(ascii: ",")) }
            first = false
            if asObject {
                out.quoted(field)
                out.byte(UInt8(ascii: ":"))
                out.int(expiry)
            } else {
                out.byte(UInt8(ascii: "["))
                out.string(field)
                out.byte(UInt8(ascii: ","))
                out.int(expiry)
                out.byte(UInt8(ascii: "]"))
            }
            try out.flushIfFull()
        }
        out.byte(asObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }
}
