#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Bytes handed over from the event loop to the thread reading them, with a bound: above
/// `highWater` the channel stops reading from the socket until the reader has caught up, so a
/// slow disk never makes memory grow with what the server sends.
final class InboundQueue: @unchecked Sendable {
    static let highWater = 4 << 20
    static let lowWater = 1 << 20

    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var chunks = CircularBuffer<ByteBuffer>()
    private var pendingBytes = 0
    private var closedBecause: String?
    private var paused = false

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Called on the event loop; true when the channel should stop reading for now.
    func append(_ buffer: ByteBuffer) -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        chunks.append(buffer)
        pendingBytes += buffer.readableBytes
        pthread_cond_signal(&condition)
        if pendingBytes > InboundQueue.highWater { paused = true }
        return paused
    }

    /// The first reason wins: a TLS error is more telling than the close that follows it.
    func close(because reason: String) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if closedBecause == nil { closedBecause = reason }
        pthread_cond_signal(&condition)
    }

    /// Why the connection ended, once it has.
    var closeReason: String? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return closedBecause
    }

    enum Outcome {
        case bytes([ByteBuffer], resume: Bool)
        case closed(String)
        case timedOut
    }

    /// Everything queued, waiting up to `timeout` seconds (nil: for ever) for something to arrive.
    /// `resume` says the reader should switch the channel's reading back on.
    func takeAll(timeout: Double?) -> Outcome {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let deadline = timeout.map(Self.deadline(after:))
        while chunks.isEmpty && closedBecause == nil {
            if var deadline {
                if pthread_cond_timedwait(&condition, &mutex, &deadline) == ETIMEDOUT && chunks.isEmpty && closedBecause == nil {
                    return .timedOut
                }
            } else {
                pthread_cond_wait(&condition, &mutex)
            }
        }
        guard !chunks.isEmpty else { return .closed(closedBecause!) }
        let taken = Array(chunks)
        chunks.removeAll(keepingCapacity: true)
        pendingBytes = 0
        let resume = paused
        paused = false
        return .bytes(taken, resume: resume)
    }

    private static func deadline(after seconds: Double) -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nanos = Int(now.tv_nsec) + Int((seconds - seconds.rounded(.down)) * 1e9)
        return timespec(tv_sec: now.tv_sec + Int(seconds) + nanos / 1_000_000_000, tv_nsec: nanos % 1_000_000_000)
    }
}

/// The channel's last handler: passes what arrives to the queue and says why the connection ended.
final class InboundQueueHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let queue: InboundQueue

    init(queue: InboundQueue) {
        self.queue = queue
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if queue.append(unwrapInboundIn(data)) {
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        queue.close(because: "the server closed the connection")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        queue.close(because: String(describing: error))
        context.close(promise: nil)
    }
}
