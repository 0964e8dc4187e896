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

    /// Mutable state behind a pointer: stored `var`s of a class are checked for exclusive access
    /// at run time on every use, which would cost more than the reads themselves.
    private struct State {
        var base: UnsafeMutableRawPointer
        var capacity: Int
        var start = 0
        var end = 0
        /// Absolute offset of `base[0]`.
        var windowOffset: Int64 = 0
        /// Bytes before this index of the window have been fed to the checksum (and capture).
        var observedUpTo = 0
        var sourceExhausted = false
        var crc = CRC64()
        var capture: ScratchBuffer?
    }

    private let source: ByteSource
    private let s: UnsafeMutablePointer<State>
    /// Total size of the input when known; lengths are checked against what remains of it.
    public let knownSize: Int64?
    private var checksummed: Bool
    /// Once the input proves large, the CRC64 runs on a second core (see `BackgroundWorker`),
    /// unless the CPU folds it by multiplication (`CRC64.folds`).
    private var checksumWorker: BackgroundWorker?
    private let workerCRC = UnsafeMutablePointer<CRC64>.allocate(capacity: 1)
    /// Regions at least this large move the checksum to the worker thread.
    private static let backgroundThreshold = 256 * 1024
    /// Called with the offset reached each time the window is refilled (about once per MiB).
    public var onProgress: ((Int64) -> Void)?
    /// Takes the captured bytes at each refill, so that a capture of any length holds at most
    /// about one window (see `beginCapture(into:spillingTo:)`).
    private var captureSpill: ((UnsafeRawBufferPointer) throws(RDBError) -> Void)?

    /// `checksummed: false` skips the CRC64 (for re-reading the tool's own temporary files).
    public init(source: ByteSource, checksummed: Bool = true) {
        self.source = source
        self.checksummed = checksummed
        knownSize = source.knownSize
        s = .allocate(capacity: 1)
        s.initialize(to: State(base: .allocate(byteCount: InputWindow.chunkSize, alignment: 16),
                               capacity: InputWindow.chunkSize))
        workerCRC.initialize(to: CRC64())
    }

    deinit {
        checksumWorker?.stop()
        s.pointee.base.deallocate()
        s.deinitialize(count: 1)
        s.deallocate()
        workerCRC.deallocate()
    }

    /// Absolute offset of the next byte to be read.
    @inline(__always)
    public var offset: Int64 { s.pointee.windowOffset + Int64(s.pointee.start) }

    /// Bytes that can still follow, when the total is known.
    public var remainingKnown: Int64? { knownSize.map { $0 - offset } }

    /// Consumes `n` bytes and returns them; the view is valid until the next read.
    @inline(__always)
    public func take(_ n: Int) throws(RDBError) -> UnsafeRawBufferPointer {
        if s.pointee.end - s.pointee.start < n { try fill(n) }
        let view = UnsafeRawBufferPointer(start: s.pointee.base + s.pointee.start, count: n)
        s.pointee.start += n
        return view
    }

    @inline(__always)
    public func readByte() throws(RDBError) -> UInt8 {
        if s.pointee.end == s.pointee.start { try fill(1) }
        let b = s.pointee.base.load(fromByteOffset: s.pointee.start, as: UInt8.self)
        s.pointee.start += 1
        return b
    }

    /// Steps back over the last `n` bytes taken (they are still in the window).
    public func unread(_ n: Int) {
        precondition(n <= s.pointee.start - s.pointee.observedUpTo, "unread past what the window still holds")
        s.pointee.start -= n
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
        observe(upTo: s.pointee.start)
        guard let checksumWorker else { return s.pointee.crc.value }
        checksumWorker.drain()
        return workerCRC.pointee.value
    }

    /// Stops feeding the CRC64: what follows an AOF's RDB preamble is not covered by it.
    public func stopChecksumming() {
        observe(upTo: s.pointee.start)
        checksumWorker?.drain()
        checksummed = false
    }

    /// Starts copying consumed bytes into `buffer` (used to keep module payloads raw). With
    /// `spill`, the buffer is handed to it and emptied each time the window is refilled, and what
    /// is left in it at `endCapture` is the rest.
    public func beginCapture(into buffer: ScratchBuffer,
                             spillingTo spill: ((UnsafeRawBufferPointer) throws(RDBError) -> Void)? = nil) {
        observe(upTo: s.pointee.start)
        buffer.removeAll()
        s.pointee.capture = buffer
        captureSpill = spill
    }

    public func endCapture() {
        observe(upTo: s.pointee.start)
        s.pointee.capture = nil
        captureSpill = nil
    }

    /// Reads and discards whatever is left; returns how many bytes that was.
    public func drain() throws(RDBError) -> Int64 {
        var total = Int64(s.pointee.end - s.pointee.start)
        s.pointee.start = s.pointee.end
        while !s.pointee.sourceExhausted {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: s.pointee.base, count: s.pointee.capacity))
            if n == 0 { s.pointee.sourceExhausted = true }
            total += Int64(n)
        }
        return total
    }

    private func observe(upTo index: Int) {
        guard index > s.pointee.observedUpTo else { return }
        let region = UnsafeRawBufferPointer(start: s.pointee.base + s.pointee.observedUpTo,
                                            count: index - s.pointee.observedUpTo)
        if checksummed { checksum(region) }
        s.pointee.capture?.append(region)
        s.pointee.observedUpTo = index
    }

    private func checksum(_ region: UnsafeRawBufferPointer) {
        if checksumWorker == nil {
            // Folded by multiplication the CRC costs less than copying the bytes to another thread.
            guard region.count >= InputWindow.backgroundThreshold && !CRC64.folds else {
                s.pointee.crc.update(region)
                return
            }
            workerCRC.pointee = s.pointee.crc
            let crc = workerCRC
            checksumWorker = BackgroundWorker { job in
                crc.pointee.update(UnsafeRawBufferPointer(start: job.buffer, count: job.count))
            }
        }
        var at = 0
        while at < region.count {
            let n = min(BackgroundWorker.bufferSize, region.count - at)
            checksumWorker!.submit(bytes: UnsafeRawBufferPointer(rebasing: region[at..<(at + n)]))
            at += n
        }
    }

    private func fill(_ n: Int) throws(RDBError) {
        if !(try fillIfPossible(n)) {
            throw RDBError(.truncated(needed: n - (s.pointee.end - s.pointee.start)), offset: offset)
        }
    }

    /// Makes `n` contiguous bytes available at `start`; false when the input ends first.
    private func fillIfPossible(_ n: Int) throws(RDBError) -> Bool {
        if let remaining = remainingKnown, Int64(n) > remaining {
            // A regular file cannot hold what was asked for: fail before allocating anything.
            return false
        }
        observe(upTo: s.pointee.start)
        if let captureSpill, let capture = s.pointee.capture, capture.count > 0 {
            try captureSpill(capture.bytes)
            capture.removeAll()
        }
        onProgress?(offset)
        let available = s.pointee.end - s.pointee.start
        if s.pointee.start > 0 {
            if available > 0 { s.pointee.base.copyMemory(from: s.pointee.base + s.pointee.start, byteCount: available) }
            s.pointee.windowOffset += Int64(s.pointee.start)
            s.pointee.start = 0
            s.pointee.end = available
            s.pointee.observedUpTo = 0
        }
        while s.pointee.end < n {
            if s.pointee.sourceExhausted { return false }
            if s.pointee.end == s.pointee.capacity {
                // Grow only once the window is full of real data: memory tracks what arrived.
                // Straight to `n` only when a regular file is known to hold it; from a pipe or a
                // gzip, `n` is a claim (up to 2 TiB) and is believed one doubling at a time.
                var newCapacity = s.pointee.capacity * 2
                if let remaining = remainingKnown {
                    newCapacity = max(Int(min(Int64(newCapacity), max(Int64(n), remaining))), n)
                }
                resize(to: newCapacity)
            }
            let got = try source.read(into: UnsafeMutableRawBufferPointer(start: s.pointee.base + s.pointee.end,
                                                                         count: s.pointee.capacity - s.pointee.end))
            if got == 0 { s.pointee.sourceExhausted = true } else { s.pointee.end += got }
        }
        if s.pointee.capacity > 4 * InputWindow.chunkSize && n <= InputWindow.chunkSize && s.pointee.end <= InputWindow.chunkSize {
            resize(to: InputWindow.chunkSize)
        }
        return true
    }

    private func resize(to newCapacity: Int) {
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: s.pointee.base, byteCount: s.pointee.end)
        s.pointee.base.deallocate()
        s.pointee.base = newBase
        s.pointee.capacity = newCapacity
    }
}
