/// Sorted-set commands (t_zset.c): ZADD with every flag, ZINCRBY, ZREM, ZREMRANGEBY*, the pops,
/// and the *STORE forms with WEIGHTS/AGGREGATE, ZRANGESTORE.
extension ReplayEngine {
    static let sortedSetHandlers: [String: Handler] = [
        "zadd": { e, a throws(CommandRefusal) in try e.zadd(a) },
        "zincrby": { e, a throws(CommandRefusal) in
            let by = try argDouble(a[2])
            try e.modifyZSet(a[1], create: true) { z throws(CommandRefusal) in
                let sum = (z[a[3]] ?? 0) + by
                guard !sum.isNaN else { throw CommandRefusal(reason: "resulting score is not a number (NaN)") }
                z[a[3]] = sum
            }
        },
        "zrem": { e, a throws(CommandRefusal) in
            try e.modifyZSet(a[1], create: false) { z throws(CommandRefusal) in for m in a.dropFirst(2) { z[m] = nil } }
        },
        "zremrangebyscore": { e, a throws(CommandRefusal) in
            let range = try ScoreRange(a[2], a[3])
            try e.modifyZSet(a[1], create: false) { z throws(CommandRefusal) in
                for (m, s) in z where range.contains(s) { z[m] = nil }
            }
        },
        "zremrangebylex": { e, a throws(CommandRefusal) in
            let range = try LexRange(a[2], a[3])
            try e.modifyZSet(a[1], create: false) { z throws(CommandRefusal) in
                for m in range.run(in: sortedMembers(z), reverse: false) { z[m.member] = nil }
            }
        },
        "zremrangebyrank": { e, a throws(CommandRefusal) in
            let start = try argInteger(a[2]), stop = try argInteger(a[3])
            try e.modifyZSet(a[1], create: false) { z throws(CommandRefusal) in
                guard let range = redisRange(start, stop, count: z.count) else { return }
                for m in sortedMembers(z)[range] { z[m.member] = nil }
            }
        },
        "zpopmin": { e, a throws(CommandRefusal) in try e.zpop(a[1], count: a.count > 2 ? try argInteger(a[2]) : 1, max: false) },
        "zpopmax": { e, a throws(CommandRefusal) in try e.zpop(a[1], count: a.count > 2 ? try argInteger(a[2]) : 1, max: true) },
        "bzpopmin": { e, a throws(CommandRefusal) in try e.blockingZPop(Array(a[1..<(a.count - 1)]), max: false) },
        "bzpopmax": { e, a throws(CommandRefusal) in try e.blockingZPop(Array(a[1..<(a.count - 1)]), max: true) },
        "zmpop": { e, a throws(CommandRefusal) in try e.zmpop(Array(a.dropFirst())) },
        "bzmpop": { e, a throws(CommandRefusal) in try e.zmpop(Array(a.dropFirst(2))) },
        "zunionstore": { e, a throws(CommandRefusal) in try e.zstore(a, operation: .union) },
        "zinterstore": { e, a throws(CommandRefusal) in try e.zstore(a, operation: .intersection) },
        "zdiffstore": { e, a throws(CommandRefusal) in try e.zstore(a, operation: .difference) },
        "zrangestore": { e, a throws(CommandRefusal) in try e.zrangestore(a) },
    ]

    func zset(_ key: Bytes) throws(CommandRefusal) -> [Bytes: Double]? { try value(key, \.zset) }

    func modifyZSet(_ key: Bytes, create: Bool, _ body: (inout [Bytes: Double]) throws(CommandRefusal) -> Void) throws(CommandRefusal) {
        try modifyValue(key, empty: create ? [:] : nil, \.zset, ReplayValue.zset, body)
    }

