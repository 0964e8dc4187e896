/// Stream commands (t_stream.c, Redis 7.0): XADD with explicit IDs and exact trimming, XDEL,
/// XTRIM, XSETID, XGROUP and its subcommands, XCLAIM, XACK. Approximate trimming (`~`) and
/// XAUTOCLAIM depend on the server's node layout and clock; Redis 7.0 writes them to the AOF in
/// exact forms, so older AOFs holding them cannot be replayed exactly and say so. Redis 8.6/8.8:
/// XADD … IDMP pid iid (propagated as called, with the ID made explicit), XIDMPRECORD, XCFGSET
/// and XNACK; XADD … IDMPAUTO pid id (propagated with the ID made explicit too) derives its iid
/// from the fields as the server did (`IdempotencyHash`). As while loading (serverCron does not
/// run), no iid expires by its duration during a replay.
extension ReplayEngine {
    static let streamHandlers: [String: Handler] = [
        "xadd": { e, a throws(CommandRefusal) in try e.xadd(a) },
        "xdel": { e, a throws(CommandRefusal) in
            var ids: [StreamID] = []
            for raw in a.dropFirst(2) { ids.append(try strictID(raw)) }
            try e.modifyStream(a[1], create: false) { s throws(CommandRefusal) in
                for id in ids {
                    guard let at = s.entries.firstIndex(where: { $0.id == id }) else { continue }
                    s.entries.remove(at: at)
                    s.metadata.length = UInt64(s.entries.count)
                    if id > (s.metadata.maxDeletedID ?? .zero) { s.metadata.maxDeletedID = id }
                }
                s.metadata.firstID = s.entries.first?.id ?? .zero
            }
        },
        "xtrim": { e, a throws(CommandRefusal) in
            let trim = try TrimArguments(a, at: 2)
            guard trim.end == a.count, trim.strategy != nil else { throw .syntax }
            try e.modifyStream(a[1], create: false) { s throws(CommandRefusal) in trim.apply(to: &s) }
        },
        "xsetid": { e, a throws(CommandRefusal) in try e.xsetid(a) },
        "xgroup": { e, a throws(CommandRefusal) in try e.xgroup(a) },
        "xclaim": { e, a throws(CommandRefusal) in try e.xclaim(a) },
        "xack": { e, a throws(CommandRefusal) in
            var ids: [StreamID] = []
            for raw in a.dropFirst(3) { ids.append(try strictID(raw)) }
            try e.modifyStream(a[1], create: false) { s throws(CommandRefusal) in
                guard let g = s.groups.firstIndex(where: { $0.name == a[2] }) else { return }
                for id in ids { s.groups[g].removePending(id) }
            }
        },
        "xnack": { e, a throws(CommandRefusal) in try e.xnack(a) },
        "xcfgset": { e, a throws(CommandRefusal) in try e.xcfgset(a) },
        "xidmprecord": { e, a throws(CommandRefusal) in
            let id = try strictID(a[4])
            guard !a[2].isEmpty else { throw CommandRefusal(reason: "producer ID must be non-empty") }
            guard !a[3].isEmpty else { throw CommandRefusal(reason: "idempotent ID must be non-empty") }
            guard e.exists(a[1]) else { throw .noSuchKey }
            try e.modifyStream(a[1], create: false) { s throws(CommandRefusal) in
                guard s.entries.contains(where: { $0.id == id }) else { throw CommandRefusal(reason: "No such message in stream") }
                var idmp = s.idmp ?? StreamIdmp()
                if let existing = idmp.lookup(pid: a[2], iid: a[3]) {
                    guard existing == id else { throw CommandRefusal(reason: "IID already exists for this producer with a different stream ID") }
                    return
                }
                idmp.insert(pid: a[2], iid: a[3], id: id)
                s.idmp = idmp
            }
        },
        "xautoclaim": { _, _ throws(CommandRefusal) in
            throw ReplayEngine.cannotReplay("XAUTOCLAIM depends on idle times at the server's clock (Redis 7.0 writes XCLAIM instead)")
        },
    ]

