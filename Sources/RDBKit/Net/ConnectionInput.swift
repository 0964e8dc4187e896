import NIOCore

/// The reading side of a connection, used from one thread: a contiguous window over what the
/// server sent, so the RESP rules (`RESPInput`) and raw payloads (`ByteSource`, for the RDB of
/// a full resynchronization) read the same bytes in order. Waits are bounded by `timeout`.
public final class ConnectionInput: RESPInput, ByteSource {
    private let queue: InboundQueue
    private let channel: Channel
    private let endpoint: String
    private var storage: UnsafeMutableRawPointer
    private var capacity = 64 * 1024
    private var start = 0
    private var end = 0
    /// Bytes consumed before `storage[start]`.
    private var consumedBefore: Int64 = 0
    /// Seconds to wait for the server before giving up; nil waits for ever.
    public var timeout: Double?
    public let knownSize: Int64? = nil

    init(queue: InboundQueue, channel: Channel, endpoint: String, timeout: Double?) {
        self.queue = queue
        self.channel = channel
        self.endpoint = endpoint
        self.timeout = timeout
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Bytes received and consumed since the connection opened.
    public var offset: Int64 { consumedBefore + Int64(start) }

    /// Bytes received but not yet consumed.
    public var buffered: Int { end - start }

    public func readByte() throws(RDBError) -> UInt8 {
        if end == start { try fill(1) }
        let b = storage.load(fromByteOffset: start, as: UInt8.self)
        start += 1
        return b
    }

    /// The next byte without consuming it.
    public func peekByte() throws(RDBError) -> UInt8 {
        if end == start { try fill(1) }
        return storage.load(fromByteOffset: start, as: UInt8.self)
    }

    /// `n` bytes, waiting until they all arrived; the view is valid until the next read.
    public func take(_ n: Int) throws(RDBError) -> UnsafeRawBufferPointer {
        if end - start < n { try fill(n) }
        let view = UnsafeRawBufferPointer(start: storage + start, count: n)
        start += n
        return view
    }

    /// Waits until at least `n` bytes are buffered, consuming none.
    public func require(_ n: Int) throws(RDBError) {
        if end - start < n { try fill(n) }
    }

    /// What has arrived, up to `buffer.count` bytes, waiting only when nothing has (`ByteSource`).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int {
        if end == start { try fill(1) }
        let n = min(buffer.count, end - start)
        buffer.baseAddress!.copyMemory(from: storage + start, byteCount: n)
        start += n
        return n
    }

    /// Why the connection ended, once it has.
    var closeReason: String? { queue.closeReason }

    /// True when a byte arrives within `seconds` (nothing is consumed).
    public func waitForData(seconds: Double) throws(RDBError) -> Bool {
        end > start ? true : try fill(1, waiting: seconds)
    }

    private func fill(_ n: Int) throws(RDBError) {
        guard try fill(n, waiting: timeout) else {
            throw RDBError(.io("\(endpoint): nothing arrived from the server for \(timeout ?? 0) seconds"), offset: offset)
        }
    }

    /// False when `waiting` seconds passed without anything arriving.
    private func fill(_ n: Int, waiting: Double?) throws(RDBError) -> Bool {
        if start == end && capacity > 4 * InboundQueue.highWater { shrink() }
        while end - start < n {
            switch queue.takeAll(timeout: waiting) {
            case .closed(let reason):
                throw RDBError(.io("\(endpoint): \(reason) (after \(offset + Int64(end - start)) bytes received)"), offset: offset)
            case .timedOut:
                return false
            case .bytes(let chunks, let resume):
                for chunk in chunks { append(chunk) }
                if resume { channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in } }
            }
        }
        return true
    }

    /// After one big value, memory goes back to its usual size.
    private func shrink() {
        storage.deallocate()
        capacity = 64 * 1024
        storage = .allocate(byteCount: capacity, alignment: 16)
        consumedBefore += Int64(start)
        start = 0
        end = 0
    }

    private func append(_ chunk: ByteBuffer) {
        let count = chunk.readableBytes
        if capacity - end < count {
            let live = end - start
            if start > 0 {
                // Slide what is unread to the front; views handed out before are spent by now.
                if live > 0 { storage.copyMemory(from: storage + start, byteCount: live) }
                consumedBefore += Int64(start)
                start = 0
                end = live
            }
            if capacity - end < count {
                var newCapacity = capacity
                while newCapacity - end < count { newCapacity *= 2 }
                let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                grown.copyMemory(from: storage, byteCount: end)
                storage.deallocate()
                storage = grown
                capacity = newCapacity
            }
        }
        chunk.withUnsafeReadableBytes { (storage + end).copyMemory(from: $0.baseAddress!, byteCount: count) }
        end += count
    }
}
