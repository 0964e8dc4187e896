/// The N biggest keys by estimated memory, in memory O(N): a min-heap whose root is evicted when
/// a bigger key arrives.
struct BoundedTopKeys {
    let capacity: Int
    private var heap: [KeyStats] = []

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    mutating func offer(_ s: KeyStats) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            heap.append(s)
            siftUp(heap.count - 1)
        } else if s.memory > heap[0].memory {
            heap[0] = s
            siftDown(0)
        }
    }

    var sorted: [KeyStats] { heap.sorted { $0.memory > $1.memory } }

    private mutating func siftUp(_ i: Int) {
        var i = i
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].memory < heap[parent].memory else { return }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ i: Int) {
        var i = i
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < heap.count && heap[l].memory < heap[smallest].memory { smallest = l }
            if r < heap.count && heap[r].memory < heap[smallest].memory { smallest = r }
            if smallest == i { return }
            heap.swapAt(i, smallest)
            i = smallest
        }
    }
}