    func modifyStream(_ key: Bytes, create: Bool, _ body: (inout StreamValue) throws(CommandRefusal) -> Void) throws(CommandRefusal) {
        let empty = StreamValue(metadata: StreamMetadata(length: 0, lastID: .zero, firstID: .zero, maxDeletedID: .zero, entriesAdded: 0))
        try modifyValue(key, empty: create ? empty : nil, \.stream, ReplayValue.stream, body)
    }

    /// The time a consumer is seen at: the command's `#TS:` annotation when there is one.
    private var clock: Int64 { currentTimestamp.map { $0 * 1000 } ?? now }

    /// XADD key [NOMKSTREAM] [IDMPAUTO pid | IDMP pid iid] [MAXLEN|MINID [=|~] threshold
    /// [LIMIT n]] id|* field value..., the options in any order (streamParseAddOrTrimArgsOrReply).
    private func xadd(_ a: [Bytes]) throws(CommandRefusal) {
        var i = 2
        var noMakeStream = false
        /// The iid is nil for IDMPAUTO: it comes from the fields.
        var producer: (pid: Bytes, iid: Bytes?)?
        var trim = TrimArguments(strategy: nil, end: i)
        options: while i < a.count {
            switch word(a[i]) {
            case "nomkstream":
                noMakeStream = true
                i += 1
            case "idmp" where i + 2 < a.count:
                guard producer == nil else { throw CommandRefusal(reason: "syntax error, IDMP/IDMPAUTO specified multiple times") }
                guard !a[i + 1].isEmpty else { throw CommandRefusal(reason: "syntax error, IDMP requires a non-empty producer ID") }
                guard !a[i + 2].isEmpty else { throw CommandRefusal(reason: "syntax error, IDMP requires a non-empty idempotent ID") }
                producer = (a[i + 1], a[i + 2])
                i += 3
            case "idmpauto" where i + 1 < a.count:
                guard producer == nil else { throw CommandRefusal(reason: "syntax error, IDMP/IDMPAUTO specified multiple times") }
                guard !a[i + 1].isEmpty else { throw CommandRefusal(reason: "syntax error, IDMPAUTO requires a non-empty producer ID") }
                producer = (a[i + 1], nil)
                i += 2
            case "maxlen", "minid", "limit":
                let more = try TrimArguments(a, at: i)
                if more.strategy != nil { trim.strategy = more.strategy }
                i = more.end
            default:
                break options
            }
        }
        guard i < a.count else { throw .syntax }
        let idArgument = a[i]
        let fields = Array(a[(i + 1)...])
        guard !fields.isEmpty, fields.count % 2 == 0 else { throw CommandRefusal(reason: "wrong number of arguments for 'xadd' command") }
        let requested = try StreamIDArgument(idArgument)
        if case .explicit(let id, true) = requested, id == .zero {
            throw CommandRefusal(reason: "The ID specified in XADD must be greater than 0-0")
        }
        if noMakeStream && !exists(a[1]) { return }
        let idempotent = producer.map { (pid: $0.pid, iid: $0.iid ?? IdempotencyHash.iid(fields: fields[...])) }
        let stamp = now
        try modifyStream(a[1], create: true) { s throws(CommandRefusal) in
            if let idempotent {
                // idmpGetOrCreateProducer runs first: a producer stays even when the XADD fails.
                var idmp = s.idmp ?? StreamIdmp()
                idmp.addProducer(idempotent.pid)
                // idmpLookupAndReply: a known iid adds nothing and counts a duplicate.
                let known = idmp.lookup(pid: idempotent.pid, iid: idempotent.iid) != nil
                if known { idmp.iidsDuplicates &+= 1 }
                s.idmp = idmp
                if known { return }
            }
            let last = s.metadata.lastID
            guard last != StreamID(ms: .max, seq: .max) else {
                throw CommandRefusal(reason: "The stream has exhausted the last possible ID, unable to add more items")
            }
            var id: StreamID
            switch requested {
            case .automatic:
                // streamNextID: the clock, or the last ID's next sequence if the clock is behind.
                id = UInt64(max(0, stamp)) > last.ms ? StreamID(ms: UInt64(stamp), seq: 0) : StreamID(ms: last.ms, seq: last.seq &+ 1)
            case .explicit(let given, true): id = given
            case .explicit(let given, false):
                guard given.ms != last.ms || last.seq != .max else { throw CommandRefusal(reason: "The ID specified in XADD is equal or smaller than the target stream top item") }
                id = given.ms == last.ms ? StreamID(ms: last.ms, seq: last.seq + 1) : given
            }
            guard id > last else { throw CommandRefusal(reason: "The ID specified in XADD is equal or smaller than the target stream top item") }
            var entry = StreamValue.Entry(id: id, fields: [])
            for f in stride(from: 0, to: fields.count, by: 2) { entry.fields.append((fields[f], fields[f + 1])) }
            s.entries.append(entry)
            s.metadata.length = UInt64(s.entries.count)
            s.metadata.lastID = id
            s.metadata.entriesAdded = (s.metadata.entriesAdded ?? 0) &+ 1
            if s.metadata.length == 1 { s.metadata.firstID = id }
            if let idempotent {
                s.idmp!.insert(pid: idempotent.pid, iid: idempotent.iid, id: id)
            }
            trim.apply(to: &s)
        }
    }

