/// Where `ValueCopier` copies a value as stored: an RDB file (`RDBWriter`), RESTORE payloads
/// (restore-payload's lines, `RESPRestoreStream`). The key's attributes and metadata come with
/// `beginCopy`, the value's bytes in pieces, then `endCopy`.
protocol ValueCopyTarget: AnyObject {
    var target: RDBTarget { get }
    func beginCopy(_ info: KeyInfo, key: RDBString) throws(RDBError)
    func copyValueBytes(_ bytes: UnsafeRawBufferPointer) throws(RDBError)
    func endCopy() throws(RDBError)
    /// The input's RESIZEDB numbers for `db`, when they hold for the output (`adoptsResizeHints`).
    func adoptResizeHint(db: Int, keys: Int, expires: Int)
}

extension ValueCopyTarget {
    func adoptResizeHint(db: Int, keys: Int, expires: Int) {}
}

extension RDBWriter: ValueCopyTarget {
    func adoptResizeHint(db: Int, keys: Int, expires: Int) { resizeHints[db] = (keys, expires) }
}

/// Between the reader and a `ValueCopyTarget`: a key whose target stores it as the input does
/// (the same format, `RDBTarget.storesAsIs`) has its value copied as stored (`KeyAction.copy`:
/// read and checked, never re-encoded, never held whole); every other key goes to `collector`,
/// which builds its record for the writer to re-encode. Module values are always decoded, and
/// so are streams with IDMP state (the writer leaves out the iids their server would drop on load).
final class ValueCopier: ForwardsElements, ForwardsFileRecords {
    enum Route {
        case copy
        case decode
        case drop
    }

    let collector: RecordCollector
    private let writer: ValueCopyTarget
    /// Decides per key (`merge` holds the keys its commands may touch); nil copies every key it can.
    private let route: ((KeyInfo, RDBString) -> Route)?
    /// The input's own RESIZEDB numbers become the output's (convert without filters).
    var adoptsResizeHints = false
    var keysCopied: Int { state.pointee.keysCopied }

    /// Per-key state behind a pointer, not in stored `var`s that would be checked for exclusive
    /// access at run time on every key and element.
    private struct State {
        var keysCopied = 0
        var sameFormat = false
        var copying = false
        var db = 0
    }

    private let state = UnsafeMutablePointer<State>.allocate(capacity: 1)

    var elementSink: RecordCollector { collector }
    var fileSink: RecordCollector { collector }

    init(writer: ValueCopyTarget, collector: RecordCollector, route: ((KeyInfo, RDBString) -> Route)? = nil) {
        self.writer = writer
        self.collector = collector
        self.route = route
        state.initialize(to: State())
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    func header(_ header: RDBHeader) throws(RDBError) {
        state.pointee.sameFormat = writer.target.storesAsIs(header)
        try collector.header(header)
    }

    func selectDB(_ db: Int) throws(RDBError) { state.pointee.db = db }

    func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError) {
        if adoptsResizeHints && state.pointee.sameFormat { writer.adoptResizeHint(db: state.pointee.db, keys: Int(keys), expires: Int(expires)) }
    }

    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        switch route?(info, key) ?? .copy {
        case .drop:
            return .skip
        case .copy where state.pointee.sameFormat && info.type != .module && info.rdbType.streamLayout?.hasIdmp != true:
            try writer.beginCopy(info, key: key)
            state.pointee.copying = true
            return .copy
        case .copy, .decode:
            return try collector.beginKey(info, key: key)
        }
    }

    func rawValue(_ bytes: UnsafeRawBufferPointer) throws(RDBError) { try writer.copyValueBytes(bytes) }

    func endKey() throws(RDBError) {
        guard state.pointee.copying else { return try collector.endKey() }
        state.pointee.copying = false
        state.pointee.keysCopied += 1
        try writer.endCopy()
    }

    // A copied value's element events are not needed: its bytes come whole through `rawValue`.
    func stringValue(_ value: StringValue) throws(RDBError) { if !state.pointee.copying { try collector.stringValue(value) } }
    func listElement(_ element: RDBString) throws(RDBError) { if !state.pointee.copying { try collector.listElement(element) } }
    func setMember(_ member: RDBString) throws(RDBError) { if !state.pointee.copying { try collector.setMember(member) } }
    func zsetMember(_ member: RDBString, score: Double) throws(RDBError) {
        if !state.pointee.copying { try collector.zsetMember(member, score: score) }
    }
    func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        if !state.pointee.copying { try collector.hashField(field, value: value, expireAtMs: expireAtMs) }
    }
    func listElement(long element: StringValue) throws(RDBError) { if !state.pointee.copying { try collector.listElement(long: element) } }
    func setMember(long member: StringValue) throws(RDBError) { if !state.pointee.copying { try collector.setMember(long: member) } }
    func zsetMember(long member: StringValue, score: Double) throws(RDBError) {
        if !state.pointee.copying { try collector.zsetMember(long: member, score: score) }
    }
    func hashField(_ field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError) {
        if !state.pointee.copying { try collector.hashField(field, longValue: value, expireAtMs: expireAtMs) }
    }
    func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        if !state.pointee.copying { try collector.streamEntry(id: id, fields: fields) }
    }
    func streamMetadata(_ metadata: StreamMetadata) throws(RDBError) { if !state.pointee.copying { try collector.streamMetadata(metadata) } }
    func streamGroup(_ group: StreamGroup) throws(RDBError) { if !state.pointee.copying { try collector.streamGroup(group) } }
    func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) { if !state.pointee.copying { try collector.streamIdmp(idmp) } }
    func arrayHeader(count: UInt64, insertIndex: UInt64?) throws(RDBError) {
        if !state.pointee.copying { try collector.arrayHeader(count: count, insertIndex: insertIndex) }
    }
    func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {
        if !state.pointee.copying { try collector.arrayElement(index: index, element: element) }
    }
}
