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
        var shape = ExportShape.string
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

    /// A file record, `{"meta":"kind",…}`, with `members` written after its kind; none without
    /// --with-meta.
    private func metaRecord(_ kind: StaticString, _ members: () -> Void) throws(RDBError) {
        guard withMeta else { return }
        beginRecord()
        out.open(ExportField.meta)
        out.word(kind)
        members()
        out.byte(UInt8(ascii: "}"))
        try endRecord()
    }

    public func header(_ header: RDBHeader) throws(RDBError) {
        try metaRecord(ExportMeta.header) {
            out.field(ExportField.magic)
            out.string(Array(header.magic.utf8))
            out.field(ExportField.family)
            out.byte(UInt8(ascii: "\""))
            out.text(header.family.rawValue)
            out.byte(UInt8(ascii: "\""))
            out.field(ExportField.version)
            out.int(Int64(header.version))
        }
    }

    public func aux(name: RDBString, value: RDBString) throws(RDBError) {
        try metaRecord(ExportMeta.aux) {
            out.field(ExportField.name)
            out.string(name)
            out.field(ExportField.value)
            out.string(value)
        }
    }

    public func selectDB(_ db: Int) throws(RDBError) {
        state.pointee.db = db
    }

    public func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError) {
        try metaRecord(ExportMeta.resizeDB) {
            out.field(ExportField.db)
            out.int(Int64(state.pointee.db))
            counts(keys: keys, expires: expires)
        }
    }

    public func slotInfo(_ info: SlotInfo) throws(RDBError) {
        try metaRecord(ExportMeta.slotInfo) {
            out.field(ExportField.slot)
            out.uint(info.slot)
            counts(keys: info.size, expires: info.expiresSize)
        }
    }

    /// `"keys"` and `"expires"`, as a database's and a slot's sizes are given.
    private func counts(keys: UInt64, expires: UInt64) {
        out.field(ExportField.keys)
        out.uint(keys)
        out.field(ExportField.expires)
        out.uint(expires)
    }

    public func function(code: RDBString) throws(RDBError) {
        try metaRecord(ExportMeta.function) {
            out.field(ExportField.code)
            out.string(code)
        }
    }

    public func moduleAux(_ aux: ModuleAux) throws(RDBError) {
        try metaRecord(ExportMeta.moduleAux) {
            out.field(ExportField.module)
            moduleMembers(aux.typeID, when: aux.when, payload: aux.payload)
        }
    }

    public func slotImport(_ job: SlotImport) throws(RDBError) {
        try metaRecord(ExportMeta.slotImport) {
            out.field(ExportField.job)
            out.string(job.jobName)
            out.field(ExportField.ranges)
            out.byte(UInt8(ascii: "["))
            for (i, r) in job.slotRanges.enumerated() {
                out.raw(i == 0 ? "[" : ",[")
                out.uint(r.from)
                out.byte(UInt8(ascii: ","))
                out.uint(r.to)
                out.byte(UInt8(ascii: "]"))
            }
            out.byte(UInt8(ascii: "]"))
        }
    }

    /// A module type's name and encoding version, `when` (module aux only), then the payload in
    /// base64: the members a module value and a module's aux record share, after `"module":`.
    private func moduleMembers(_ typeID: ModuleTypeID, when: UInt64?, payload: Bytes) {
        out.string(Array(typeID.name.utf8))
        out.field(ExportField.encver)
        out.int(Int64(typeID.encodingVersion))
        if let when {
            out.field(ExportField.when)
            out.uint(when)
        }
        out.field(ExportField.payload)
        payload.withUnsafeBytes { out.base64Object($0) }
    }

    // MARK: keys

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        beginRecord()
        out.open(ExportField.db)
        out.int(Int64(info.db))
        out.field(ExportField.key)
        out.string(key)
        out.field(ExportField.type)
        out.typeName(info.type, quoted: true)
        out.keyAttributes(expireAtMs: info.expireAtMs, idleSeconds: info.idleSeconds, lfuFrequency: info.lfuFrequency)
        if !info.metadata.isEmpty {
            out.field(ExportField.metadata)
            out.byte(UInt8(ascii: "["))
            for (i, m) in info.metadata.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.open(ExportField.metadataClass)
                out.string(Array(m.className.utf8))
                out.field(ExportField.version)
                out.int(Int64(m.version))
                out.field(ExportField.flags)
                out.int(Int64(m.flags))
                out.field(ExportField.payload)
                m.payload.withUnsafeBytes { out.base64Object($0) }
                out.byte(UInt8(ascii: "}"))
            }
            out.byte(UInt8(ascii: "]"))
        }
        let shape = ExportShape.of(info.type)
        // An array's "insert_index" comes before its value, once its header is read.
        if shape != .pairs(.indexElement) { out.field(ExportField.value) }
        state.pointee.shape = shape
        state.pointee.firstElement = true
        switch shape {
        case .strings, .pairs(.memberScore): out.byte(UInt8(ascii: "["))
        case .fieldMap: hash.reset()
        case .stream:
            out.open(ExportField.entries)
            out.byte(UInt8(ascii: "["))
            state.pointee.streamSection = .entries
        case .string, .module, .pairs: break
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

    // Elements in pieces are staged as long strings are (`writeLongString`), a hash's long values
    // by `HashStaging`.
    public func listElement(long element: StringValue) throws(RDBError) {
        separator()
        try writeLongString(element)
        try out.flushIfFull()
    }

    public func setMember(long member: StringValue) throws(RDBError) {
        separator()
        try writeLongString(member)
        try out.flushIfFull()
    }

    public func zsetMember(long member: StringValue, score: Double) throws(RDBError) {
        separator()
        out.byte(UInt8(ascii: "["))
        try writeLongString(member)
        out.byte(UInt8(ascii: ","))
        out.double(score)
        out.byte(UInt8(ascii: "]"))
        try out.flushIfFull()
    }

    public func hashField(_ field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError) {
        try hash.add(field: field, longValue: value, expireAtMs: expireAtMs)
    }

    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        separator()
        out.open(ExportField.id)
        out.streamID(id)
        out.field(ExportField.fields)
        out.byte(UInt8(ascii: "["))
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
        out.byte(UInt8(ascii: "]"))
        out.field(ExportField.length)
        out.uint(m.length)
        out.field(ExportField.lastID)
        out.streamID(m.lastID)
        if let first = m.firstID {
            out.field(ExportField.firstID)
            out.streamID(first)
        }
        if let maxDeleted = m.maxDeletedID {
            out.field(ExportField.maxDeletedID)
            out.streamID(maxDeleted)
        }
        if let added = m.entriesAdded {
            out.field(ExportField.entriesAdded)
            out.uint(added)
        }
        out.field(ExportField.groups)
        out.byte(UInt8(ascii: "["))
        state.pointee.streamSection = .groups
        state.pointee.firstElement = true
    }

    public func streamGroup(_ g: StreamGroup) throws(RDBError) {
        separator()
        out.open(ExportField.name)
        out.string(g.name)
        out.field(ExportField.lastDeliveredID)
        out.streamID(g.lastDeliveredID)
        if let read = g.entriesRead {
            // SCG_INVALID_ENTRIES_READ (stored as 2^64-1): unknown, shown as nil by XINFO.
            out.field(ExportField.entriesRead)
            if read == StreamGroup.invalidEntriesRead { out.raw("null") } else { out.uint(read) }
        }
        out.field(ExportField.pending)
        out.byte(UInt8(ascii: "["))
        for (i, p) in g.pending.enumerated() {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            out.open(ExportField.id)
            out.streamID(p.id)
            if let consumer = p.consumer {
                out.field(ExportField.consumer)
                out.string(consumer)
            }
            out.field(ExportField.deliveryTimeMs)
            out.int(p.deliveryTimeMs)
            out.field(ExportField.deliveryCount)
            out.uint(p.deliveryCount)
            out.byte(UInt8(ascii: "}"))
        }
        out.byte(UInt8(ascii: "]"))
        out.field(ExportField.consumers)
        out.byte(UInt8(ascii: "["))
        for (i, c) in g.consumers.enumerated() {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            out.open(ExportField.name)
            out.string(c.name)
            out.field(ExportField.seenTimeMs)
            out.int(c.seenTimeMs)
            if let active = c.activeTimeMs {
                out.field(ExportField.activeTimeMs)
                out.int(active)
            }
            out.field(ExportField.pending)
            out.byte(UInt8(ascii: "["))
            for (j, id) in c.pending.enumerated() {
                if j > 0 { out.byte(UInt8(ascii: ",")) }
                out.streamID(id)
            }
            out.raw("]}")
        }
        out.byte(UInt8(ascii: "]"))
        if let nacked = g.nacked, !nacked.isEmpty {
            out.field(ExportField.nacked)
            out.byte(UInt8(ascii: "["))
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
        out.byte(UInt8(ascii: "]"))
        out.field(ExportField.idmp)
        out.open(ExportField.duration)
        out.uint(idmp.duration)
        out.field(ExportField.maxSize)
        out.uint(idmp.maxSize)
        out.field(ExportField.producers)
        out.byte(UInt8(ascii: "["))
        for (i, producer) in idmp.producers.enumerated() {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            out.open(ExportField.pid)
            out.string(producer.pid)
            out.field(ExportField.entries)
            out.byte(UInt8(ascii: "["))
            for (j, entry) in producer.entries.enumerated() {
                if j > 0 { out.byte(UInt8(ascii: ",")) }
                out.open(ExportField.iid)
                out.string(entry.iid)
                out.field(ExportField.id)
                out.streamID(entry.id)
                out.byte(UInt8(ascii: "}"))
            }
            out.raw("]}")
            try out.flushIfFull()
        }
        out.byte(UInt8(ascii: "]"))
        out.field(ExportField.iidsAdded)
        out.uint(idmp.iidsAdded)
        out.field(ExportField.iidsDuplicates)
        out.uint(idmp.iidsDuplicates)
        out.byte(UInt8(ascii: "}"))
        state.pointee.streamSection = .idmp
    }

    public func arrayHeader(count: UInt64, insertIndex: UInt64?) throws(RDBError) {
        // As ARNEXT reports it: the index the next ARINSERT writes to (the file keeps the last one).
        if let insertIndex {
            out.field(ExportField.insertIndex)
            out.uint(insertIndex &+ 1)
        }
        out.field(ExportField.value)
        out.byte(UInt8(ascii: "["))
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
        out.open(ExportField.module)
        moduleMembers(value.typeID, when: nil, payload: value.payload)
        out.byte(UInt8(ascii: "}"))
    }

    public func endKey() throws(RDBError) {
        switch state.pointee.shape {
        case .strings, .pairs: out.byte(UInt8(ascii: "]"))
        case .fieldMap: try writeStagedHash()
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
            switch value {
            case .bytes(let b): out.string(b)
            case .staged(let count, let isUTF8, let window): try out.string(staged: window, count: count, isUTF8: isUTF8)
            }
            if !asObject { out.byte(UInt8(ascii: "]")) }
            try out.flushIfFull()
        }
        out.byte(asObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        guard hash.anyExpiry else { return }
        out.field(ExportField.fieldExpireAtMs)
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