    /// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id] (xsetidCommand).
    private func xsetid(_ a: [Bytes]) throws(CommandRefusal) {
        let id = try strictID(a[2])
        var entriesAdded: Int64?, maxDeleted: StreamID?
        var i = 3
        while i + 1 < a.count {
            switch word(a[i]) {
            case "entriesadded":
                entriesAdded = try argInteger(a[i + 1])
                guard entriesAdded! >= 0 else { throw CommandRefusal(reason: "entries_added must be positive") }
            case "maxdeletedid":
                maxDeleted = try strictID(a[i + 1])
                guard id >= maxDeleted! else { throw CommandRefusal(reason: "The ID specified in XSETID is smaller than the provided max_deleted_entry_id") }
            default: throw .syntax
            }
            i += 2
        }
        guard i == a.count else { throw .syntax }
        guard exists(a[1]) else { throw .noSuchKey }
        try modifyStream(a[1], create: false) { s throws(CommandRefusal) in
            if s.metadata.length > 0 {
                guard id >= (s.entries.last?.id ?? .zero) else { throw CommandRefusal(reason: "The ID specified in XSETID is smaller than the target stream top item") }
                if let entriesAdded, UInt64(entriesAdded) < s.metadata.length { throw CommandRefusal(reason: "The entries_added specified in XSETID is smaller than the target stream length") }
            }
            s.metadata.lastID = id
            if let entriesAdded { s.metadata.entriesAdded = UInt64(entriesAdded) }
            if let maxDeleted, maxDeleted != .zero { s.metadata.maxDeletedID = maxDeleted }
        }
    }

