#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One helper thread that runs jobs in submission order, so work that only has to be finished by
/// the end of a file (the CRC64, checks whose result is not needed to go on) overlaps the parse on
/// a second core. Jobs carry copies of their bytes: the window they came from is reused at once.
final class BackgroundWorker: @unchecked Sendable {
    /// Bytes in one job buffer; larger submissions are split.
    static let bufferSize = 1 << 20
    /// Buffers in flight: bounds the memory the worker can hold and how far it can fall behind.
    static let bufferCount = 4

    struct Job {
        var buffer: UnsafeMutableRawPointer
        var count: Int
        /// Free for the submitter's use (a length, a split point, an offset).
        var argument: Int
        var tag: Int64
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let state: UnsafeMutablePointer<State>
    private var thread = pthread_t()
    private let perform: (Job) -> Void

    private struct State {
        var queue: [Job] = []
        var free: [UnsafeMutableRawPointer] = []
        var busy = false
        var stopping = false
    }

    /// `perform` runs on the worker thread, one job at a time, in order. `buffers` bounds how
    /// far the submitter can run ahead (and the memory, a MiB each).
    init(buffers: Int = BackgroundWorker.bufferCount, perform: @escaping (Job) -> Void) {
        self.perform = perform
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        state = .allocate(capacity: 1)
        state.initialize(to: State())
        for _ in 0..<max(1, buffers) {
            state.pointee.free.append(.allocate(byteCount: BackgroundWorker.bufferSize, alignment: 16))
        }
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { context in
            let worker = Unmanaged<BackgroundWorker>.fromOpaque(context!).takeRetainedValue()
            worker.loop()
            return nil
        }, context)
    }

    deinit {
        for buffer in state.pointee.free { buffer.deallocate() }
        state.deinitialize(count: 1)
        state.deallocate()
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deallocate()
        mutex.deallocate()
    }

    /// Queues a copy of `bytes` (at most `bufferSize`) for `perform`; waits while all buffers are in use.
    /// `trailer` is copied right after `bytes` (both together at most `bufferSize`).
    func submit(bytes: UnsafeRawBufferPointer, trailer: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                argument: Int = 0, tag: Int64 = 0) {
        let buffer = acquire()
        if bytes.count > 0 { buffer.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        if trailer.count > 0 { (buffer + bytes.count).copyMemory(from: trailer.baseAddress!, byteCount: trailer.count) }
        submit(filled: buffer, count: bytes.count + trailer.count, argument: argument, tag: tag)
    }

    /// A free buffer (`bufferSize` bytes) to fill in place, saving the copy `submit(bytes:)` makes;
    /// waits while all are in use. Hand it back, filled, to `submit(filled:count:)`.
    func acquire() -> UnsafeMutableRawPointer {
        pthread_mutex_lock(mutex)
        while state.pointee.free.isEmpty { pthread_cond_wait(wake, mutex) }
        let buffer = state.pointee.free.removeLast()
        pthread_mutex_unlock(mutex)
        return buffer
    }

    /// Queues a buffer from `acquire()` holding `count` bytes for `perform`.
    func submit(filled buffer: UnsafeMutableRawPointer, count: Int, argument: Int = 0, tag: Int64 = 0) {
        pthread_mutex_lock(mutex)
        state.pointee.queue.append(Job(buffer: buffer, count: count, argument: argument, tag: tag))
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
    }

    /// Waits until every submitted job has run.
    func drain() {
        pthread_mutex_lock(mutex)
        while !state.pointee.queue.isEmpty || state.pointee.busy { pthread_cond_wait(wake, mutex) }
        pthread_mutex_unlock(mutex)
    }

    /// Runs what is queued, then ends the thread.
    func stop() {
        pthread_mutex_lock(mutex)
        state.pointee.stopping = true
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
        pthread_join(thread, nil)
    }

    private func loop() {
        pthread_mutex_lock(mutex)
        while true {
            while state.pointee.queue.isEmpty && !state.pointee.stopping { pthread_cond_wait(wake, mutex) }
            if state.pointee.queue.isEmpty { break }
            let job = state.pointee.queue.removeFirst()
            state.pointee.busy = true
            pthread_mutex_unlock(mutex)
            perform(job)
            pthread_mutex_lock(mutex)
            state.pointee.busy = false
            state.pointee.free.append(job.buffer)
            pthread_cond_broadcast(wake)
        }
        pthread_mutex_unlock(mutex)
    }
}
