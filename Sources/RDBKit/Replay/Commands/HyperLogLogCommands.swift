/// PFADD, PFMERGE and PFCOUNT (hyperloglog.c), byte for byte through `HyperLogLog`. PFCOUNT is
/// in an AOF because refreshing a stale cached count changes the string; over several keys it
/// merges into a temporary and changes nothing.
extension ReplayEngine {
    static let hyperLogLogHandlers: [String: Handler] = [
        "pfadd": { e, a throws(CommandRefusal) in
            let existing = try e.string(a[1])
            guard let result = try? HyperLogLog.add(to: existing, elements: Array(a.dropFirst(2))) else { throw invalidHLL }
            if result.changed {
                try e.modifyString(a[1], create: true) { s throws(CommandRefusal) in s = result.value }
            }
        },
        "pfmerge": { e, a throws(CommandRefusal) in
            let destination = try e.string(a[1])
            var sources: [Bytes?] = []
            for key in a.dropFirst(2) { sources.append(try e.string(key)) }
            guard let merged = try? HyperLogLog.merge(destination: destination, sources: sources) else { throw invalidHLL }
            try e.modifyString(a[1], create: true) { s throws(CommandRefusal) in s = merged }
        },
        "pfcount": { e, a throws(CommandRefusal) in
            guard a.count == 2 else {
                for key in a.dropFirst() { _ = try e.string(key) }
                return
            }
            let existing = try e.string(a[1])
            guard let result = try? HyperLogLog.count(existing) else { throw invalidHLL }
            if let value = result.value, value != existing {
                try e.modifyString(a[1], create: false) { s throws(CommandRefusal) in s = value }
            }
        },
    ]

    private static var invalidHLL: CommandRefusal {
        CommandRefusal(reason: "INVALIDOBJ Corrupted HLL object detected")
    }
}