    /// XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER (xgroupCommand).
    private func xgroup(_ a: [Bytes]) throws(CommandRefusal) {
        let sub = word(a[1])
        guard a.count >= 4 else { throw .syntax }
        var makeStream = false
        var entriesRead: Int64 = -1
        var i = 5
        while i < a.count {
            if sub == "create" && word(a[i]) == "mkstream" {
                makeStream = true
                i += 1
            } else if (sub == "create" || sub == "setid") && word(a[i]) == "entriesread" && i + 1 < a.count {
                entriesRead = try argInteger(a[i + 1])
                guard entriesRead >= -1 else { throw CommandRefusal(reason: "value for ENTRIESREAD must be positive or -1") }
                i += 2
            } else {
                throw .syntax
            }
        }
        guard let existing = entry(a[2]) else {
            guard sub == "create" && makeStream else { throw CommandRefusal(reason: "The XGROUP subcommand requires the key to exist") }
            try modifyStream(a[2], create: true) { _ throws(CommandRefusal) in }
            return try xgroup(Array(a.prefix(5)) + (entriesRead == -1 ? [] : [text("ENTRIESREAD"), text(String(entriesRead))]))
        }
        guard case .stream = existing.value else { throw .wrongType }
        let clock = self.clock
        try modifyStream(a[2], create: false) { s throws(CommandRefusal) in
            let g = s.groups.firstIndex { $0.name == a[3] }
            if g == nil && ["setid", "createconsumer", "delconsumer"].contains(sub) { throw CommandRefusal(reason: "NOGROUP No such consumer group") }
            let read: UInt64? = entriesRead == -1 ? StreamGroup.invalidEntriesRead : UInt64(entriesRead)
            switch sub {
            case "create" where a.count >= 5:
                let id = a[4] == text("$") ? s.metadata.lastID : try strictID(a[4])
                guard g == nil else { throw CommandRefusal(reason: "BUSYGROUP Consumer Group name already exists") }
                s.groups.append(StreamGroup(name: a[3], lastDeliveredID: id, entriesRead: read, pending: [], consumers: []))
            case "setid" where a.count == 5 || a.count == 7:
                let id = a[4] == text("$") ? s.metadata.lastID : try looseID(a[4])
                s.groups[g!].lastDeliveredID = id
                s.groups[g!].entriesRead = read
            case "destroy" where a.count == 4:
                if let g { s.groups.remove(at: g) }
            case "createconsumer" where a.count == 5:
                if !s.groups[g!].consumers.contains(where: { $0.name == a[4] }) {
                    s.groups[g!].consumers.append(StreamConsumer(name: a[4], seenTimeMs: clock, activeTimeMs: nil, pending: []))
                }
            case "delconsumer" where a.count == 5:
                guard let c = s.groups[g!].consumers.firstIndex(where: { $0.name == a[4] }) else { return }
                for id in s.groups[g!].consumers[c].pending { s.groups[g!].removePending(id) }
                s.groups[g!].consumers.removeAll { $0.name == a[4] }
            default:
                throw .syntax
            }
        }
    }

    /// XCLAIM key group consumer min-idle id... [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE]
    /// [JUSTID] [LASTID id] (xclaimCommand), at the time of the command's `#TS:` or `now`.
    private func xclaim(_ a: [Bytes]) throws(CommandRefusal) {
        guard let existing = entry(a[1]) else { throw CommandRefusal(reason: "NOGROUP No such key or consumer group") }
        guard case .stream(let peek) = existing.value else { throw .wrongType }
        guard peek.groups.contains(where: { $0.name == a[2] }) else { throw CommandRefusal(reason: "NOGROUP No such key or consumer group") }
        var minIdle = try argInteger(a[4])
        if minIdle < 0 { minIdle = 0 }
        var ids: [StreamID] = []
        var j = 5
        while j < a.count, let id = try? strictID(a[j]) {
            ids.append(id)
            j += 1
        }
        let now = clock
        var retryCount: Int64 = -1, deliveryTime: Int64 = -1
        var force = false, justID = false
        var lastID = StreamID.zero
        while j < a.count {
            let more = j + 1 < a.count
            switch word(a[j]) {
            case "force": force = true
            case "justid": justID = true
            case "idle" where more:
                deliveryTime = now &- (try argInteger(a[j + 1]))
                j += 1
            case "time" where more:
                deliveryTime = try argInteger(a[j + 1])
                j += 1
            case "retrycount" where more:
                retryCount = try argInteger(a[j + 1])
                j += 1
            case "lastid" where more:
                lastID = try strictID(a[j + 1])
                j += 1
            default: throw CommandRefusal(reason: "Unrecognized XCLAIM option")
            }
            j += 1
        }
        if deliveryTime < 0 || deliveryTime > now { deliveryTime = now }
        try modifyStream(a[1], create: false) { s throws(CommandRefusal) in
            guard let g = s.groups.firstIndex(where: { $0.name == a[2] }) else { return }
            if lastID > s.groups[g].lastDeliveredID { s.groups[g].lastDeliveredID = lastID }
            let present = Set(s.entries.map(\.id))
            for id in ids {
                var nack = s.groups[g].pending.firstIndex { $0.id == id }
                guard present.contains(id) else {
                    if nack != nil { s.groups[g].removePending(id) }
                    continue
                }
                if force && nack == nil {
                    s.groups[g].pending.append(StreamPendingEntry(id: id, consumer: nil, deliveryTimeMs: 0, deliveryCount: 0))
                    s.groups[g].pending.sort { $0.id < $1.id }
                    nack = s.groups[g].pending.firstIndex { $0.id == id }
                }
                guard let n = nack else { continue }
                if s.groups[g].pending[n].consumer != nil && minIdle > 0 && now &- s.groups[g].pending[n].deliveryTimeMs < minIdle { continue }
                if !s.groups[g].consumers.contains(where: { $0.name == a[3] }) {
                    s.groups[g].consumers.append(StreamConsumer(name: a[3], seenTimeMs: now, activeTimeMs: nil, pending: []))
                }
                if let previous = s.groups[g].pending[n].consumer, previous != a[3],
                   let c = s.groups[g].consumers.firstIndex(where: { $0.name == previous }) {
                    s.groups[g].consumers[c].pending.removeAll { $0 == id }
                }
                s.groups[g].pending[n].deliveryTimeMs = deliveryTime
                if retryCount >= 0 {
                    s.groups[g].pending[n].deliveryCount = UInt64(retryCount)
                } else if !justID {
                    s.groups[g].pending[n].deliveryCount += 1
                }
                if s.groups[g].pending[n].consumer != a[3], let c = s.groups[g].consumers.firstIndex(where: { $0.name == a[3] }) {
                    s.groups[g].consumers[c].pending.append(id)
                    s.groups[g].consumers[c].pending.sort()
                    s.groups[g].pending[n].consumer = a[3]
                    s.groups[g].nacked?.removeAll { $0 == id }
                }
            }
        }
    }
}

