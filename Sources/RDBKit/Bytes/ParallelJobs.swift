#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Independent jobs (one per input file of a verb given several) on up to `jobs` threads, each job
/// on one thread from start to end. Results are handed to `deliver` on the calling thread in input
/// order, each as soon as it and every one before it is done, so output order never depends on
/// which file finished first.
public enum ParallelJobs {
    /// The machine's online cores: the default for `--jobs`.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    public static func run<Result>(count: Int, jobs: Int, _ body: @escaping (Int) -> Result,
                                   deliver: (Int, Result) -> Void) {
        let board = Board<Result>(count: count, body: body)
        board.start(threads: min(jobs, count))
        for i in 0..<count { deliver(i, board.wait(for: i)) }
        board.join()
    }

    /// The shared state: the next job to start and the results so far, under one mutex.
    private final class Board<Result>: @unchecked Sendable {
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private let body: (Int) -> Result
        private var results: [Result?]
        private var next = 0
        private var serial = false
        private var handles: UnsafeMutablePointer<pthread_t>?
        private var threadCount = 0

        init(count: Int, body: @escaping (Int) -> Result) {
            self.body = body
            results = Array(repeating: nil, count: count)
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(done, nil)
        }

        deinit {
            pthread_cond_destroy(done)
            pthread_mutex_destroy(mutex)
            done.deallocate()
            mutex.deallocate()
        }

        /// Starts the workers; with one job at a time there are none and `wait` runs each job itself.
        func start(threads: Int) {
            guard threads > 1 else {
                serial = true
                return
            }
            handles = .allocate(capacity: threads)
            threadCount = threads
            for i in 0..<threads {
                let entry = ThreadEntry { self.work() }
                pthread_create(handles! + i, nil, { context in
                    Unmanaged<ThreadEntry>.fromOpaque(context!).takeRetainedValue().run()
                    return nil
                }, Unmanaged.passRetained(entry).toOpaque())
            }
        }

        func join() {
            guard let handles else { return }
            for i in 0..<threadCount { pthread_join(handles[i], nil) }
            handles.deallocate()
            self.handles = nil
        }

        func work() {
            while true {
                pthread_mutex_lock(mutex)
                let index = next
                next += 1
                let count = results.count
                pthread_mutex_unlock(mutex)
                guard index < count else { return }
                let result = body(index)
                pthread_mutex_lock(mutex)
                results[index] = result
                pthread_cond_broadcast(done)
                pthread_mutex_unlock(mutex)
            }
        }

        func wait(for index: Int) -> Result {
            if serial { return body(index) }
            pthread_mutex_lock(mutex)
            while results[index] == nil { pthread_cond_wait(done, mutex) }
            let result = results[index]!
            results[index] = nil
            pthread_mutex_unlock(mutex)
            return result
        }
    }
}

/// What a thread runs, in a type without generic parameters: a C thread entry cannot name one.
private final class ThreadEntry: @unchecked Sendable {
    let run: () -> Void

    init(_ run: @escaping () -> Void) {
        self.run = run
    }
}
