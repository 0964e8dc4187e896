/// String commands (t_string.c, bitops.c): SET and its forms, MSET, APPEND, SETRANGE, the
/// INCR family, GETSET/GETDEL/GETEX, SETBIT, BITOP.
extension ReplayEngine {
    static let stringHandlers: [String: Handler] = [
        "set": { e, a throws(CommandRefusal) in try e.set(a) },
        "setnx": { e, a throws(CommandRefusal) in if !e.exists(a[1]) { e.store(a[1], e.stringArgument(a, 2)) } },
        "setex": { e, a throws(CommandRefusal) in try e.setWithExpiry(a[1], e.stringArgument(a, 3), amount: a[2], unit: 1000) },
        "psetex": { e, a throws(CommandRefusal) in try e.setWithExpiry(a[1], e.stringArgument(a, 3), amount: a[2], unit: 1) },
        "getset": { e, a throws(CommandRefusal) in
            try e.checkString(a[1])
            e.store(a[1], e.stringArgument(a, 2))
        },
        "getdel": { e, a throws(CommandRefusal) in
            try e.checkString(a[1])
            _ = e.delete(a[1])
        },
        "getex": { e, a throws(CommandRefusal) in try e.getex(a) },
        "mset": { e, a throws(CommandRefusal) in
            guard a.count % 2 == 1 else { throw .syntax }
            for i in stride(from: 1, to: a.count, by: 2) { e.store(a[i], e.stringArgument(a, i + 1)) }
        },
        "msetnx": { e, a throws(CommandRefusal) in
            guard a.count % 2 == 1 else { throw .syntax }
            for i in stride(from: 1, to: a.count, by: 2) where e.exists(a[i]) { return }
            for i in stride(from: 1, to: a.count, by: 2) { e.store(a[i], e.stringArgument(a, i + 1)) }
        },
        "append": { e, a throws(CommandRefusal) in try e.append(a[1], e.stringArgument(a, 2)) },
        "setrange": { e, a throws(CommandRefusal) in
            let offset = try argInteger(a[2])
            guard offset >= 0, offset <= Int64(maximumStringLength) - Int64(a[3].count) else { throw CommandRefusal(reason: "offset is out of range") }
            // An empty value changes nothing, and does not create the key.
            if a[3].isEmpty {
                try e.checkString(a[1])
                return
            }
            try e.modifyString(a[1], create: true) { s throws(CommandRefusal) in
                let end = Int(offset) + a[3].count
                if s.count < end { s += [UInt8](repeating: 0, count: end - s.count) }
                s.replaceSubrange(Int(offset)..<end, with: a[3])
            }
        },
        "incr": { e, a throws(CommandRefusal) in try e.increment(a[1], by: 1) },
        "decr": { e, a throws(CommandRefusal) in try e.increment(a[1], by: -1) },
        "incrby": { e, a throws(CommandRefusal) in try e.increment(a[1], by: try argInteger(a[2])) },
        "decrby": { e, a throws(CommandRefusal) in
            let by = try argInteger(a[2])
            guard by != .min else { throw CommandRefusal(reason: "decrement would overflow") }
            try e.increment(a[1], by: -by)
        },
        "incrbyfloat": { e, a throws(CommandRefusal) in
            guard let by = LongDouble(a[2]) else { throw .notFloat }
            var current = LongDouble.zero
            if let s = try e.string(a[1]) {
                guard let v = LongDouble(s) else { throw .notFloat }
                current = v
            }
            let sum = current + by
            guard sum.isFinite else { throw CommandRefusal(reason: "increment would produce NaN or Infinity") }
            try e.modifyString(a[1], create: true) { s throws(CommandRefusal) in s = text(DoubleText.humanFriendly(sum)) }
        },
        "setbit": { e, a throws(CommandRefusal) in
            let offset = try argInteger(a[2])
            guard offset >= 0, offset < Int64(maximumStringLength) * 8 else { throw CommandRefusal(reason: "bit offset is not an integer or out of range") }
            guard a[3] == text("0") || a[3] == text("1") else { throw CommandRefusal(reason: "bit is not an integer or out of range") }
            try e.modifyString(a[1], create: true) { s throws(CommandRefusal) in
                let byte = Int(offset >> 3)
                if s.count <= byte { s += [UInt8](repeating: 0, count: byte + 1 - s.count) }
                let mask = UInt8(1 << (7 - Int(offset & 7)))
                if a[3] == text("1") { s[byte] |= mask } else { s[byte] &= ~mask }
            }
        },
        "bitop": { e, a throws(CommandRefusal) in try e.bitop(a) },
    ]

