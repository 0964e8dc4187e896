/// How `Restore.run` loads a source into a live server or cluster.
public struct RestoreOptions: Sendable {
    public enum Existing: Sendable { case replace, skip }

    /// A key the target already has: overwritten (counted as replaced) or left alone (counted as skipped).
    public var existing: Existing = .skip
    /// Drop what the target cannot hold, reporting it, instead of refusing to start.
    public var lossy = false
    public var withoutModules = false
    /// Source database → target database (`--db-map 0:3`).
    public var databaseMap: [Int: Int] = [:]
    public var filter: KeyFilter?
    /// Keys whose expiry is at or before this (Unix ms) are not sent, as a server loading the
    /// dump would drop them.
    public var nowMs: Int64
    /// Commands in flight per node before the next waits for a reply.
    public var pipeline = 512
    /// Bytes in flight per node, whatever the count: bounds memory with large values.
    public var bytesInFlight = 32 << 20
    /// Reconnections tried after a network error, and the first back-off (doubled each time, at most 5 s).
    public var retries = 5
    public var retryDelay = 0.2
    /// nil: asks the server (`INFO cluster`).
    public var cluster: Bool?
    /// A file where progress is kept; read first when it exists, removed when the restore completes.
    public var resumePath: String?
    /// Unix seconds: for a backup folder or an AOF with `#TS:` annotations, the point in time.
    public var until: Int64?
    public var reader = ReaderOptions()
    public var connection = ConnectionOptions()

    public init(nowMs: Int64) {
        self.nowMs = nowMs
    }
}

/// What became of one item of the source.
enum RestoreOutcome: Equatable {
    case restored
    case replaced
    /// The key exists and --no-replace.
    case existing
    case expired
    /// A loss (reported with its reason) or something the user left out (--without-modules).
    case dropped
    /// Resent after a reconnection, or in doubt after an interrupted run, and found there: the earlier sending took.
    case alreadyPresent
    case failed(String)
}
