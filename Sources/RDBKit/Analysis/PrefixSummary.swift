/// Key prefixes by count and memory in bounded memory: the Space-Saving algorithm (Metwally et
/// al.) keeps at most `capacity` prefixes; when a new one arrives with the table full it replaces
/// the least counted and inherits its count. Every prefix seen more than (keys / capacity) times
/// is kept, and no count is over by more than the replaced count (reported as the error bound).
///
/// The entries form a binary min-heap on their count (with each prefix's heap position in a
/// dictionary), so finding the least counted is O(1) and every key costs O(log capacity): the
/// pass stays linear in the key count however many distinct prefixes arrive.
public struct PrefixSummary: MinHeap {
    public struct Entry: Sendable {
        public var prefix: Bytes
        public var keys: Int
        public var memory: Int64
        /// How much of `keys` may belong to prefixes this one replaced.
        public var overcount: Int
    }

    let capacity: Int
    private var heap: [Entry] = []
    private var position: [Bytes: Int] = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The prefix of `key`: the bytes before the first `separator`; nil when the key has none
    /// (a key without a separator belongs to no prefix).
    static func prefix(of key: Bytes, separator: Bytes) -> ArraySlice<UInt8>? {
        guard let first = separator.first, key.count >= separator.count else { return nil }
        var i = 0
        let last = key.count - separator.count
        while i <= last {
            if key[i] == first && key[i..<(i + separator.count)].elementsEqual(separator) { return key[..<i] }
            i += 1
        }
        return nil
    }

    mutating func add(_ prefix: Bytes, memory: Int64) {
        if let at = position[prefix] {
            heap[at].keys += 1
            heap[at].memory += memory
            siftDown(at)
            return
        }
        if heap.count < capacity {
            heap.append(Entry(prefix: prefix, keys: 1, memory: memory, overcount: 0))
            position[prefix] = heap.count - 1
            siftUp(heap.count - 1)
            return
        }
        let victim = heap[0]
        position[victim.prefix] = nil
        heap[0] = Entry(prefix: prefix, keys: victim.keys + 1, memory: victim.memory + memory, overcount: victim.keys)
        position[prefix] = 0
        siftDown(0)
    }

    /// The `n` prefixes with most keys, and the largest overcount among all kept.
    func top(_ n: Int) -> ([Entry], Int) {
        (Array(heap.sorted { $0.keys != $1.keys ? $0.keys > $1.keys : $0.memory > $1.memory }.prefix(n)),
         heap.map(\.overcount).max() ?? 0)
    }

    var heapCount: Int { heap.count }
    func heapLess(_ a: Int, _ b: Int) -> Bool { heap[a].keys < heap[b].keys }

    mutating func heapSwap(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        position[heap[a].prefix] = a
        position[heap[b].prefix] = b
    }
}
