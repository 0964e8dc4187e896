#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--keep`: how many followed sets a folder keeps, or for how long after their last write.
public enum BackupRetention: Sendable, Equatable {
    case count(Int)
    case seconds(Double)

    /// Removes the sets beyond the limit, oldest first; never `current`, never a snapshot file.
    /// Returns the paths removed.
    @discardableResult
    public func prune(_ directory: String, keeping current: String?, now: Int64) -> [String] {
        let sets = (directoryEntries(directory) ?? [])
            .filter { $0.hasPrefix(BackupSet.directoryPrefix) && !$0.contains(".tmp-") }
            .map { directory + "/" + $0 }
            .filter { $0 != current }
        var doomed: [String]
        switch self {
        case .count(let n):
            // `current` is one of the n kept.
            doomed = Array(sets.dropLast(max(0, n - (current == nil ? 0 : 1))))
        case .seconds(let age):
            doomed = sets.filter { Double(now - Self.lastWrite($0)) > age }
        }
        doomed = doomed.filter { Self.removeSet($0) }
        return doomed
    }

    /// The newest modification time of the set's files.
    static func lastWrite(_ set: String) -> Int64 {
        var newest: Int64 = 0
        for name in directoryEntries(set) ?? [] {
            var info = stat()
            if stat(set + "/" + name, &info) == 0 { newest = max(newest, Int64(info.st_mtim.tv_sec)) }
        }
        return newest
    }

    /// The manifest goes first: a half-removed set is then no chain, not a damaged one.
    private static func removeSet(_ set: String) -> Bool {
        let names = directoryEntries(set) ?? []
        for name in names.sorted(by: { a, _ in a.hasSuffix(".manifest") }) { unlink(set + "/" + name) }
        return rmdir(set) == 0
    }
}
