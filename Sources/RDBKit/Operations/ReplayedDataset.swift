#if canImport(Glibc)
import Glibc
#endif

/// An AOF (file, multi-part directory or manifest) given to a verb that reads a dataset
/// (inspect, report, restore-payload, diff): its commands replayed as `merge` replays them,
/// into a temporary RDB (removed afterwards) that the verb then reads.
public enum ReplayedDataset {
    /// Calls `body` with `path` itself when it is an RDB, or with the replayed copy of an AOF.
    /// `now`: the clock (Unix ms) for commands that read it, as `merge --now`; `until`: the
    /// dataset as it was at that Unix second (`merge --until`).
    public static func withDataset<T>(_ path: String, now: Int64, until: Int64? = nil, options: ReaderOptions,
                                      _ body: (String) throws(RDBError) -> T) throws(RDBError) -> T {
        guard InputKind.of(path) == .aof else { return try body(path) }
        if path == "-" {
            throw RDBError(.unreadable("an AOF is replayed from two reads, and standard input can be read only once: give the AOF as a file"),
                           context: "-")
        }
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        let temporary = "\(directory)/rdbkit-replay-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).rdb"
        var merge = Merge.Options(target: RDBTarget.named("redis-8.2")!, now: now)
        merge.reader = options
        merge.until = until
        merge.reader.showProgress = false
        // Removed when done, and on a signal (see `TemporaryOutputs`) as every temporary output is.
        TemporaryOutputs.registry.add(file: temporary)
        defer { TemporaryOutputs.registry.finish(file: temporary) { unlink(temporary) } }
        _ = try Merge.run(base: path, deltas: [], outputPath: temporary, options: merge)
        return try body(temporary)
    }
}
