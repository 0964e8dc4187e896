/// A growable byte buffer reused across elements so the hot path allocates nothing once warm.
public final class ScratchBuffer {
    public private(set) var base: UnsafeMutableRawPointer
    public private(set) var capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    public func removeAll() { count = 0 }

    /// Makes room for `n` more bytes and returns where they go; `commit(n)` makes them part of `bytes`.
    @inline(__always)
    public func reserve(_ n: Int) -> UnsafeMutableRawPointer {
        if capacity - count < n { grow(to: count + n) }
        return base + count
    }

    @inline(__always)
    public func commit(_ n: Int) { count += n }

    @inline(__always)
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    public func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Replaces the content with `bytes`.
    public func set(_ bytes: UnsafeRawBufferPointer) {
        count = 0
        append(bytes)
    }

    /// Gives memory back after a huge element, so one big value does not pin it for the whole run.
    public func shrink(to limit: Int) {
        guard capacity > limit, count <= limit else { return }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: limit, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = limit
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity = newCapacity &* 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
