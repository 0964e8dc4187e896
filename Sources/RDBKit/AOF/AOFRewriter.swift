/// A dataset as the commands Redis's own AOF rewrite emits (aof.c rewriteAppendOnlyFileRio):
/// `SELECT` per database, `SET`, `RPUSH`/`SADD`/`ZADD`/`HMSET` in batches of 64 elements
/// (AOF_REWRITE_ITEMS_PER_CMD), `HPEXPIREAT … FIELDS 1 f` for field TTLs, `XADD` per entry then
/// `XSETID`, `XGROUP CREATE`, `XCLAIM … JUSTID FORCE` / `XGROUP CREATECONSUMER`, `PEXPIREAT`,
/// `FUNCTION LOAD`; Redis 8.6/8.8 state as 8.8's rewrite emits it: `ARMSET` in batches of 32
/// pairs then `ARSEEK` for arrays, `XNACK … FAIL … FORCE` per run of equal delivery counts of a
/// group's NACK zone, `XCFGSET` for a non-default IDMP configuration and `XIDMPRECORD` per iid
/// whose entry still exists. A visitor: elements stream through, at most one batch is held.
///
/// Like Redis's rewrite, LRU/LFU metadata and stream consumers' seen/active times are not kept (no
/// command sets them); a pending entry whose message was deleted is a loss, as XCLAIM cannot make
/// it. To find those, the IDs of the stream being written are held (16 bytes per entry). Module values, which
/// only their module can rewrite, become `RESTORE` with the DUMP payload; module aux data has no
/// command and is a loss. Keys already expired are kept with their past `PEXPIREAT`.
///
/// Keys arrive as a dump's events (a visitor: `convert --to aof` streams a dump through it) or as
/// records (a `KeySink`: `merge --to aof`, restore's plain commands); both make the same commands.
public final class AOFRewriter: RDBVisitor, KeySink {
    /// AOF_REWRITE_ITEMS_PER_CMD.
    static let itemsPerCommand = 64

    private let destination: AOFDestination
    private var out: RESPEncoder { destination.encoder }
    private let target: RDBTarget
    private let payloads: RDBWriter
    public private(set) var losses: [ConversionLoss] = []
    public private(set) var keysWritten = 0

    /// The database the commands go to; set it when the caller selects databases itself.
    var currentDB: Int?
    /// The key being written: what its commands need beyond its name.
    private var current: (db: Int, type: RedisType, expireAtMs: Int64?)?
    private let key = ScratchBuffer(capacity: 256)
    /// The batch being gathered: arguments back to back, and their lengths.
    private let batch = ScratchBuffer(capacity: 64 * 1024)
    /// Each argument's length; an element staged in `longItems` is -(its index there) - 1.
    private var batchLengths: [Int] = []
    /// The batch's elements that came in pieces, staged in order: a command's count comes before
    /// its arguments, and the batch is complete only later.
    private var longItems: [StagedBytes] = []
    private var batchItems = 0
    /// Fields of the batch that carry a TTL: set after the HMSET that creates them.
    private var fieldTTLs: [(field: [UInt8], expireAtMs: Int64)] = []
    /// Whether this key's field TTLs were reported lost (once a key, as the RDB writer reports them).
    private var lostFieldTTLs = false
    /// The IDs of the stream being written, in order: a pending entry whose message was deleted
    /// cannot be recreated (XCLAIM skips missing messages) and must be reported.
    private var streamIDs: [StreamID] = []
    /// An array's insert index, restored by ARSEEK once its elements are written.
    private var arrayInsertIndex: UInt64?
    /// The time (unix ms) the target server is taken to load the output at (`RDBWriter.clockMs`).
    public var clockMs: Int64 {
        get { payloads.clockMs }
        set { payloads.clockMs = newValue }
    }

    /// Commands to `output`, which the caller completes.
    public convenience init(output: RESPEncoder, target: RDBTarget, dropModules: Bool) throws(RDBError) {
        try self.init(destination: AOFDestination(encoder: output), target: target, dropModules: dropModules)
    }