    /// proto-max-bulk-len's default: the longest string Redis builds.
    static var maximumStringLength: Int { 512 * 1024 * 1024 }

    /// A string key's bytes (nil when missing), a long one read back whole (memory: its length,
    /// for the commands that change or read a string's bytes); another type is WRONGTYPE.
    func string(_ key: Bytes) throws(CommandRefusal) -> Bytes? {
        guard let entry = entry(key) else { return nil }
        return try Self.bytes(of: entry.value)
    }

    /// WRONGTYPE unless the key is missing or a string; nothing is read.
    func checkString(_ key: Bytes) throws(CommandRefusal) {
        guard let value = entry(key)?.value else { return }
        switch value {
        case .string, .longString: return
        default: throw .wrongType
        }
    }

    private static func bytes(of value: ReplayValue) throws(CommandRefusal) -> Bytes {
        switch value {
        case .string(let s): return s
        case .longString(let long):
            do { return try long.bytes() } catch { throw CommandRefusal(error) }
        default: throw .wrongType
        }
    }

    /// Changes a string in place, keeping its TTL; a missing key starts empty when `create`.
    /// The keyspace spills the result again if it is long.
    func modifyString(_ key: Bytes, create: Bool, _ body: (inout Bytes) throws(CommandRefusal) -> Void) throws(CommandRefusal) {
        try modify(key) { (entry) throws(CommandRefusal) in
            guard var current = entry ?? (create ? Keyspace.Entry(value: .string([]), expireAtMs: nil) : nil) else { return }
            var s = try Self.bytes(of: current.value)
            // Drop the entry's reference first, so that `body` changes the only copy.
            current.value = .string([])
            try body(&s)
            current.value = .string(s)
            entry = current
        }
    }

    /// A string argument as a value: a spilled one (`ReplayEngine.spilled`) as it is.
    func stringArgument(_ a: [Bytes], _ index: Int) -> ReplayValue {
        spilled[index].map { .longString($0) } ?? .string(a[index])
    }

    /// The arguments a handler stores as values, which may stay spilled: every other spilled
    /// argument (a key, an option) is read back whole before the handler runs.
    static func takesSpilled(_ name: String, _ index: Int) -> Bool {
        switch name {
        case "set", "setnx", "getset", "append": return index == 2
        case "setex", "psetex": return index == 3
        case "mset", "msetnx": return index >= 2 && index % 2 == 0
        default: return false
        }
    }

    /// APPEND key value: a result longer than `ReplayValue.longStringThreshold` is built on
    /// disk, appended to where it already is (a spilled value is never shared: COPY copies it).
    func append(_ key: Bytes, _ tail: ReplayValue) throws(CommandRefusal) {
        try modify(key) { (entry) throws(CommandRefusal) in
            var current = entry ?? Keyspace.Entry(value: .string([]), expireAtMs: nil)
            let count: Int
            switch current.value {
            case .string(let s): count = s.count
            case .longString(let long): count = long.count
            default: throw .wrongType
            }
            guard count + tail.stringCount <= Self.maximumStringLength else {
                throw CommandRefusal(reason: "string exceeds maximum allowed size")
            }
            let value = current.value
            current.value = .string([])
            if case .string(var s) = value, case .string(let t) = tail, s.count + t.count <= ReplayValue.longStringThreshold {
                s += t
                current.value = .string(s)
            } else {
                let long: SpilledString
                if case .longString(let l) = value { long = l } else { long = SpilledString() }
                do throws(RDBError) {
                    if case .string(let s) = value { try long.append(s) }
                    switch tail {
                    case .longString(let t): try long.append(t)
                    case .string(let t): try long.append(t)
                    default: break  // `stringArgument` gives strings only
                    }
                } catch {
                    throw CommandRefusal(error)
                }
                current.value = .longString(long)
            }
            entry = current
        }
    }

