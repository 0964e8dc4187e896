#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sliding window over a `ByteSource`: the input is read once, front to back, in large chunks,
/// and handed out as borrowed views that stay valid until the next read. Memory is one chunk,
/// growing only while a single item larger than it is being read, and never beyond what arrived.
///
/// Every consumed byte also flows through the CRC64, and, while a capture is open, into a copy.
public final class InputWindow {
    public static let chunkSize = 1 << 20

    private let source: ByteSource
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    /// Absolute offset of `base[0]`.
    private var windowOffset: Int64 = 0
    /// Bytes before this index of the window have been fed to the checksum (and capture).
    private var observedUpTo = 0
    private var sourceExhausted = false
    private var crc = CRC64()
    private var capture: ScratchBuffer?
    /// Total size of the input when known; lengths are checked against what remains of it.
    public let knownSize: Int64?

    public init(source: ByteSource) {
        self.source = source
        knownSize = source.knownSize
        capacity = InputWindow.chunkSize
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Absolute offset of the next byte to be read.
    @inline(__always)
    public var offset: Int64 { windowOffset + Int64(start) }

    /// Bytes that can still follow, when the total is known.
    public var remainingKnown: Int64? { knownSize.map { $0 - offset } }

    /// Consumes `n` bytes and returns them; the view is valid until the next read.
    @inline(__always)
    public func take(_ n: Int) throws(RDBError) -> UnsafeRawBufferPointer {
        if end - start < n { try fill(n) }
        let view = UnsafeRawBufferPointer(start: base + start, count: n)
        start += n
        return view
    }

    @inline(__always)
    public func readByte() throws(RDBError) -> UInt8 {
        if end == start { try fill(1) }
        let b = base.load(fromByteOffset: start, as: UInt8.self)
        start += 1
        return b
    }

    /// The next byte without consuming it, or nil at the end of the input.
    public func peekByte() throws(RDBError) -> UInt8? {
        if end == start {
            if !(try fillIfPossible(1)) { return nil }
        }
        return base.load(fromByteOffset: start, as: UInt8.self)
    }

    @inline(__always)
    public func readUInt64LE() throws(RDBError) -> UInt64 {
        UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self))
    }

    @inline(__always)
    public func readUInt32LE() throws(RDBError) -> UInt32 {
        UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self))
    }

    /// Skips `n` bytes without keeping them in memory at once.
    public func skip(_ n: Int64) throws(RDBError) {
        var left = n
        while left > 0 {
            let step = Int(min(left, Int64(InputWindow.chunkSize)))
            _ = try take(step)
            left -= Int64(step)
        }
    }

    /// The CRC64 of every byte consumed so far.
    public func checksumSoFar() -> UInt64 {
        observe(upTo: start)
        return crc.value
    }

    /// Starts copying consumed bytes into `buffer` (used to keep module payloads raw).
    public func beginCapture(into buffer: ScratchBuffer) {
        observe(upTo: start)
        buffer.removeAll()
        capture = buffer
    }

    public func endCapture() {
        observe(upTo: start)
        capture = nil
    }

    /// Reads and discards whatever is left; returns how many bytes that was.
    public func drain() throws(RDBError) -> Int64 {
        var total = Int64(end - start)
        start = end
        while !sourceExhausted {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: base, count: capacity))
            if n == 0 { sourceExhausted = true }
            total += Int64(n)
        }
        return total
    }

    @inline(__always)
    private func observe(upTo index: Int) {
        guard index > observedUpTo else { return }
        let region = UnsafeRawBufferPointer(start: base + observedUpTo, count: index - observedUpTo)
        crc.update(region)
        capture?.append(region)
        observedUpTo = index
    }

    private func fill(_ n: Int) throws(RDBError) {
        if !(try fillIfPossible(n)) {
            throw RDBError(.truncated(needed: n - (end - start)), offset: offset)
        }
    }

    /// Makes `n` contiguous bytes available at `start`; false when the input ends first.
    private func fillIfPossible(_ n: Int) throws(RDBError) -> Bool {
        if let remaining = remainingKnown, Int64(n) > remaining {
            // A regular file cannot hold what was asked for: fail before allocating anything.
            return false
        }
        observe(upTo: start)
        let available = end - start
        if start > 0 {
            if available > 0 { base.copyMemory(from: base + start, byteCount: available) }
            windowOffset += Int64(start)
            start = 0
            end = available
            observedUpTo = 0
        }
        while end < n {
            if sourceExhausted { return false }
            if end == capacity {
                // Grow only once the window is full of real data: memory tracks what arrived.
                var newCapacity = capacity * 2
                if let remaining = remainingKnown { newCapacity = Int(min(Int64(newCapacity), max(Int64(n), remaining))) }
                newCapacity = max(newCapacity, n)
                let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                newBase.copyMemory(from: base, byteCount: end)
                base.deallocate()
                base = newBase
                capacity = newCapacity
            }
            let got = try source.read(into: UnsafeMutableRawBufferPointer(start: base + end, count: capacity - end))
            if got == 0 { sourceExhausted = true } else { end += got }
        }
        if capacity > 4 * InputWindow.chunkSize && n <= InputWindow.chunkSize && end <= InputWindow.chunkSize {
            shrinkToChunk()
        }
        return true
    }

    private func shrinkToChunk() {
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: InputWindow.chunkSize, alignment: 16)
        newBase.copyMemory(from: base, byteCount: end)
        base.deallocate()
        base = newBase
        capacity = InputWindow.chunkSize
    }
}
