/// A binary min-heap laid out in an array, for the bounded summaries (`BoundedTopKeys`,
/// `PrefixSummary`): each says how two slots compare and how they swap (`PrefixSummary` keeps
/// every entry's position as it moves); the sift steps are written here once.
protocol MinHeap {
    var heapCount: Int { get }
    /// Whether the entry in slot `a` orders before the one in slot `b`.
    func heapLess(_ a: Int, _ b: Int) -> Bool
    mutating func heapSwap(_ a: Int, _ b: Int)
}

extension MinHeap {
    /// Moves the entry at `i` up to its place (after it was added or made smaller).
    mutating func siftUp(_ i: Int) {
        var child = i
        while child > 0 {
            let parent = (child - 1) / 2
            guard heapLess(child, parent) else { return }
            heapSwap(child, parent)
            child = parent
        }
    }

    /// Moves the entry at `i` down to its place (after it replaced the root or grew).
    mutating func siftDown(_ i: Int) {
        var parent = i
        while true {
            let left = 2 * parent + 1, right = left + 1
            var least = parent
            if left < heapCount && heapLess(left, least) { least = left }
            if right < heapCount && heapLess(right, least) { least = right }
            if least == parent { return }
            heapSwap(parent, least)
            parent = least
        }
    }
}