extension ReplayEngine {
    /// XNACK key group SILENT|FAIL|FATAL IDS n id... [RETRYCOUNT c] [FORCE] (xnackCommand): each
    /// entry loses its consumer and moves to the end of the NACK zone with delivery time 0; FORCE
    /// creates unowned entries for messages that exist but are not pending.
    fileprivate func xnack(_ a: [Bytes]) throws(CommandRefusal) {
        guard let stream = try value(a[1], \.stream), stream.groups.contains(where: { $0.name == a[2] }) else {
            throw CommandRefusal(reason: "NOGROUP No such key or consumer group")
        }
        let mode = word(a[3])
        guard ["silent", "fail", "fatal"].contains(mode) else { throw CommandRefusal(reason: "mode must be SILENT, FAIL, or FATAL") }
        var ids: [StreamID]?, force = false, retryCount: Int64?
        var i = 4
        while i < a.count {
            switch word(a[i]) {
            case "ids" where i + 1 < a.count:
                guard let n = integer(a[i + 1]), n >= 1, n <= Int64(Int32.max) else { throw CommandRefusal(reason: "numids must be a positive integer") }
                guard n <= Int64(a.count - i - 2) else { throw CommandRefusal(reason: "number of IDs doesn't match numids") }
                var parsed: [StreamID] = []
                for raw in a[(i + 2)..<(i + 2 + Int(n))] { parsed.append(try strictID(raw)) }
                ids = parsed
                i += 2 + Int(n)
            case "force":
                force = true
                i += 1
            case "retrycount" where i + 1 < a.count:
                let c = try argInteger(a[i + 1])
                guard c >= 0 else { throw CommandRefusal(reason: "Invalid RETRYCOUNT value, must be >= 0") }
                retryCount = c
                i += 2
            default:
                throw CommandRefusal(reason: "Unrecognized XNACK option")
            }
        }
        guard let ids else { throw CommandRefusal(reason: "syntax error, expected IDS keyword") }
        // nackSetDeliveryCount: RETRYCOUNT, else SILENT undoes a delivery, FATAL saturates.
        func count(_ old: UInt64) -> UInt64 {
            if let retryCount { return UInt64(retryCount) }
            switch mode {
            case "silent": return old > 0 ? old - 1 : 0
            case "fatal": return UInt64(Int64.max)
            default: return old
            }
        }
        try modifyStream(a[1], create: false) { s throws(CommandRefusal) in
            let g = s.groups.firstIndex { $0.name == a[2] }!
            var zone = s.groups[g].nacked ?? []
            for id in ids {
                if let n = s.groups[g].pending.firstIndex(where: { $0.id == id }) {
                    if let owner = s.groups[g].pending[n].consumer, let c = s.groups[g].consumers.firstIndex(where: { $0.name == owner }) {
                        s.groups[g].consumers[c].pending.removeAll { $0 == id }
                    }
                    s.groups[g].pending[n].consumer = nil
                    s.groups[g].pending[n].deliveryTimeMs = 0
                    s.groups[g].pending[n].deliveryCount = count(s.groups[g].pending[n].deliveryCount)
                } else if force, s.entries.contains(where: { $0.id == id }) {
                    let at = s.groups[g].pending.firstIndex { $0.id > id } ?? s.groups[g].pending.count
                    s.groups[g].pending.insert(StreamPendingEntry(id: id, consumer: nil, deliveryTimeMs: 0, deliveryCount: count(0)), at: at)
                } else {
                    continue
                }
                zone.removeAll { $0 == id }
                zone.append(id)
            }
            s.groups[g].nacked = zone
        }
    }

