/// List commands (t_list.c): pushes, pops (with counts, and the blocking forms as they run when
/// data is there), LINSERT, LSET, LREM, LTRIM, LMOVE and RPOPLPUSH, LMPOP.
extension ReplayEngine {
    static let listHandlers: [String: Handler] = [
        "lpush": { e, a throws(CommandRefusal) in try e.push(a[1], a.dropFirst(2), left: true, onlyIfExists: false) },
        "rpush": { e, a throws(CommandRefusal) in try e.push(a[1], a.dropFirst(2), left: false, onlyIfExists: false) },
        "lpushx": { e, a throws(CommandRefusal) in try e.push(a[1], a.dropFirst(2), left: true, onlyIfExists: true) },
        "rpushx": { e, a throws(CommandRefusal) in try e.push(a[1], a.dropFirst(2), left: false, onlyIfExists: true) },
        "lpop": { e, a throws(CommandRefusal) in try e.pop(a, left: true) },
        "rpop": { e, a throws(CommandRefusal) in try e.pop(a, left: false) },
        "blpop": { e, a throws(CommandRefusal) in try e.blockingPop(Array(a[1..<(a.count - 1)]), left: true) },
        "brpop": { e, a throws(CommandRefusal) in try e.blockingPop(Array(a[1..<(a.count - 1)]), left: false) },
        "lmpop": { e, a throws(CommandRefusal) in try e.multiPop(Array(a.dropFirst())) },
        "blmpop": { e, a throws(CommandRefusal) in try e.multiPop(Array(a.dropFirst(2))) },
        "rpoplpush": { e, a throws(CommandRefusal) in try e.move(a[1], a[2], fromLeft: false, toLeft: true) },
        "brpoplpush": { e, a throws(CommandRefusal) in try e.move(a[1], a[2], fromLeft: false, toLeft: true) },
        "lmove": { e, a throws(CommandRefusal) in try e.move(a[1], a[2], fromLeft: try side(a[3]), toLeft: try side(a[4])) },
        "blmove": { e, a throws(CommandRefusal) in try e.move(a[1], a[2], fromLeft: try side(a[3]), toLeft: try side(a[4])) },
        "linsert": { e, a throws(CommandRefusal) in
            let where_ = word(a[2])
            guard where_ == "before" || where_ == "after" else { throw .syntax }
            try e.modifyList(a[1]) { l throws(CommandRefusal) in
                var elements = l.elements
                guard let at = elements.firstIndex(of: a[3]) else { return }
                elements.insert(a[4], at: where_ == "before" ? at : at + 1)
                l.replace(with: elements)
            }
        },
        "lset": { e, a throws(CommandRefusal) in
            let index = try argInteger(a[2])
            guard e.exists(a[1]) else { throw .noSuchKey }
            try e.modifyList(a[1]) { l throws(CommandRefusal) in
                let i = index < 0 ? Int64(l.count) + index : index
                guard i >= 0, i < Int64(l.count) else { throw CommandRefusal(reason: "index out of range") }
                l[Int(i)] = a[3]
            }
        },
        "lrem": { e, a throws(CommandRefusal) in
            let count = try argInteger(a[2])
            try e.modifyList(a[1]) { l throws(CommandRefusal) in
                var elements = l.elements
                var left = count == 0 ? UInt64.max : count.magnitude
                if count >= 0 {
                    var i = 0
                    while i < elements.count && left > 0 {
                        if elements[i] == a[3] { elements.remove(at: i); left -= 1 } else { i += 1 }
                    }
                } else {
                    var i = elements.count - 1
                    while i >= 0 && left > 0 {
                        if elements[i] == a[3] { elements.remove(at: i); left -= 1 }
                        i -= 1
                    }
                }
                l.replace(with: elements)
            }
        },
        "ltrim": { e, a throws(CommandRefusal) in
            let start = try argInteger(a[2]), stop = try argInteger(a[3])
            try e.modifyList(a[1]) { l throws(CommandRefusal) in
                guard let range = redisRange(start, stop, count: l.count) else {
                    l.replace(with: [])
                    return
                }
                l.replace(with: Array(l.elements[range]))
            }
        },
    ]

