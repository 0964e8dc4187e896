/// Hash commands (t_hash.c): HSET/HMSET, HSETNX, HDEL, HINCRBY, HINCRBYFLOAT, the field-TTL
/// commands of Redis 7.4 (HEXPIRE family, HPERSIST) in the absolute forms AOFs hold, and Redis 8's
/// HSETEX (propagated with PXAT), HGETEX and HGETDEL (propagated as HPEXPIREAT/HPERSIST and HDEL,
/// applied here the same way should an AOF hold them as they were called).
extension ReplayEngine {
    static let hashHandlers: [String: Handler] = [
        "hset": { e, a throws(CommandRefusal) in try e.hset(a) },
        "hmset": { e, a throws(CommandRefusal) in try e.hset(a) },
        "hsetnx": { e, a throws(CommandRefusal) in
            try e.modifyHash(a[1], create: true) { h throws(CommandRefusal) in
                if h[a[2]] == nil { h[a[2]] = ReplayValue.HashEntry(value: a[3]) }
            }
        },
        "hdel": { e, a throws(CommandRefusal) in
            try e.modifyHash(a[1], create: false) { h throws(CommandRefusal) in for f in a.dropFirst(2) { h[f] = nil } }
        },
        "hincrby": { e, a throws(CommandRefusal) in
            let by = try argInteger(a[3])
            try e.modifyHash(a[1], create: true) { h throws(CommandRefusal) in
                let current = try h[a[2]].map { (f) throws(CommandRefusal) in try argInteger(f.value) } ?? 0
                let (sum, overflow) = current.addingReportingOverflow(by)
                guard !overflow else { throw CommandRefusal(reason: "increment or decrement would overflow") }
                h[a[2], default: ReplayValue.HashEntry(value: [])].value = text(String(sum))
            }
        },
        "hincrbyfloat": { e, a throws(CommandRefusal) in
            guard let by = LongDouble(a[3]) else { throw .notFloat }
            try e.modifyHash(a[1], create: true) { h throws(CommandRefusal) in
                var current = LongDouble.zero
                if let f = h[a[2]] {
                    guard let v = LongDouble(f.value) else { throw CommandRefusal(reason: "hash value is not a float") }
                    current = v
                }
                let sum = current + by
                guard sum.isFinite else { throw CommandRefusal(reason: "increment would produce NaN or Infinity") }
                h[a[2], default: ReplayValue.HashEntry(value: [])].value = text(DoubleText.humanFriendly(sum))
            }
        },
        "hexpire": { e, a throws(CommandRefusal) in try e.fieldExpire(a, unit: 1000, relative: true) },
        "hpexpire": { e, a throws(CommandRefusal) in try e.fieldExpire(a, unit: 1, relative: true) },
        "hexpireat": { e, a throws(CommandRefusal) in try e.fieldExpire(a, unit: 1000, relative: false) },
        "hpexpireat": { e, a throws(CommandRefusal) in try e.fieldExpire(a, unit: 1, relative: false) },
        "hsetex": { e, a throws(CommandRefusal) in try e.hsetex(a) },
        "hgetex": { e, a throws(CommandRefusal) in try e.hgetex(a) },
        "hgetdel": { e, a throws(CommandRefusal) in
            let fields = try fieldList(a, at: 2)
            try e.modifyHash(a[1], create: false) { h throws(CommandRefusal) in for f in fields { h[f] = nil } }
        },
        "hpersist": { e, a throws(CommandRefusal) in
            let fields = try fieldList(a, at: 2)
            try e.modifyHash(a[1], create: false) { h throws(CommandRefusal) in
                for f in fields where h[f] != nil { h[f]!.expireAtMs = nil }
            }
        },
    ]

    func modifyHash(_ key: Bytes, create: Bool, _ body: (inout [Bytes: ReplayValue.HashEntry]) throws(CommandRefusal) -> Void) throws(CommandRefusal) {
        try modifyValue(key, empty: create ? [:] : nil, \.hash, ReplayValue.hash, body)
    }

    /// HSET key field value...: setting a field drops its TTL (hashTypeSet).
    private func hset(_ a: [Bytes]) throws(CommandRefusal) {
        guard a.count >= 4, a.count % 2 == 0 else { throw CommandRefusal(reason: "wrong number of arguments") }
        try modifyHash(a[1], create: true) { h throws(CommandRefusal) in
            for i in stride(from: 2, to: a.count, by: 2) { h[a[i]] = ReplayValue.HashEntry(value: a[i + 1]) }
        }
    }