    /// XCFGSET key [IDMP-DURATION s] [IDMP-MAXSIZE n]: a changed value clears every producer's iids.
    fileprivate func xcfgset(_ a: [Bytes]) throws(CommandRefusal) {
        var duration: UInt64?, maxSize: UInt64?
        var i = 2
        while i < a.count {
            guard i + 1 < a.count else { throw .syntax }
            let v = try argInteger(a[i + 1])
            switch word(a[i]) {
            case "idmp-duration" where duration == nil:
                guard v >= 0, StreamIdmp.durationRange.contains(UInt64(v)) else { throw CommandRefusal(reason: "IDMP-DURATION out of range") }
                duration = UInt64(v)
            case "idmp-maxsize" where maxSize == nil:
                guard v >= 0, StreamIdmp.maxSizeRange.contains(UInt64(v)) else { throw CommandRefusal(reason: "IDMP-MAXSIZE out of range") }
                maxSize = UInt64(v)
            default: throw .syntax
            }
            i += 2
        }
        guard duration != nil || maxSize != nil else { throw CommandRefusal(reason: "At least one parameter must be specified") }
        guard exists(a[1]) else { throw .noSuchKey }
        try modifyStream(a[1], create: false) { s throws(CommandRefusal) in
            var idmp = s.idmp ?? StreamIdmp()
            if let duration, duration != idmp.duration {
                idmp.duration = duration
                idmp.producers = []
            }
            if let maxSize, maxSize != idmp.maxSize {
                idmp.maxSize = maxSize
                idmp.producers = []
            }
            s.idmp = idmp
        }
    }
}

extension StreamIdmp {
    /// The entry id an iid of a producer was recorded with.
    func lookup(pid: Bytes, iid: Bytes) -> StreamID? {
        producers.first { $0.pid == pid }?.entries.first { $0.iid == iid }?.id
    }

    /// idmpGetOrCreateProducer: the rax keeps producers in pid order (memcmp), as the file lists them.
    @discardableResult
    mutating func addProducer(_ pid: Bytes) -> Int {
        let at = producers.firstIndex { !$0.pid.lexicographicallyPrecedes(pid) } ?? producers.count
        if at < producers.count, producers[at].pid == pid { return at }
        producers.insert(Producer(pid: pid, entries: []), at: at)
        return at
    }

    /// idmpInsertEntry: appended, counted, and the producer's oldest evicted beyond max size.
    mutating func insert(pid: Bytes, iid: Bytes, id: StreamID) {
        let p = addProducer(pid)
        producers[p].entries.append(Entry(iid: iid, id: id))
        if UInt64(producers[p].entries.count) > maxSize { producers[p].entries.removeFirst() }
        iidsAdded &+= 1
    }
}

