/// PFADD and PFMERGE (hyperloglog.c), byte for byte through `HyperLogLog`. PFCOUNT, which Redis
/// also writes to the AOF when it refreshes a stale cached count, is not replayed yet: its
/// cached value needs Redis's estimator, and replaying it as a no-op would change bytes.
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
    ]

    private static var invalidHLL: CommandRefusal {
        CommandRefusal(reason: "INVALIDOBJ Corrupted HLL object detected")
    }
}