    private static func side(_ b: Bytes) throws(CommandRefusal) -> Bool {
        switch word(b) {
        case "left": return true
        case "right": return false
        default: throw .syntax
        }
    }

    /// A list key changed in place (nil-safe: a missing key is left alone).
    func modifyList(_ key: Bytes, _ body: (inout ListDeque) throws(CommandRefusal) -> Void) throws(CommandRefusal) {
        try modifyValue(key, empty: nil, \.list, ReplayValue.list, body)
    }

    private func push(_ key: Bytes, _ elements: ArraySlice<Bytes>, left: Bool, onlyIfExists: Bool) throws(CommandRefusal) {
        try modify(key) { (entry) throws(CommandRefusal) in
            var current = entry ?? Keyspace.Entry(value: .list(ListDeque([])), expireAtMs: nil)
            if entry == nil && onlyIfExists { return }
            guard case .list(var l) = current.value else { throw .wrongType }
            current.value = .string([])
            for element in elements { if left { l.prepend(element) } else { l.append(element) } }
            current.value = .list(l)
            entry = current
        }
    }

    /// LPOP/RPOP key [count]: a count of 0 pops nothing; a negative one is refused.
    private func pop(_ a: [Bytes], left: Bool) throws(CommandRefusal) {
        var count: Int64 = 1
        if a.count > 2 {
            count = try argInteger(a[2])
            guard count >= 0 else { throw CommandRefusal(reason: "value is out of range, must be positive") }
        }
        try modifyList(a[1]) { l throws(CommandRefusal) in
            for _ in 0..<min(count, Int64(l.count)) { _ = left ? l.removeFirst() : l.removeLast() }
        }
    }

    /// BLPOP/BRPOP as they run when data is there: one element from the first non-empty list.
    private func blockingPop(_ keys: [Bytes], left: Bool) throws(CommandRefusal) {
        for key in keys {
            guard let entry = entry(key) else { continue }
            guard case .list = entry.value else { throw .wrongType }
            try modifyList(key) { l throws(CommandRefusal) in _ = left ? l.removeFirst() : l.removeLast() }
            return
        }
    }

    /// LMPOP numkeys key... LEFT|RIGHT [COUNT n].
    private func multiPop(_ a: [Bytes]) throws(CommandRefusal) {
        let n = try argInteger(a[0])
        guard n > 0, n < Int64(a.count) else { throw CommandRefusal(reason: "numkeys should be greater than 0") }
        let keys = Array(a[1...Int(n)])
        var i = Int(n) + 1
        guard i < a.count else { throw .syntax }
        let left = try Self.side(a[i])
        i += 1
        var count: Int64 = 1
        if i + 1 < a.count, word(a[i]) == "count" {
            count = try argInteger(a[i + 1])
            guard count > 0 else { throw CommandRefusal(reason: "count should be greater than 0") }
        }
        for key in keys {
            guard let entry = entry(key) else { continue }
            guard case .list = entry.value else { throw .wrongType }
            try modifyList(key) { l throws(CommandRefusal) in
                for _ in 0..<min(count, Int64(l.count)) { _ = left ? l.removeFirst() : l.removeLast() }
            }
            return
        }
    }

    /// LMOVE / RPOPLPUSH: the destination is checked for its type before anything moves.
    private func move(_ source: Bytes, _ destination: Bytes, fromLeft: Bool, toLeft: Bool) throws(CommandRefusal) {
        guard try value(source, \.list) != nil else { return }
        _ = try value(destination, \.list)
        var element: Bytes = []
        try modifyList(source) { l throws(CommandRefusal) in element = fromLeft ? l.removeFirst() : l.removeLast() }
        try push(destination, [element][...], left: toLeft, onlyIfExists: false)
    }
}

/// Redis's start/stop indexes (negative from the end, clamped): nil when the range is empty.
func redisRange(_ start: Int64, _ stop: Int64, count: Int) -> Range<Int>? {
    let n = Int64(count)
    var s = start < 0 ? n + start : start
    var e = stop < 0 ? n + stop : stop
    if s < 0 { s = 0 }
    if s > e || s >= n { return nil }
    if e >= n { e = n - 1 }
    return Int(s)..<Int(e + 1)
}