extension StreamGroup {
    /// Drops an entry from the group's PEL and from its consumer's.
    mutating func removePending(_ id: StreamID) {
        guard let n = pending.firstIndex(where: { $0.id == id }) else { return }
        let owner = pending[n].consumer
        pending.remove(at: n)
        nacked?.removeAll { $0 == id }
        if let owner, let c = consumers.firstIndex(where: { $0.name == owner }) {
            consumers[c].pending.removeAll { $0 == id }
        }
    }
}

/// `MAXLEN|MINID [=|~] threshold [LIMIT n]` of XADD and XTRIM (streamParseAddOrTrimArgsOrReply).
private struct TrimArguments {
    enum Strategy { case maxLength(UInt64), minimumID(StreamID) }
    var strategy: Strategy?
    /// Where the arguments after the trim options start.
    var end: Int

    init(strategy: Strategy?, end: Int) {
        self.strategy = strategy
        self.end = end
    }

    init(_ a: [Bytes], at start: Int) throws(CommandRefusal) {
        var i = start
        while i < a.count {
            let option = word(a[i])
            guard option == "maxlen" || option == "minid" || option == "limit" else { break }
            guard i + 1 < a.count else { throw .syntax }
            if option == "limit" {
                // Only meaningful with `~`, which cannot be replayed anyway.
                _ = try argInteger(a[i + 1])
                i += 2
                continue
            }
            var at = i + 1
            if a[at] == text("~") {
                throw ReplayEngine.cannotReplay("approximate trimming (~) depends on the server's node layout (Redis 7.0 writes it as '=')")
            }
            if a[at] == text("=") { at += 1 }
            guard at < a.count else { throw .syntax }
            if option == "maxlen" {
                let n = try argInteger(a[at])
                guard n >= 0 else { throw CommandRefusal(reason: "The MAXLEN argument must be >= 0.") }
                strategy = .maxLength(UInt64(n))
            } else {
                strategy = .minimumID(try looseID(a[at]))
            }
            i = at + 1
        }
        end = i
    }

    /// Exact trimming, and the first ID after it (streamTrim).
    func apply(to s: inout StreamValue) {
        guard let strategy else { return }
        var removed = 0
        switch strategy {
        case .maxLength(let n):
            if UInt64(s.entries.count) > n { removed = s.entries.count - Int(n) }
        case .minimumID(let id):
            removed = s.entries.prefix { $0.id < id }.count
        }
        guard removed > 0 else { return }
        s.entries.removeFirst(removed)
        s.metadata.length = UInt64(s.entries.count)
        s.metadata.firstID = s.entries.first?.id ?? .zero
    }
}

/// An ID argument of XADD: `*`, `ms-*`, `ms` or `ms-seq`.
private enum StreamIDArgument {
    case automatic
    /// `seqGiven` false: the sequence follows the last ID's when the milliseconds match.
    case explicit(StreamID, seqGiven: Bool)

    init(_ b: Bytes) throws(CommandRefusal) {
        if b == text("*") {
            self = .automatic
            return
        }
        let parts = b.split(separator: UInt8(ascii: "-"), maxSplits: 1, omittingEmptySubsequences: false)
        guard let ms = UInt64(String(decoding: parts[0], as: UTF8.self)) else { throw invalidID }
        if parts.count == 1 || parts[1] == text("*")[...] {
            self = .explicit(StreamID(ms: ms, seq: 0), seqGiven: false)
            return
        }
        guard let seq = UInt64(String(decoding: parts[1], as: UTF8.self)) else { throw invalidID }
        self = .explicit(StreamID(ms: ms, seq: seq), seqGiven: true)
    }
}

private let invalidID = CommandRefusal(reason: "Invalid stream ID specified as stream command argument")

/// streamParseStrictIDOrReply: `ms-seq` or `ms` (sequence 0).
private func strictID(_ b: Bytes) throws(CommandRefusal) -> StreamID {
    guard case .explicit(let id, _) = try StreamIDArgument(b) else { throw invalidID }
    return id
}

/// streamParseIDOrReply: also `-` and `+`.
private func looseID(_ b: Bytes) throws(CommandRefusal) -> StreamID {
    if b == text("-") { return .zero }
    if b == text("+") { return StreamID(ms: .max, seq: .max) }
    return try strictID(b)
}
