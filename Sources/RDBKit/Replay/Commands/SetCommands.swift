/// Set commands (t_set.c): SADD, SREM, SMOVE, the *STORE forms; SPOP only where it is
/// deterministic (Redis propagates it as SREM, so an AOF holds it only from very old servers).
extension ReplayEngine {
    static let setHandlers: [String: Handler] = [
        "sadd": { e, a throws(CommandRefusal) in
            try e.modifySet(a[1], create: true) { s throws(CommandRefusal) in for m in a.dropFirst(2) { s.insert(m) } }
        },
        "srem": { e, a throws(CommandRefusal) in
            try e.modifySet(a[1], create: false) { s throws(CommandRefusal) in for m in a.dropFirst(2) { s.remove(m) } }
        },
        "smove": { e, a throws(CommandRefusal) in
            guard let source = try e.set(a[1]) else { return }
            _ = try e.set(a[2])
            guard source.contains(a[3]) else { return }
            if a[1] == a[2] { return }
            try e.modifySet(a[1], create: false) { s throws(CommandRefusal) in s.remove(a[3]) }
            try e.modifySet(a[2], create: true) { s throws(CommandRefusal) in s.insert(a[3]) }
        },
        "spop": { e, a throws(CommandRefusal) in
            guard let members = try e.set(a[1]) else { return }
            let count = a.count > 2 ? try argInteger(a[2]) : 1
            guard count >= 0 else { throw CommandRefusal(reason: "value is out of range, must be positive") }
            // Popping everything (or nothing) is the only outcome that does not depend on chance.
            if count == 0 { return }
            guard count >= members.count else { throw ReplayEngine.cannotReplay("SPOP of a random member (Redis 3.2+ writes it as SREM)") }
            _ = e.delete(a[1])
        },
        "sinterstore": { e, a throws(CommandRefusal) in try e.storeSetAlgebra(a, combine: { $0.intersection($1) }) },
        "sunionstore": { e, a throws(CommandRefusal) in try e.storeSetAlgebra(a, combine: { $0.union($1) }) },
        "sdiffstore": { e, a throws(CommandRefusal) in try e.storeSetAlgebra(a, combine: { $0.subtracting($1) }) },
    ]

    func set(_ key: Bytes) throws(CommandRefusal) -> Set<Bytes>? { try value(key, \.set) }

    func modifySet(_ key: Bytes, create: Bool, _ body: (inout Set<Bytes>) throws(CommandRefusal) -> Void) throws(CommandRefusal) {
        try modifyValue(key, empty: create ? [] : nil, \.set, ReplayValue.set, body)
    }

    /// SINTERSTORE / SUNIONSTORE / SDIFFSTORE dest key...: missing keys are empty sets; the
    /// destination is replaced (its TTL dropped), or deleted when the result is empty.
    private func storeSetAlgebra(_ a: [Bytes], combine: (Set<Bytes>, Set<Bytes>) -> Set<Bytes>) throws(CommandRefusal) {
        var sets: [Set<Bytes>] = []
        for key in a.dropFirst(2) { sets.append(try set(key) ?? []) }
        let result = sets.dropFirst().reduce(sets.first ?? []) { combine($0, $1) }
        if result.isEmpty { _ = delete(a[1]) } else { store(a[1], .set(result)) }
    }
}