    /// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member... (zaddGenericCommand).
    private func zadd(_ a: [Bytes]) throws(CommandRefusal) {
        var nx = false, xx = false, gt = false, lt = false, incr = false
        var i = 2
        scan: while i < a.count {
            switch word(a[i]) {
            case "nx": nx = true
            case "xx": xx = true
            case "gt": gt = true
            case "lt": lt = true
            case "ch": break
            case "incr": incr = true
            default: break scan
            }
            i += 1
        }
        let pairs = a.count - i
        guard pairs > 0, pairs % 2 == 0 else { throw .syntax }
        if nx && xx { throw CommandRefusal(reason: "XX and NX options at the same time are not compatible") }
        if gt && lt || (gt || lt) && nx { throw CommandRefusal(reason: "GT, LT, and/or NX options at the same time are not compatible") }
        if incr && pairs > 2 { throw CommandRefusal(reason: "INCR option supports a single increment-element pair") }
        var updates: [(Double, Bytes)] = []
        for p in stride(from: i, to: a.count, by: 2) { updates.append((try argDouble(a[p]), a[p + 1])) }
        try modifyZSet(a[1], create: !xx) { z throws(CommandRefusal) in
            for (score, member) in updates {
                if let current = z[member] {
                    if nx { continue }
                    var new = score
                    if incr {
                        new = current + score
                        guard !new.isNaN else { throw CommandRefusal(reason: "resulting score is not a number (NaN)") }
                    }
                    if gt && new <= current || lt && new >= current { continue }
                    z[member] = new
                } else {
                    if xx { continue }
                    z[member] = score
                }
            }
        }
    }

    private func zpop(_ key: Bytes, count: Int64, max: Bool) throws(CommandRefusal) {
        guard count >= 0 else { throw CommandRefusal(reason: "value is out of range, must be positive") }
        try modifyZSet(key, create: false) { z throws(CommandRefusal) in
            let ordered = sortedMembers(z)
            let chosen = max ? ordered.suffix(Int(min(count, Int64(ordered.count)))) : ordered.prefix(Int(min(count, Int64(ordered.count))))
            for m in chosen { z[m.member] = nil }
        }
    }

    private func blockingZPop(_ keys: [Bytes], max: Bool) throws(CommandRefusal) {
        for key in keys where try zset(key) != nil {
            try zpop(key, count: 1, max: max)
            return
        }
    }

    /// ZMPOP numkeys key... MIN|MAX [COUNT n].
    private func zmpop(_ a: [Bytes]) throws(CommandRefusal) {
        let n = try argInteger(a[0])
        guard n > 0, n < Int64(a.count) - 1 else { throw CommandRefusal(reason: "numkeys should be greater than 0") }
        let keys = Array(a[1...Int(n)])
        let which = word(a[Int(n) + 1])
        guard which == "min" || which == "max" else { throw .syntax }
        var count: Int64 = 1
        if Int(n) + 3 < a.count, word(a[Int(n) + 2]) == "count" {
            count = try argInteger(a[Int(n) + 3])
            guard count > 0 else { throw CommandRefusal(reason: "count should be greater than 0") }
        }
        for key in keys where try zset(key) != nil {
            try zpop(key, count: count, max: which == "max")
            return
        }
    }

    enum SetOperation { case union, intersection, difference }

