/// Commands on keys as wholes (db.c, expire.c): DEL, EXPIRE family, PERSIST, RENAME, MOVE,
/// COPY, SWAPDB, FLUSHDB/FLUSHALL, SELECT, RESTORE.
extension ReplayEngine {
    static let keyHandlers: [String: Handler] = [
        "del": { e, a throws(CommandRefusal) in for k in a.dropFirst() { _ = e.delete(k) } },
        "unlink": { e, a throws(CommandRefusal) in for k in a.dropFirst() { _ = e.delete(k) } },
        "expire": { e, a throws(CommandRefusal) in try e.expire(a, unit: 1000, relative: true) },
        "pexpire": { e, a throws(CommandRefusal) in try e.expire(a, unit: 1, relative: true) },
        "expireat": { e, a throws(CommandRefusal) in try e.expire(a, unit: 1000, relative: false) },
        "pexpireat": { e, a throws(CommandRefusal) in try e.expire(a, unit: 1, relative: false) },
        "persist": { e, a throws(CommandRefusal) in
            try e.modify(a[1]) { (entry) throws(CommandRefusal) in entry?.expireAtMs = nil }
        },
        "rename": { e, a throws(CommandRefusal) in try e.rename(a, onlyIfNew: false) },
        "renamenx": { e, a throws(CommandRefusal) in try e.rename(a, onlyIfNew: true) },
        "move": { e, a throws(CommandRefusal) in
            let target = Int(try argInteger(a[2]))
            guard target != e.db, target >= 0 else { throw CommandRefusal(reason: "source and destination objects are the same") }
            guard e.keyspace[target, a[1]] == nil, let entry = e.keyspace.take(db: e.db, key: a[1]) else { return }
            e.keyspace[target, a[1]] = entry
        },
        "copy": { e, a throws(CommandRefusal) in
            var target = e.db, replace = false
            var i = 3
            while i < a.count {
                switch word(a[i]) {
                case "replace": replace = true
                case "db" where i + 1 < a.count:
                    target = Int(try argInteger(a[i + 1]))
                    i += 1
                default: throw .syntax
                }
                i += 1
            }
            if target == e.db && a[1] == a[2] { throw CommandRefusal(reason: "source and destination objects are the same") }
            guard let source = e.entry(a[1]) else { return }
            if e.keyspace[target, a[2]] != nil && !replace { return }
            var copy = source
            // A spilled string is appended to in place (APPEND): the copy gets its own file.
            if case .longString(let long) = source.value {
                do throws(RDBError) { copy.value = .longString(try long.copy()) } catch { throw CommandRefusal(error) }
            }
            e.keyspace[target, a[2]] = copy
        },
        "swapdb": { e, a throws(CommandRefusal) in
            e.keyspace.swap(Int(try argInteger(a[1])), Int(try argInteger(a[2])))
        },
        "flushdb": { e, _ throws(CommandRefusal) in e.keyspace.flush(db: e.db) },
        "flushall": { e, _ throws(CommandRefusal) in e.keyspace.flushAll() },
        "select": { e, a throws(CommandRefusal) in
            let n = try argInteger(a[1])
            guard n >= 0, n < Int64(Int32.max) else { throw CommandRefusal(reason: "DB index is out of range") }
            e.db = Int(n)
        },
        "restore": { e, a throws(CommandRefusal) in try e.restore(a) },
        // A command an AOF can hold that changes no data.
        "ping": { _, _ throws(CommandRefusal) in },
    ]

    /// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT] (expireGenericCommand).
    /// While loading, a time in the past is set as is (checkAlreadyExpired is false then).
    private func expire(_ a: [Bytes], unit: Int64, relative: Bool) throws(CommandRefusal) {
        let amount = try argInteger(a[2])
        var (when, overflow) = amount.multipliedReportingOverflow(by: unit)
        if !overflow && relative { (when, overflow) = when.addingReportingOverflow(now) }
        guard !overflow else { throw CommandRefusal(reason: "invalid expire time") }
        var nx = false, xx = false, gt = false, lt = false
        for option in a.dropFirst(3) {
            switch word(option) {
            case "nx": nx = true
            case "xx": xx = true
            case "gt": gt = true
            case "lt": lt = true
            default: throw CommandRefusal(reason: "Unsupported option")
            }
        }
        if nx && (xx || gt || lt) || gt && lt { throw CommandRefusal(reason: "NX and XX, GT or LT options at the same time are not compatible") }
        try modify(a[1]) { (entry) throws(CommandRefusal) in
            guard var current = entry else { return }
            let ttl = current.expireAtMs
            if nx && ttl != nil { return }
            if xx && ttl == nil { return }
            // No TTL counts as infinite: GT never beats it, LT always does.
            if gt && (ttl == nil || when <= ttl!) { return }
            if lt && ttl != nil && when >= ttl! { return }
            current.expireAtMs = when
            entry = current
        }
    }

    private func rename(_ a: [Bytes], onlyIfNew: Bool) throws(CommandRefusal) {
        guard let source = entry(a[1]) else { throw .noSuchKey }
        if a[1] == a[2] { return }
        if onlyIfNew && exists(a[2]) { return }
        _ = delete(a[1])
        keyspace[db, a[2]] = source
    }

    /// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]: the payload decoded by
    /// the RDB reader; LRU/LFU hints are not part of the data.
    private func restore(_ a: [Bytes]) throws(CommandRefusal) {
        var replace = false, absolute = false
        var i = 4
        while i < a.count {
            switch word(a[i]) {
            case "replace": replace = true
            case "absttl": absolute = true
            case "idletime", "freq":
                guard i + 1 < a.count else { throw .syntax }
                _ = try argInteger(a[i + 1])
                i += 1
            default: throw .syntax
            }
            i += 1
        }
        var ttl = try argInteger(a[2])
        guard ttl >= 0 else { throw CommandRefusal(reason: "Invalid TTL value, must be >= 0") }
        if exists(a[1]) && !replace { throw CommandRefusal(reason: "BUSYKEY Target key name already exists.") }
        guard let value = try? RestorePayload.decode(a[3]) else { throw CommandRefusal(reason: "DUMP payload version or checksum are wrong") }
        if ttl > 0 && !absolute {
            let (when, overflow) = ttl.addingReportingOverflow(now)
            guard !overflow else { throw CommandRefusal(reason: "Invalid TTL value") }
            ttl = when
        }
        keyspace[db, a[1]] = Keyspace.Entry(value: ReplayValue(value), expireAtMs: ttl > 0 ? ttl : nil)
    }
}