    init(destination: AOFDestination, target: RDBTarget, dropModules: Bool) throws(RDBError) {
        self.destination = destination
        self.target = target
        payloads = try RDBWriter(path: nil, target: target)
        payloads.dropModules = dropModules
    }

    private func lose(_ what: String, keyed: Bool = true, requested: Bool = false) {
        losses.append(ConversionLoss(db: keyed ? current?.db : nil, key: keyed ? Array(key.bytes) : nil,
                                     what: what, requested: requested))
    }

    // MARK: KeySink: keys as records

    public func write(_ record: KeyRecord) throws(RDBError) {
        record.key.withUnsafeBytes { key.set($0) }
        guard try start(db: record.db, type: record.value.type, expireAtMs: record.expireAtMs) else { return }
        switch record.value {
        case .string(let s):
            try s.withUnsafeBytes { catching(stringValue, StringValue(.bytes($0))) }.get()
        case .list(let elements), .set(let elements):
            for e in elements {
                e.withUnsafeBytes { append($0) }
                try itemAdded()
            }
        case .sortedSet(let members):
            for m in members {
                appendText(DoubleText.commandScore(m.score))
                m.member.withUnsafeBytes { append($0) }
                try itemAdded()
            }
        case .hash(let fields):
            for f in fields {
                f.field.withUnsafeBytes { noteTTL(field: $0, f.expireAtMs) }
                f.field.withUnsafeBytes { append($0) }
                f.value.withUnsafeBytes { append($0) }
                try itemAdded()
            }
        case .stream(let stream):
            for entry in stream.entries {
                try xadd(entry.id, fields: entry.fields.count) {
                    for (f, v) in entry.fields {
                        f.withUnsafeBytes { out.argument($0) }
                        v.withUnsafeBytes { out.argument($0) }
                    }
                }
            }
            try streamMetadata(stream.metadata)
            for group in stream.groups { try streamGroup(group) }
            if let idmp = stream.idmp { try streamIdmp(idmp) }
        case .module(let module):
            try moduleValue(module)
        case .array(let array):
            arrayInsertIndex = array.insertIndex
            for e in array.elements {
                try e.value.withElement { (element) throws(RDBError) in try arrayElement(index: e.index, element: element) }
            }
        }
        try endKey()
    }

    public func write(_ record: KeyRecord, longString value: StringValue) throws(RDBError) {
        record.key.withUnsafeBytes { key.set($0) }
        guard try start(db: record.db, type: .string, expireAtMs: record.expireAtMs) else { return }
        try stringValue(value)
        try endKey()
    }

    public func writeFunction(_ code: Bytes) throws(RDBError) {
        try functionLoad { code.withUnsafeBytes { out.argument($0) } }
    }

    public func writeModuleAux(_ aux: ModuleAux) throws(RDBError) { try moduleAux(aux) }

    /// Completes the output (for a multi-part directory, its incremental file and manifest too).
    public func finish() throws(RDBError) { try destination.finish() }

    public func abandon() { destination.abandon() }

    // MARK: RDBVisitor: keys as a dump's events

    public func function(code: RDBString) throws(RDBError) {
        try functionLoad { out.argument(code) }
    }

    private func functionLoad(_ code: () -> Void) throws(RDBError) {
        guard target.hasFunctions else {
            return lose(LossText.functionLibrary, keyed: false)
        }
        out.begin(count: 3)
        out.argument("FUNCTION")
        out.argument("LOAD")
        code()
        try out.end()
    }

    public func moduleAux(_ aux: ModuleAux) throws(RDBError) {
        lose(LossText.moduleAux(aux.typeID.name, requested: payloads.dropModules, byCommands: true), keyed: false,
             requested: payloads.dropModules)
    }

    public func beginKey(_ info: KeyInfo, key name: RDBString) throws(RDBError) -> KeyAction {
        name.withBytes { key.set($0) }
        return try start(db: info.db, type: info.type, expireAtMs: info.expireAtMs) ? .read : .skip
    }