    /// ZUNIONSTORE / ZINTERSTORE dest numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX],
    /// ZDIFFSTORE dest numkeys key... (zunionInterDiffGenericCommand). Sets count as zsets of
    /// score 1; a weighted sum that is NaN (inf - inf) becomes 0, as zunionInterAggregate does.
    private func zstore(_ a: [Bytes], operation: SetOperation) throws(CommandRefusal) {
        let n = try argInteger(a[2])
        guard n > 0, n <= Int64(a.count - 3) else { throw CommandRefusal(reason: "at least 1 input key is needed") }
        let keys = Array(a[3..<(3 + Int(n))])
        var weights = [Double](repeating: 1, count: keys.count)
        var aggregate = "sum"
        var i = 3 + Int(n)
        while i < a.count {
            switch word(a[i]) {
            case "weights" where operation != .difference && i + keys.count < a.count:
                for k in 0..<keys.count {
                    guard let w = parseDoubleArgument(a[i + 1 + k]) else { throw CommandRefusal(reason: "weight value is not a float") }
                    weights[k] = w
                }
                i += keys.count
            case "aggregate" where operation != .difference && i + 1 < a.count:
                aggregate = word(a[i + 1])
                guard ["sum", "min", "max"].contains(aggregate) else { throw .syntax }
                i += 1
            default: throw .syntax
            }
            i += 1
        }
        var inputs: [[Bytes: Double]] = []
        for key in keys {
            guard let entry = entry(key) else { inputs.append([:]); continue }
            switch entry.value {
            case .zset(let z): inputs.append(z)
            case .set(let s): inputs.append(Dictionary(uniqueKeysWithValues: s.map { ($0, 1.0) }))
            default: throw .wrongType
            }
        }
        func combine(_ x: Double, _ y: Double) -> Double {
            switch aggregate {
            case "min": return min(x, y)
            case "max": return max(x, y)
            default:
                let s = x + y
                return s.isNaN ? 0 : s
            }
        }
        func weighted(_ score: Double, _ w: Double) -> Double {
            let v = score * w
            return v.isNaN ? 0 : v
        }
        var result: [Bytes: Double] = [:]
        switch operation {
        case .union:
            for (k, z) in inputs.enumerated() {
                for (m, s) in z {
                    let v = weighted(s, weights[k])
                    result[m] = result[m].map { combine($0, v) } ?? v
                }
            }
        case .intersection:
            let smallest = inputs.min { $0.count < $1.count } ?? [:]
            for m in smallest.keys {
                var acc: Double?
                var inAll = true
                for (k, z) in inputs.enumerated() {
                    guard let s = z[m] else { inAll = false; break }
                    let v = weighted(s, weights[k])
                    acc = acc.map { combine($0, v) } ?? v
                }
                if inAll, let acc { result[m] = acc }
            }
        case .difference:
            result = inputs[0]
            for z in inputs.dropFirst() { for m in z.keys { result[m] = nil } }
        }
        if result.isEmpty { _ = delete(a[1]) } else { store(a[1], .zset(result)) }
    }

    /// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count].
    private func zrangestore(_ a: [Bytes]) throws(CommandRefusal) {
        var byScore = false, byLex = false, reverse = false
        var offset: Int64 = 0, limit: Int64 = -1
        var i = 5
        while i < a.count {
            switch word(a[i]) {
            case "byscore": byScore = true
            case "bylex": byLex = true
            case "rev": reverse = true
            case "limit" where i + 2 < a.count:
                offset = try argInteger(a[i + 1])
                limit = try argInteger(a[i + 2])
                i += 2
            default: throw .syntax
            }
            i += 1
        }
        if byScore && byLex { throw .syntax }
        let source = try zset(a[2]) ?? [:]
        var ordered = sortedMembers(source)
        if reverse { ordered.reverse() }
        var chosen: [(member: Bytes, score: Double)]
        let (low, high) = reverse ? (a[4], a[3]) : (a[3], a[4])
        if byScore {
            let range = try ScoreRange(low, high)
            chosen = ordered.filter { range.contains($0.score) }
        } else if byLex {
            chosen = try LexRange(low, high).run(in: ordered, reverse: reverse)
        } else {
            if offset != 0 || limit != -1 { throw CommandRefusal(reason: "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX") }
            chosen = redisRange(try argInteger(a[3]), try argInteger(a[4]), count: ordered.count).map { Array(ordered[$0]) } ?? []
        }
        if byScore || byLex {
            if offset < 0 { chosen = [] } else { chosen = Array(chosen.dropFirst(Int(min(offset, Int64(chosen.count))))) }
            if limit >= 0 { chosen = Array(chosen.prefix(Int(min(limit, Int64(chosen.count))))) }
        }
        let result = Dictionary(chosen.map { ($0.member, $0.score) }, uniquingKeysWith: { a, _ in a })
        if result.isEmpty { _ = delete(a[1]) } else { store(a[1], .zset(result)) }
    }
}