    /// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] (setGenericCommand).
    private func set(_ a: [Bytes]) throws(CommandRefusal) {
        var nx = false, xx = false, get = false, keepTTL = false
        var expireAt: Int64?
        var i = 3
        while i < a.count {
            let option = word(a[i])
            switch option {
            case "nx": nx = true
            case "xx": xx = true
            case "get": get = true
            case "keepttl": keepTTL = true
            case "ex", "px", "exat", "pxat":
                guard i + 1 < a.count, expireAt == nil else { throw .syntax }
                let amount = try argInteger(a[i + 1])
                guard amount > 0 else { throw CommandRefusal(reason: "invalid expire time in 'set' command") }
                let unit: Int64 = option.hasPrefix("p") ? 1 : 1000
                let (ms, overflow) = amount.multipliedReportingOverflow(by: unit)
                let (when, overflow2) = ms.addingReportingOverflow(option.hasSuffix("at") ? 0 : now)
                guard !overflow && !overflow2 else { throw CommandRefusal(reason: "invalid expire time in 'set' command") }
                expireAt = when
                i += 1
            default: throw .syntax
            }
            i += 1
        }
        if nx && xx || keepTTL && expireAt != nil { throw .syntax }
        if get { try checkString(a[1]) }
        let present = exists(a[1])
        if nx && present || xx && !present { return }
        store(a[1], stringArgument(a, 2), keepTTL: keepTTL)
        if let expireAt { keyspace[db, a[1]]?.expireAtMs = expireAt }
    }

    private func setWithExpiry(_ key: Bytes, _ value: ReplayValue, amount: Bytes, unit: Int64) throws(CommandRefusal) {
        let n = try argInteger(amount)
        guard n > 0 else { throw CommandRefusal(reason: "invalid expire time") }
        let (ms, overflow) = n.multipliedReportingOverflow(by: unit)
        let (when, overflow2) = ms.addingReportingOverflow(now)
        guard !overflow && !overflow2 else { throw CommandRefusal(reason: "invalid expire time") }
        store(key, value)
        keyspace[db, key]?.expireAtMs = when
    }

    /// GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST].
    private func getex(_ a: [Bytes]) throws(CommandRefusal) {
        var expireAt: Int64?, persist = false
        var i = 2
        while i < a.count {
            let option = word(a[i])
            switch option {
            case "persist": persist = true
            case "ex", "px", "exat", "pxat":
                guard i + 1 < a.count else { throw .syntax }
                let amount = try argInteger(a[i + 1])
                guard amount > 0 else { throw CommandRefusal(reason: "invalid expire time in 'getex' command") }
                let ms = amount.multipliedReportingOverflow(by: option.hasPrefix("p") ? 1 : 1000)
                let when = ms.partialValue.addingReportingOverflow(option.hasSuffix("at") ? 0 : now)
                guard !ms.overflow, !when.overflow else { throw CommandRefusal(reason: "invalid expire time in 'getex' command") }
                expireAt = when.partialValue
                i += 1
            default: throw .syntax
            }
            i += 1
        }
        guard exists(a[1]) else { return }
        try checkString(a[1])
        if persist { keyspace[db, a[1]]?.expireAtMs = nil }
        if let expireAt { keyspace[db, a[1]]?.expireAtMs = expireAt }
    }

    /// INCRBY and friends: the value must read as a 64-bit integer (string2ll) and not overflow.
    private func increment(_ key: Bytes, by delta: Int64) throws(CommandRefusal) {
        var current: Int64 = 0
        if let s = try string(key) { current = try argInteger(s) }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        guard !overflow else { throw CommandRefusal(reason: "increment or decrement would overflow") }
        try modifyString(key, create: true) { s throws(CommandRefusal) in s = text(String(sum)) }
    }

    /// BITOP AND|OR|XOR|NOT dest key... (bitopCommand): missing keys are empty strings, shorter
    /// ones padded with zeros; an empty result deletes the destination.
    private func bitop(_ a: [Bytes]) throws(CommandRefusal) {
        let op = word(a[1])
        guard ["and", "or", "xor", "not"].contains(op) else { throw .syntax }
        if op == "not" && a.count != 4 { throw CommandRefusal(reason: "BITOP NOT must be called with a single source key.") }
        var sources: [Bytes] = []
        for key in a.dropFirst(3) { sources.append(try string(key) ?? []) }
        let length = sources.map(\.count).max() ?? 0
        var result = [UInt8](repeating: 0, count: length)
        for i in 0..<length {
            var v: UInt8 = i < sources[0].count ? sources[0][i] : 0
            if op == "not" { v = ~v }
            for s in sources.dropFirst() {
                let b: UInt8 = i < s.count ? s[i] : 0
                switch op {
                case "and": v &= b
                case "or": v |= b
                default: v ^= b
                }
            }
            result[i] = v
        }
        if result.isEmpty { _ = delete(a[2]) } else { store(a[2], .string(result)) }
    }
}