    /// Begins the key whose name is in `key`; false when the target cannot hold it (a loss).
    private func start(db: Int, type: RedisType, expireAtMs: Int64?) throws(RDBError) -> Bool {
        current = (db, type, expireAtMs)
        if type == .stream && !target.hasStreams {
            lose(LossText.stream)
            return false
        }
        if type == .array && !target.hasArrays {
            lose(LossText.array)
            return false
        }
        if type == .module && payloads.dropModules {
            lose(LossText.moduleValueRequested(nil), requested: true)
            return false
        }
        if db != currentDB {
            out.begin(count: 2)
            out.argument("SELECT")
            out.argument(String(db))
            try out.end()
            currentDB = db
        }
        streamIDs.removeAll(keepingCapacity: false)
        arrayInsertIndex = nil
        lostFieldTTLs = false
        keysWritten += 1
        return true
    }

    public func stringValue(_ value: StringValue) throws(RDBError) {
        out.begin(count: 3)
        out.argument("SET")
        out.argument(key.bytes)
        try out.argument(value)
        try out.end()
    }

    public func listElement(_ element: RDBString) throws(RDBError) { try add(element) }

    public func setMember(_ member: RDBString) throws(RDBError) { try add(member) }

    public func zsetMember(_ member: RDBString, score: Double) throws(RDBError) {
        appendText(DoubleText.commandScore(score))
        try add(member)
    }

    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        field.withBytes { noteTTL(field: $0, expireAtMs) }
        append(field)
        try add(value)
    }

    public func listElement(long element: StringValue) throws(RDBError) { try add(long: element) }

    public func setMember(long member: StringValue) throws(RDBError) { try add(long: member) }

    public func zsetMember(long member: StringValue, score: Double) throws(RDBError) {
        appendText(DoubleText.commandScore(score))
        try add(long: member)
    }

    public func hashField(_ field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError) {
        field.withBytes { noteTTL(field: $0, expireAtMs) }
        append(field)
        try add(long: value)
    }

    /// A field's TTL, set by HPEXPIREAT after the HMSET that creates the field.
    private func noteTTL(field: UnsafeRawBufferPointer, _ expireAtMs: Int64?) {
        guard let expireAtMs else { return }
        if target.hasFieldTTLs {
            fieldTTLs.append((Array(field), expireAtMs))
        } else if !lostFieldTTLs {
            lose(LossText.fieldTTLs)
            lostFieldTTLs = true
        }
    }

    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        try xadd(id, fields: fields.count) {
            for i in 0..<fields.count {
                out.argument(fields.field(i))
                out.argument(fields.value(i))
            }
        }
    }

    /// XADD of one entry; `pairs` writes its fields and values.
    private func xadd(_ id: StreamID, fields count: Int, _ pairs: () -> Void) throws(RDBError) {
        out.begin(count: 3 + 2 * count)
        out.argument("XADD")
        out.argument(key.bytes)
        out.argument(id.description)
        pairs()
        try out.end()
        streamIDs.append(id)
    }

    public func streamMetadata(_ metadata: StreamMetadata) throws(RDBError) {
        if streamIDs.isEmpty {
            // aof.c: an empty stream is made by adding the entry 0-1 and trimming it away at once;
            // the XSETID after it sets the real last ID (0-0 too, which XADD would refuse).
            try command(["XADD", nil, "MAXLEN", "0", "0-1", "x", "y"])
        }
        var args: [String?] = ["XSETID", nil, metadata.lastID.description]
        if target.hasFunctions {
            args += ["ENTRIESADDED", String(metadata.entriesAdded ?? metadata.length),
                     "MAXDELETEDID", (metadata.maxDeletedID ?? .zero).description]
        } else if (metadata.maxDeletedID ?? .zero) != .zero || (metadata.entriesAdded ?? metadata.length) != metadata.length {
            lose(LossText.streamCounters)
        }
        try command(args)
    }

    public func streamGroup(_ group: StreamGroup) throws(RDBError) {
        var create: [[UInt8]?] = [word("XGROUP"), word("CREATE"), nil, group.name, word(group.lastDeliveredID.description)]
        if target.hasFunctions, let read = group.entriesRead {
            // SCG_INVALID_ENTRIES_READ is stored as 2^64-1 and spelled -1, as aof.c writes it.
            create += [word("ENTRIESREAD"), word(String(Int64(bitPattern: read)))]
        } else if group.entriesRead != nil {
            lose(LossText.entriesRead)
        }
        try command(bytes: create)
        let deliveries = Dictionary(group.pending.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for consumer in group.consumers {
            if consumer.pending.isEmpty {
                try command(bytes: [word("XGROUP"), word("CREATECONSUMER"), nil, group.name, consumer.name])
                continue
            }
            for id in consumer.pending {
                guard streamHolds(id) else {
                    lose("pending entry \(id) of group \(displayKey(group.name)) dropped: its message was deleted, and XCLAIM recreates only existing ones")
                    continue
                }
                let delivery = deliveries[id]
                try command(bytes: [word("XCLAIM"), nil, group.name, consumer.name, word("0"), word(id.description),
                                    word("TIME"), word(String(delivery?.deliveryTimeMs ?? 0)),
                                    word("RETRYCOUNT"), word(String(delivery?.deliveryCount ?? 0)),
                                    word("JUSTID"), word("FORCE")])
            }
        }
        try writeNackZone(group, deliveries: deliveries)
    }

    /// aof.c rioWriteStreamNackedEntries: the zone in order, one XNACK per run of entries with the
    /// same delivery count, at most 64 ids each.
    private func writeNackZone(_ group: StreamGroup, deliveries: [StreamID: StreamPendingEntry]) throws(RDBError) {
        guard let zone = group.nacked, !zone.isEmpty else { return }
        guard target.hasNackZones else {
            return lose(LossText.nacked(zone.count, group: group.name))
        }
        var start = 0
        while start < zone.count {
            let count = deliveries[zone[start]]?.deliveryCount ?? 0
            var end = start + 1
            while end < zone.count && end - start < AOFRewriter.itemsPerCommand && (deliveries[zone[end]]?.deliveryCount ?? 0) == count {
                end += 1
            }
            try command(bytes: [word("XNACK"), nil, group.name, word("FAIL"), word("IDS"), word(String(end - start))]
                        + zone[start..<end].map { word($0.description) }
                        + [word("RETRYCOUNT"), word(String(count)), word("FORCE")])
            start = end
        }
    }

    public func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) {
        guard target.hasStreamIdmp else {
            if !idmp.isDefault { lose(LossText.idmp(idmp)) }
            return
        }
        if idmp.duration != StreamIdmp.defaultDuration || idmp.maxSize != StreamIdmp.defaultMaxSize {
            try command(["XCFGSET", nil, "IDMP-DURATION", String(idmp.duration), "IDMP-MAXSIZE", String(idmp.maxSize)])
        }
        // xidmprecordCommand refuses an id the stream no longer holds, so those are left out, as aof.c does;
        // so are iids a server drops when it loads the source (`StreamIdmp.live`).
        var recorded: UInt64 = 0
        for producer in idmp.live(at: clockMs).producers {
            for entry in producer.entries where streamHolds(entry.id) {
                try command(bytes: [word("XIDMPRECORD"), nil, producer.pid, entry.iid, word(entry.id.description)])
                recorded += 1
            }
        }
        // No command sets the counters: a load counts one iid added per XIDMPRECORD and no duplicate.
        if idmp.iidsAdded != recorded || idmp.iidsDuplicates != 0 {
            lose("stream IDMP counters (\(idmp.iidsAdded) iids added, \(idmp.iidsDuplicates) duplicates) become \(recorded) and 0: no command restores them, as in Redis's own rewrite")
        }
    }

    public func arrayHeader(count: UInt64, insertIndex: UInt64?) throws(RDBError) {
        arrayInsertIndex = insertIndex
    }

    public func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {
        appendText(String(index))
        try element.withText { (text) throws(RDBError) in try add(.bytes(text)) }
    }

    private func streamHolds(_ id: StreamID) -> Bool {
        var low = 0, high = streamIDs.count
        while low < high {
            let mid = (low + high) / 2
            if streamIDs[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low < streamIDs.count && streamIDs[low] == id
    }

    public func moduleValue(_ value: ModuleValue) throws(RDBError) {
        guard let current else { return }
        let record = KeyRecord(db: current.db, key: Array(key.bytes), value: .module(value))
        let lossesBefore = payloads.losses.count
        let payload = try payloads.dumpPayload(for: record)
        guard payloads.losses.count == lossesBefore else { return losses += payloads.losses[lossesBefore...] }
        try command(bytes: [word("RESTORE"), nil, word("0"), payload, word("REPLACE")])
    }

    public func endKey() throws(RDBError) {
        try flushBatch()
        // ARSEEK sets the position of the next insert: one past the stored index.
        if let insert = arrayInsertIndex {
            try command(["ARSEEK", nil, String(insert &+ 1)])
        }
        if let at = current?.expireAtMs {
            try command(["PEXPIREAT", nil, String(at)])
        }
    }

    // MARK: batches

    private func append(_ item: RDBString) {
        item.withBytes { append($0) }
    }

    private func append(_ item: UnsafeRawBufferPointer) {
        batch.append(item)
        batchLengths.append(item.count)
    }

    private func appendText(_ text: String) {
        var text = text
        text.withUTF8 { batch.append(UnsafeRawBufferPointer($0)) }
        batchLengths.append(text.utf8.count)
    }

    /// Appends the last argument of an element and sends the batch once it holds 64 elements.
    private func add(_ item: RDBString) throws(RDBError) {
        append(item)
        try itemAdded()
    }

    /// The last argument of an element, staged as it arrives in pieces.
    private func add(long value: StringValue) throws(RDBError) {
        let staged = StagedBytes(purpose: "a long element of a command")
        try value.forEachPiece { (piece) throws(RDBError) in try staged.write(piece) }
        batchLengths.append(-longItems.count - 1)
        longItems.append(staged)
        try itemAdded()
    }

    /// Counts the element whose arguments were just appended; sends the batch once it is full.
    private func itemAdded() throws(RDBError) {
        batchItems += 1
        // ARMSET takes pairs: half as many elements per command (AOF_REWRITE_ITEMS_PER_CMD/2).
        let limit = current?.type == .array ? AOFRewriter.itemsPerCommand / 2 : AOFRewriter.itemsPerCommand
        if batchItems == limit { try flushBatch() }
    }

    private func flushBatch() throws(RDBError) {
        guard batchItems > 0, let current else { return }
        let name: String
        switch current.type {
        case .list: name = "RPUSH"
        case .set: name = "SADD"
        case .zset: name = "ZADD"
        case .array: name = "ARMSET"
        default: name = "HMSET"
        }
        out.begin(count: 2 + batchLengths.count)
        out.argument(name)
        out.argument(key.bytes)
        var at = 0
        for length in batchLengths {
            guard length >= 0 else {
                try out.argument(longItems[-length - 1])
                continue
            }
            out.argument(UnsafeRawBufferPointer(rebasing: batch.bytes[at..<(at + length)]))
            at += length
        }
        longItems.removeAll()
        try out.end()
        batch.removeAll()
        batchLengths.removeAll(keepingCapacity: true)
        batchItems = 0
        for (field, at) in fieldTTLs {
            try command(bytes: [word("HPEXPIREAT"), nil, word(String(at)), word("FIELDS"), word("1"), field])
        }
        fieldTTLs.removeAll()
    }

    /// A command of words; nil stands for the key.
    private func command(_ args: [String?]) throws(RDBError) {
        try command(bytes: args.map { $0.map(word) })
    }

    private func word(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func command(bytes args: [[UInt8]?]) throws(RDBError) {
        out.begin(count: args.count)
        for a in args {
            if let a { a.withUnsafeBytes { out.argument($0) } } else { out.argument(key.bytes) }
        }
        try out.end()
    }
}
