#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM turned into a call on a thread of their own (sigwait), so what they stop
/// can finish its files: no work happens inside a signal handler.
enum StopSignals {
    /// Blocks both signals in this thread and every thread started after it, then calls
    /// `onStop` once per signal received.
    static func install(_ onStop: @escaping @Sendable () -> Void) {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let box = Unmanaged.passRetained(Handler(set: set, onStop: onStop)).toOpaque()
        var thread = pthread_t()
        pthread_create(&thread, nil, { raw in
            let handler = Unmanaged<Handler>.fromOpaque(raw!).takeUnretainedValue()
            var set = handler.set
            while true {
                var received: Int32 = 0
                if sigwait(&set, &received) == 0 { handler.onStop() }
            }
        }, box)
        pthread_detach(thread)
    }

    private final class Handler {
        let set: sigset_t
        let onStop: @Sendable () -> Void
        init(set: sigset_t, onStop: @escaping @Sendable () -> Void) {
            self.set = set
            self.onStop = onStop
        }
    }
}
