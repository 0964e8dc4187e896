/// Key prefixes by count and memory in bounded memory: the Space-Saving algorithm (Metwally et
/// al.) keeps at most `capacity` prefixes; when a new one arrives with the table full it replaces
/// the least counted and inherits its count. Every prefix seen more than (keys / capacity) times
/// is kept, and no count is over by more than the replaced count (reported as the error bound).
public struct PrefixSummary {
    public struct Entry: Sendable {
        public var prefix: Bytes
        public var keys: Int
        public var memory: Int64
        /// How much of `keys` may belong to prefixes this one replaced.
        public var overcount: Int
    }

    let capacity: Int
    private var entries: [Bytes: Entry] = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    mutating func add(_ prefix: Bytes, memory: Int64) {
        if entries[prefix] != nil {
            entries[prefix]!.keys += 1
            entries[prefix]!.memory += memory
            return
        }
        if entries.count < capacity {
            entries[prefix] = Entry(prefix: prefix, keys: 1, memory: memory, overcount: 0)
            return
        }
        // Linear in the capacity, but only when a new prefix meets a full table.
        let victim = entries.values.min { $0.keys < $1.keys }!
        entries[victim.prefix] = nil
        entries[prefix] = Entry(prefix: prefix, keys: victim.keys + 1, memory: victim.memory + memory, overcount: victim.keys)
    }

    /// The `n` prefixes with most keys, and the largest overcount among all kept.
    func top(_ n: Int) -> ([Entry], Int) {
        (Array(entries.values.sorted { $0.keys != $1.keys ? $0.keys > $1.keys : $0.memory > $1.memory }.prefix(n)),
         entries.values.map(\.overcount).max() ?? 0)
    }
}
