/// A list that grows and shrinks at both ends in O(1) (a ring buffer), for LPUSH/RPUSH/LPOP/RPOP
/// on lists of any length; the middle (LINSERT, LREM, LSET) costs what it costs in Redis, O(n).
struct ListDeque: Sendable, Equatable {
    private var storage: [Bytes?]
    private var head = 0
    private(set) var count = 0

    init<S: Sequence>(_ elements: S) where S.Element == Bytes {
        storage = elements.map { Optional($0) }
        count = storage.count
    }

    static func == (a: ListDeque, b: ListDeque) -> Bool { a.count == b.count && a.elements.elementsEqual(b.elements) }

    var isEmpty: Bool { count == 0 }

    private func slot(_ i: Int) -> Int { (head + i) % storage.count }

    subscript(i: Int) -> Bytes {
        get { storage[slot(i)]! }
        set { storage[slot(i)] = newValue }
    }

    var elements: [Bytes] { (0..<count).map { self[$0] } }

    private mutating func growIfFull() {
        guard count == storage.count else { return }
        var grown = [Bytes?](repeating: nil, count: max(8, storage.count * 2))
        for i in 0..<count { grown[i] = self[i] }
        storage = grown
        head = 0
    }

    mutating func append(_ e: Bytes) {
        growIfFull()
        storage[slot(count)] = e
        count += 1
    }

    mutating func prepend(_ e: Bytes) {
        growIfFull()
        head = (head - 1 + storage.count) % storage.count
        storage[head] = e
        count += 1
    }

    mutating func removeFirst() -> Bytes {
        let e = storage[head]!
        storage[head] = nil
        head = (head + 1) % storage.count
        count -= 1
        return e
    }

    mutating func removeLast() -> Bytes {
        let at = slot(count - 1)
        let e = storage[at]!
        storage[at] = nil
        count -= 1
        return e
    }

    /// Rebuilds from `elements` (for the O(n) operations in the middle).
    mutating func replace(with elements: [Bytes]) {
        self = ListDeque(elements)
    }
}
