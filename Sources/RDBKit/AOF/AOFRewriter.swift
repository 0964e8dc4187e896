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
public final class AOFRewriter: RDBVisitor {
    /// AOF_REWRITE_ITEMS_PER_CMD.
    static let itemsPerCommand = 64

    private let out: RESPEncoder
    private let target: RDBTarget
    private let payloads: RDBWriter
    public private(set) var losses: [ConversionLoss] = []
    public private(set) var keys = 0

    /// The database the commands go to; set it when the caller selects databases itself.
    var currentDB: Int?
    private var info: KeyInfo?
    private let key = ScratchBuffer(capacity: 256)
    /// The batch being gathered: arguments back to back, and their lengths.
    private let batch = ScratchBuffer(capacity: 64 * 1024)
    private var batchLengths: [Int] = []
    private var batchItems = 0
    /// Fields of the batch that carry a TTL: set after the HMSET that creates them.
    private var fieldTTLs: [(field: [UInt8], expireAtMs: Int64)] = []
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

    public init(output: RESPEncoder, target: RDBTarget, dropModules: Bool) throws(RDBError) {
        out = output
        self.target = target
        payloads = try RDBWriter(path: nil, target: target)
        payloads.dropModules = dropModules
    }

    private func lose(_ what: String, keyed: Bool = true, requested: Bool = false) {
        losses.append(ConversionLoss(db: keyed ? info?.db : nil, key: keyed ? Array(key.bytes) : nil,
                                     what: what, requested: requested))
    }

    public func function(code: RDBString) throws(RDBError) {
        guard target.hasFunctions else {
            return lose("function library dropped: \(target.serverVersion) has no FUNCTION LOAD (Redis 7.0+)", keyed: false)
        }
        out.begin(count: 3)
        out.argument("FUNCTION")
        out.argument("LOAD")
        out.argument(code)
        try out.end()
    }

    public func moduleAux(_ aux: ModuleAux) throws(RDBError) {
        lose("module aux data of \(aux.typeID.name) dropped: no command restores it", keyed: false,
             requested: payloads.dropModules)
    }

    public func beginKey(_ info: KeyInfo, key name: RDBString) throws(RDBError) -> KeyAction {
        self.info = info
        name.withBytes { key.set($0) }
        if info.type == .stream && !target.hasStreams {
            lose("stream dropped: \(target.serverVersion) has no streams")
            return .skip
        }
        if info.type == .array && !target.hasArrays {
            lose("array dropped: \(target.serverVersion) has no arrays (Redis 8.8)")
            return .skip
        }
        if info.type == .module && payloads.dropModules {
            lose("module value dropped (--without-modules)", requested: true)
            return .skip
        }
        if info.db != currentDB {
            out.begin(count: 2)
            out.argument("SELECT")
            out.argument(String(info.db))
            try out.end()
            currentDB = info.db
        }
        streamIDs.removeAll(keepingCapacity: false)
        arrayInsertIndex = nil
        keys += 1
        return .read
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
        appendText(scoreText(score))
        try add(member)
    }

    public func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        if let expireAtMs {
            if target.hasFieldTTLs {
                fieldTTLs.append((field.array, expireAtMs))
            } else {
                lose("field TTL dropped: \(target.serverVersion) has no hash-field expiry (Redis 7.4+)")
            }
        }
        append(field)
        try add(value)
    }

    public func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        out.begin(count: 3 + 2 * fields.count)
        out.argument("XADD")
        out.argument(key.bytes)
        out.argument(id.description)
        for i in 0..<fields.count {
            out.argument(fields.field(i))
            out.argument(fields.value(i))
        }
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
            lose("stream counters entries-added and max-deleted-id dropped: \(target.serverVersion) predates them (Redis 7.0)")
        }
        try command(args)
    }

    public func streamGroup(_ group: StreamGroup) throws(RDBError) {
        var create: [[UInt8]?] = [word("XGROUP"), word("CREATE"), nil, group.name, word(group.lastDeliveredID.description)]
        if target.hasFunctions, let read = group.entriesRead {
            // SCG_INVALID_ENTRIES_READ is stored as 2^64-1 and spelled -1, as aof.c writes it.
            create += [word("ENTRIESREAD"), word(String(Int64(bitPattern: read)))]
        } else if group.entriesRead != nil {
            lose("consumer group entries-read dropped: \(target.serverVersion) predates it (Redis 7.0)")
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
            return lose("\(zone.count) NACKed pending entries of group \(displayKey(group.name)) dropped: \(target.serverVersion) has no XNACK (Redis 8.8)")
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
            if !idmp.isDefault { lose("stream IDMP state dropped: \(target.serverVersion) has no XCFGSET/XIDMPRECORD (Redis 8.6)") }
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
        guard let info else { return }
        let record = KeyRecord(db: info.db, key: Array(key.bytes), value: .module(value))
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
        if let at = info?.expireAtMs {
            try command(["PEXPIREAT", nil, String(at)])
        }
    }

    // MARK: batches

    private func append(_ item: RDBString) {
        item.withBytes { batch.append($0) }
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
        batchItems += 1
        // ARMSET takes pairs: half as many elements per command (AOF_REWRITE_ITEMS_PER_CMD/2).
        let limit = info?.type == .array ? AOFRewriter.itemsPerCommand / 2 : AOFRewriter.itemsPerCommand
        if batchItems == limit { try flushBatch() }
    }

    private func flushBatch() throws(RDBError) {
        guard batchItems > 0, let info else { return }
        let name: String
        switch info.type {
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
            out.argument(UnsafeRawBufferPointer(rebasing: batch.bytes[at..<(at + length)]))
            at += length
        }
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
