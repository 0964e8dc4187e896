#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every node's pipeline reports to, from its own thread: the summary's counts, the first
/// error that stops the restore, and how far the source is done without a gap (the resume point:
/// every item before `acknowledged` has its outcome, whatever order the nodes answered in).
final class RestoreTracker: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var summary = RestoreSummary()
    private var acknowledgedPrefix = 0
    private var doneAhead = Set<Int>()
    private var highestSent = -1
    private var stopError: RDBError?

    init(resumedAt: Int) {
        pthread_mutex_init(&mutex, nil)
        acknowledgedPrefix = resumedAt
        summary.resumedAfter = resumedAt
    }

    deinit { pthread_mutex_destroy(&mutex) }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    func sent(_ sequence: Int, bytes: Int) {
        locked {
            highestSent = max(highestSent, sequence)
            summary.bytesSent += Int64(bytes)
        }
    }

    func complete(_ sequence: Int, _ outcome: RestoreOutcome, item: RestoreItem?) {
        locked {
            summary.count(outcome, item: item)
            if sequence == acknowledgedPrefix {
                acknowledgedPrefix += 1
                while doneAhead.remove(acknowledgedPrefix) != nil { acknowledgedPrefix += 1 }
            } else if sequence > acknowledgedPrefix {
                doneAhead.insert(sequence)
            }
        }
    }

    func reconnected() { locked { summary.reconnections += 1 } }
    func redirected() { locked { summary.redirections += 1 } }

    /// The first error wins; later ones are what it caused.
    func stop(_ error: RDBError) { locked { if stopError == nil { stopError = error } } }

    var stopped: RDBError? { locked { stopError } }

    /// Items done without a gap, and one past the last item sent.
    var progress: (acknowledged: Int, sent: Int) { locked { (acknowledgedPrefix, max(acknowledgedPrefix, highestSent + 1)) } }

    var result: RestoreSummary { locked { summary } }

    /// For the progress line: what is on the target so far, and what failed.
    var progressText: String {
        locked {
            var text = "\(summary.restored + summary.replaced + summary.commands) keys restored"
            if summary.skipped > 0 { text += ", \(summary.skipped) skipped" }
            if summary.failed > 0 { text += ", \(summary.failed) failed" }
            return text
        }
    }
}

/// Items waiting for one node's pipeline: bounded, so the source is read no faster than the
/// slowest node takes keys (memory stays flat whatever the source's size).
final class ItemQueue: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var items: [RestoreItem] = []
    private var head = 0
    private var closed = false
    private var producerWaiting = false
    private var consumerWaiting = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    /// False when the queue was closed (its pipeline stopped). A full queue takes items again
    /// once it is half empty: producer and consumer wake each other per half queue, not per item.
    func push(_ item: RestoreItem) -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if items.count - head >= capacity {
            producerWaiting = true
            while items.count - head > capacity / 2 && !closed { pthread_cond_wait(&changed, &mutex) }
            producerWaiting = false
        }
        guard !closed else { return false }
        items.append(item)
        if consumerWaiting { pthread_cond_broadcast(&changed) }
        return true
    }

    /// The next item; nil once the queue is closed and empty.
    func pop() -> RestoreItem? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while head == items.count && !closed {
            consumerWaiting = true
            pthread_cond_wait(&changed, &mutex)
            consumerWaiting = false
        }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        if producerWaiting && items.count - head <= capacity / 2 { pthread_cond_broadcast(&changed) }
        return item
    }

    /// No more items: `pop` drains what is left, `push` refuses.
    func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    /// Stops at once: what is waiting is dropped (the restore is stopping).
    func abandon() {
        pthread_mutex_lock(&mutex)
        closed = true
        items.removeAll()
        head = 0
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }
}

/// Runs `body` on a new thread; `join` waits for it.
final class WorkerThread {
    private var thread = pthread_t()
    private final class Box { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }

    init(_ body: @escaping () -> Void) {
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        pthread_create(&thread, nil, { context in
            Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
    }

    func join() { pthread_join(thread, nil) }
}