/// `min max` of ZRANGEBYSCORE: `(` excludes, `-inf`/`+inf` (zslParseRange).
struct ScoreRange {
    var min: Double, max: Double, minExclusive: Bool, maxExclusive: Bool

    init(_ low: Bytes, _ high: Bytes) throws(CommandRefusal) {
        (min, minExclusive) = try Self.bound(low)
        (max, maxExclusive) = try Self.bound(high)
    }

    private static func bound(_ b: Bytes) throws(CommandRefusal) -> (Double, Bool) {
        if b.first == UInt8(ascii: "(") {
            guard let v = parseDoubleArgument(Array(b.dropFirst())) else { throw CommandRefusal(reason: "min or max is not a float") }
            return (v, true)
        }
        guard let v = parseDoubleArgument(b) else { throw CommandRefusal(reason: "min or max is not a float") }
        return (v, false)
    }

    func contains(_ s: Double) -> Bool {
        (minExclusive ? s > min : s >= min) && (maxExclusive ? s < max : s <= max)
    }
}

/// `min max` of ZRANGEBYLEX: `[` includes, `(` excludes, `-` and `+` are the ends (zslParseLexRange).
struct LexRange {
    enum Bound { case minusInfinity, plusInfinity, inclusive(Bytes), exclusive(Bytes) }
    var low: Bound, high: Bound

    init(_ low: Bytes, _ high: Bytes) throws(CommandRefusal) {
        self.low = try Self.bound(low)
        self.high = try Self.bound(high)
    }

    private static func bound(_ b: Bytes) throws(CommandRefusal) -> Bound {
        switch b.first {
        case UInt8(ascii: "-") where b.count == 1: return .minusInfinity
        case UInt8(ascii: "+") where b.count == 1: return .plusInfinity
        case UInt8(ascii: "["): return .inclusive(Array(b.dropFirst()))
        case UInt8(ascii: "("): return .exclusive(Array(b.dropFirst()))
        default: throw CommandRefusal(reason: "min or max not valid string range item")
        }
    }

    /// The members a lex range selects in zset order (zzlFirstInLexRange / zzlLastInLexRange):
    /// from the first one past the near end, while they stay within the far end. Lex ranges are
    /// meant for members of equal scores; with mixed scores this is what a listpack-encoded zset
    /// gives (a skiplist's answer then depends on its random levels).
    func run(in ordered: [(member: Bytes, score: Double)], reverse: Bool) -> [(member: Bytes, score: Double)] {
        var out: [(member: Bytes, score: Double)] = []
        if reverse {
            // `ordered` is already reversed: start at the first member not above the high end.
            guard let start = ordered.firstIndex(where: { belowHigh($0.member) }), aboveLow(ordered[start].member) else { return [] }
            for m in ordered[start...] {
                guard aboveLow(m.member) else { break }
                out.append(m)
            }
        } else {
            guard let start = ordered.firstIndex(where: { aboveLow($0.member) }), belowHigh(ordered[start].member) else { return [] }
            for m in ordered[start...] {
                guard belowHigh(m.member) else { break }
                out.append(m)
            }
        }
        return out
    }

    private func aboveLow(_ m: Bytes) -> Bool {
        let aboveLow: Bool
        switch low {
        case .minusInfinity: aboveLow = true
        case .plusInfinity: aboveLow = false
        case .inclusive(let v): aboveLow = !m.lexicographicallyPrecedes(v)
        case .exclusive(let v): aboveLow = v.lexicographicallyPrecedes(m)
        }
        return aboveLow
    }

    private func belowHigh(_ m: Bytes) -> Bool {
        let belowHigh: Bool
        switch high {
        case .minusInfinity: belowHigh = false
        case .plusInfinity: belowHigh = true
        case .inclusive(let v): belowHigh = !v.lexicographicallyPrecedes(m)
        case .exclusive(let v): belowHigh = m.lexicographicallyPrecedes(v)
        }
        return belowHigh
    }
}
