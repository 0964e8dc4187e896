#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every temporary output of the process (files and directories not yet renamed into place),
/// so that SIGINT, SIGTERM and SIGHUP remove them before the process ends: an interrupted verb
/// leaves nothing behind. A commit renames under the same lock the signal path takes, so an
/// output is either renamed whole or removed, never half of each.
public enum TemporaryOutputs {
    /// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and every thread it starts
    /// later) and waits for them on a thread of its own, which removes the temporary outputs
    /// and exits with 128 + the signal's number (130, 143, 129), as a shell reports a process
    /// such a signal ended. Call it first thing in `main`, before any other thread exists.
    public static func removeOnSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in handledSignals { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        var thread = pthread_t()
        pthread_create(&thread, nil, { _ in
            var signals = sigset_t()
            sigemptyset(&signals)
            for signal in TemporaryOutputs.handledSignals { sigaddset(&signals, signal) }
            while true {
                var received: Int32 = 0
                guard sigwait(&signals, &received) == 0 else { continue }
                if received != SIGHUP, let stop = TemporaryOutputs.registry.stopHandler {
                    stop()
                    continue
                }
                TemporaryOutputs.registry.removeAllAndExit(status: 128 + received)
            }
        }, nil)
        pthread_detach(thread)
    }

    /// For work that stops cleanly (a backup that follows a server: it closes its files whole),
    /// SIGINT and SIGTERM call `onStop` (on the signal thread, once per signal) instead of ending
    /// the process; SIGHUP still removes the temporary outputs and ends it.
    public static func stopGracefully(_ onStop: @escaping @Sendable () -> Void) {
        registry.setStopHandler(onStop)
    }

    static let handledSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    static let registry = Registry()

    final class Registry: @unchecked Sendable {
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private var files = Set<String>()
        private var directories = Set<String>()
        private var onStop: (@Sendable () -> Void)?

        var stopHandler: (@Sendable () -> Void)? { locked { onStop } }

        func setStopHandler(_ handler: @escaping @Sendable () -> Void) { locked { onStop = handler } }

        init() { pthread_mutex_init(mutex, nil) }

        func add(file path: String) { locked { files.insert(path) } }

        func add(directory path: String) { locked { directories.insert(path) } }

        /// Runs `body` (a rename or a removal) and forgets `path`, with no signal cleanup between.
        func finish<T>(file path: String, _ body: () -> T) -> T {
            locked { defer { files.remove(path) }; return body() }
        }

        func finish<T>(directory path: String, _ body: () -> T) -> T {
            locked { defer { directories.remove(path) }; return body() }
        }

        func removeAllAndExit(status: Int32) -> Never {
            pthread_mutex_lock(mutex)
            for path in files { unlink(path) }
            for path in directories { removeTemporaryTree(path) }
            _exit(status)
        }

        private func locked<T>(_ body: () -> T) -> T {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return body()
        }
    }
}

/// A temporary directory holds only the plain files an `OutputDirectory` made in it.
func removeTemporaryTree(_ path: String) {
    for name in directoryEntries(path) ?? [] { unlink(path + "/" + name) }
    rmdir(path)
}

/// The process's file-mode creation mask (read once: reading it means setting it).
let processUmask: mode_t = {
    let mask = umask(0o022)
    umask(mask)
    return mask
}()