    /// H[P]EXPIRE[AT] key time [NX|XX|GT|LT] FIELDS n field...: while loading, a time already
    /// past is set as is (checkAlreadyExpired is false then), like a key's.
    private func fieldExpire(_ a: [Bytes], unit: Int64, relative: Bool) throws(CommandRefusal) {
        let amount = try argInteger(a[2])
        let (ms, overflow) = amount.multipliedReportingOverflow(by: unit)
        guard !overflow, amount >= 0 else { throw CommandRefusal(reason: "invalid expire time") }
        let (when, late) = ms.addingReportingOverflow(relative ? now : 0)
        guard !late else { throw CommandRefusal(reason: "invalid expire time") }
        var condition: String?
        var at = 3
        if ["nx", "xx", "gt", "lt"].contains(word(a[at])) {
            condition = word(a[at])
            at += 1
        }
        let fields = try Self.fieldList(a, at: at)
        try modifyHash(a[1], create: false) { h throws(CommandRefusal) in
            for f in fields {
                guard let field = h[f] else { continue }
                let ttl = field.expireAtMs
                switch condition {
                case "nx" where ttl != nil, "xx" where ttl == nil: continue
                case "gt" where ttl == nil || when <= ttl!: continue
                case "lt" where ttl != nil && when >= ttl!: continue
                default: break
                }
                h[f]!.expireAtMs = when
            }
        }
    }

    /// An expiry option of HSETEX/HGETEX (`EX s`, `PX ms`, `EXAT s`, `PXAT ms`) as absolute ms;
    /// nil when the word is not one.
    private func expiryOption(_ option: String, _ argument: Bytes) throws(CommandRefusal) -> Int64? {
        let (unit, relative): (Int64, Bool)
        switch option {
        case "ex": (unit, relative) = (1000, true)
        case "px": (unit, relative) = (1, true)
        case "exat": (unit, relative) = (1000, false)
        case "pxat": (unit, relative) = (1, false)
        default: return nil
        }
        let amount = try argInteger(argument)
        let (ms, overflow) = amount.multipliedReportingOverflow(by: unit)
        let (when, late) = ms.addingReportingOverflow(relative ? now : 0)
        guard amount >= 0, !overflow, !late, UInt64(when) <= RDBEncodingConstants.EB_EXPIRE_TIME_MAX else {
            throw CommandRefusal(reason: "invalid expire time")
        }
        return when
    }

    /// HSETEX key [FNX|FXX] [EX|PX|EXAT|PXAT time|KEEPTTL] FIELDS n field value...: a set field
    /// loses its TTL unless KEEPTTL or a new expiry is given.
    private func hsetex(_ a: [Bytes]) throws(CommandRefusal) {
        var condition: String?, expireAt: Int64?, keepTTL = false
        var i = 2
        while i < a.count, word(a[i]) != "fields" {
            let option = word(a[i])
            if option == "fnx" || option == "fxx" {
                guard condition == nil else { throw .syntax }
                condition = option
                i += 1
            } else if option == "keepttl" {
                guard expireAt == nil, !keepTTL else { throw .syntax }
                keepTTL = true
                i += 1
            } else {
                guard i + 1 < a.count, expireAt == nil, !keepTTL, let at = try expiryOption(option, a[i + 1]) else { throw .syntax }
                expireAt = at
                i += 2
            }
        }
        guard i + 1 < a.count, let n = integer(a[i + 1]), n > 0, Int64(a.count - i - 2) == 2 * n else {
            throw CommandRefusal(reason: "invalid number of fields")
        }
        let pairs = stride(from: i + 2, to: a.count, by: 2).map { (a[$0], a[$0 + 1]) }
        if condition == "fxx" && !exists(a[1]) { return }
        try modifyHash(a[1], create: true) { h throws(CommandRefusal) in
            let present = pairs.filter { h[$0.0] != nil }.count
            if condition == "fnx" && present > 0 || condition == "fxx" && present < pairs.count { return }
            for (field, value) in pairs {
                let kept = keepTTL ? h[field]?.expireAtMs : nil
                h[field] = ReplayValue.HashEntry(value: value, expireAtMs: expireAt ?? kept)
            }
        }
    }

    /// HGETEX key [EX|PX|EXAT|PXAT time|PERSIST] FIELDS n field...: sets or clears the TTL of the
    /// fields that exist.
    private func hgetex(_ a: [Bytes]) throws(CommandRefusal) {
        var expireAt: Int64?, persist = false
        var i = 2
        if i < a.count, word(a[i]) != "fields" {
            if word(a[i]) == "persist" {
                persist = true
                i += 1
            } else {
                guard i + 1 < a.count, let at = try expiryOption(word(a[i]), a[i + 1]) else { throw .syntax }
                expireAt = at
                i += 2
            }
        }
        let fields = try Self.fieldList(a, at: i)
        guard persist || expireAt != nil else { return }
        try modifyHash(a[1], create: false) { h throws(CommandRefusal) in
            for f in fields where h[f] != nil { h[f]!.expireAtMs = expireAt }
        }
    }

    /// `FIELDS numfields field...` starting at `at`.
    private static func fieldList(_ a: [Bytes], at: Int) throws(CommandRefusal) -> [Bytes] {
        guard at + 1 < a.count, word(a[at]) == "fields" else { throw CommandRefusal(reason: "mandatory argument FIELDS is missing") }
        let n = try argInteger(a[at + 1])
        guard n > 0, n == Int64(a.count - at - 2) else { throw CommandRefusal(reason: "the numfields parameter must match the number of arguments") }
        return Array(a[(at + 2)...])
    }
}

extension ReplayValue.HashEntry {
    init(value: Bytes) {
        self.init(value: value, expireAtMs: nil)
    }
}
