/// A growable byte buffer reused across elements so the hot path allocates nothing once warm.
///
/// Its state lives behind a pointer rather than in stored `var`s: class properties would be
/// checked for exclusive access at run time on every append, which costs more than the append.
public final class ScratchBuffer {
    private struct State {
        var base: UnsafeMutableRawPointer
        var capacity: Int
        var count: Int
    }

    private let state: UnsafeMutablePointer<State>

    public init(capacity: Int = 4096) {
        let capacity = max(capacity, 16)
        state = .allocate(capacity: 1)
        state.initialize(to: State(base: .allocate(byteCount: capacity, alignment: 16), capacity: capacity, count: 0))
    }

    deinit {
        state.pointee.base.deallocate()
        state.deallocate()
    }

    public var base: UnsafeMutableRawPointer { state.pointee.base }
    public var capacity: Int { state.pointee.capacity }
    public var count: Int { state.pointee.count }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: state.pointee.base, count: state.pointee.count) }

    public func removeAll() { state.pointee.count = 0 }

    /// Makes room for `n` more bytes and returns where they go; `commit(n)` makes them part of `bytes`.
    @inline(__always)
    public func reserve(_ n: Int) -> UnsafeMutableRawPointer {
        if state.pointee.capacity - state.pointee.count < n { grow(to: state.pointee.count + n) }
        return state.pointee.base + state.pointee.count
    }

    @inline(__always)
    public func commit(_ n: Int) { state.pointee.count += n }

    @inline(__always)
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        state.pointee.count += bytes.count
    }

    @inline(__always)
    public func append(_ byte: UInt8) {
        if state.pointee.count == state.pointee.capacity { grow(to: state.pointee.count + 1) }
        state.pointee.base.storeBytes(of: byte, toByteOffset: state.pointee.count, as: UInt8.self)
        state.pointee.count += 1
    }

    /// Replaces the content with `bytes`.
    public func set(_ bytes: UnsafeRawBufferPointer) {
        state.pointee.count = 0
        append(bytes)
    }

    /// Gives memory back after a huge element, so one big value does not pin it for the whole run.
    public func shrink(to limit: Int) {
        guard state.pointee.capacity > limit, state.pointee.count <= limit else { return }
        replaceStorage(capacity: limit)
    }

    private func grow(to needed: Int) {
        var newCapacity = state.pointee.capacity
        while newCapacity < needed { newCapacity = newCapacity &* 2 }
        replaceStorage(capacity: newCapacity)
    }

    private func replaceStorage(capacity newCapacity: Int) {
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: state.pointee.base, byteCount: state.pointee.count)
        state.pointee.base.deallocate()
        state.pointee.base = newBase
        state.pointee.capacity = newCapacity
    }
}
