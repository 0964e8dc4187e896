/// The N biggest keys by estimated memory, in memory O(N): a min-heap whose root is evicted when
/// a bigger key arrives.
struct BoundedTopKeys: MinHeap {
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

    var heapCount: Int { heap.count }
    func heapLess(_ a: Int, _ b: Int) -> Bool { heap[a].memory < heap[b].memory }
    mutating func heapSwap(_ a: Int, _ b: Int) { heap.swapAt(a, b) }
}
