#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Key prefixes by count and memory in bounded memory: the Space-Saving algorithm (Metwally et
/// al.) keeps at most `capacity` prefixes; when a new one arrives with the table full it replaces
/// the least counted and inherits its count. Every prefix seen more than (keys / capacity) times
/// is kept, and no count is over by more than the replaced count (reported as the error bound).
///
/// The entries stay where they were put; a binary min-heap of their indices orders them by count
/// (with each entry's heap position beside it), so finding the least counted is O(1) and every key
/// costs one dictionary lookup by a borrowed view of its prefix (no copy unless it is new) and
/// O(log capacity) index swaps: the pass stays linear in the key count however many distinct
/// prefixes arrive.
public struct PrefixSummary: MinHeap {
    public struct Entry: Sendable {
        public var prefix: Bytes
        public var keys: Int
        public var memory: Int64
        /// How much of `keys` may belong to prefixes this one replaced.
        public var overcount: Int
    }

    let capacity: Int
    private var entries: [Entry] = []
    private var heap: [Int] = []
    private var heapPosition: [Int] = []
    private var slots: [PrefixKey: Int] = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The prefix of `key`: the bytes before the first `separator`; nil when the key has none
    /// (a key without a separator belongs to no prefix).
    static func prefix(of key: UnsafeRawBufferPointer, separator: Bytes) -> UnsafeRawBufferPointer? {
        guard let first = separator.first, key.count >= separator.count else { return nil }
        return separator.withUnsafeBytes { sep -> UnsafeRawBufferPointer? in
            var i = 0
            let last = key.count - sep.count
            while i <= last {
                if key[i] == first && memcmp(key.baseAddress! + i, sep.baseAddress!, sep.count) == 0 {
                    return UnsafeRawBufferPointer(rebasing: key[..<i])
                }
                i += 1
            }
            return nil
        }
    }

    mutating func add(_ prefix: UnsafeRawBufferPointer, memory: Int64) {
        if let slot = slots[PrefixKey(borrowing: prefix)] {
            entries[slot].keys += 1
            entries[slot].memory += memory
            siftDown(heapPosition[slot])
            return
        }
        let owned = [UInt8](prefix)
        if entries.count < capacity {
            entries.append(Entry(prefix: owned, keys: 1, memory: memory, overcount: 0))
            heap.append(entries.count - 1)
            heapPosition.append(heap.count - 1)
            slots[PrefixKey(owning: owned)] = entries.count - 1
            siftUp(heap.count - 1)
            return
        }
        let slot = heap[0]
        let victim = entries[slot]
        slots[PrefixKey(owning: victim.prefix)] = nil
        entries[slot] = Entry(prefix: owned, keys: victim.keys + 1, memory: victim.memory + memory, overcount: victim.keys)
        slots[PrefixKey(owning: owned)] = slot
        siftDown(0)
    }

    /// The `n` prefixes with most keys (then most memory, then by their bytes), and the largest
    /// overcount among all kept.
    func top(_ n: Int) -> ([Entry], Int) {
        let ordered = entries.sorted {
            $0.keys != $1.keys ? $0.keys > $1.keys : $0.memory != $1.memory ? $0.memory > $1.memory
                : $0.prefix.lexicographicallyPrecedes($1.prefix)
        }
        return (Array(ordered.prefix(n)), entries.map(\.overcount).max() ?? 0)
    }

    var heapCount: Int { heap.count }
    func heapLess(_ a: Int, _ b: Int) -> Bool { entries[heap[a]].keys < entries[heap[b]].keys }

    mutating func heapSwap(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        heapPosition[heap[a]] = a
        heapPosition[heap[b]] = b
    }
}

/// A prefix as a dictionary key: stored as an owned copy, looked up by a borrowed view (which a
/// lookup never keeps), so a prefix already counted costs no allocation.
private struct PrefixKey: Hashable {
    private let owned: Bytes?
    private let borrowed: UnsafeRawBufferPointer?

    init(owning bytes: Bytes) {
        owned = bytes
        borrowed = nil
    }

    init(borrowing bytes: UnsafeRawBufferPointer) {
        owned = nil
        borrowed = bytes
    }

    private func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let owned { return owned.withUnsafeBytes(body) }
        return body(borrowed!)
    }

    func hash(into hasher: inout Hasher) {
        withBytes { hasher.combine(bytes: $0) }
    }

    static func == (a: PrefixKey, b: PrefixKey) -> Bool {
        a.withBytes { x in
            b.withBytes { y in
                x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
    }
}
