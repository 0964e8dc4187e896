#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import NIOPosix

/// `--compact-every`: a followed set's base and its closed incremental files folded into a new
/// base offline — `merge`, on a thread of its own while the stream goes on, with no fork and no
/// work on the server. The new base is written under its final name, which no manifest names
/// yet, and validated in full; the session then swaps it in (`BackupSet.replaceBase`) between
/// two commands. A compaction that fails leaves the chain as it was.
final class SetCompaction: @unchecked Sendable {
    struct Folded {
        var base: AOFManifest.Entry
        var folded: [AOFManifest.Entry]
        var keys: Int
        var seconds: Double
    }

    let setPath: String
    private let result = NIOLockedValueBox<Result<Folded, RDBError>?>(nil)

    init(set: String, base: AOFManifest.Entry, incrementals: [AOFManifest.Entry], into next: AOFManifest.Entry) {
        setPath = set
        NIOThreadPool.singleton.submit { [self] _ in
            let began = SystemClock.monotonicSeconds()
            let outcome: Result<Folded, RDBError>
            do throws(RDBError) {
                let keys = try SetCompaction.fold(set, base: base, incrementals: incrementals, into: next)
                outcome = .success(Folded(base: next, folded: [base] + incrementals, keys: keys, seconds: SystemClock.monotonicSeconds() - began))
            } catch {
                outcome = .failure(error)
            }
            result.withLockedValue { $0 = outcome }
        }
    }

    /// Nil while the merge runs.
    var outcome: Result<Folded, RDBError>? { result.withLockedValue { $0 } }

    func wait() -> Result<Folded, RDBError> {
        while true {
            if let outcome { return outcome }
            usleep(20_000)
        }
    }

    /// Merges into `next` for the base's own server and version, then reads all of it back.
    private static func fold(_ set: String, base: AOFManifest.Entry, incrementals: [AOFManifest.Entry],
                             into next: AOFManifest.Entry) throws(RDBError) -> Int {
        // What an interrupted compaction left: temporary files no manifest names.
        for name in directoryEntries(set) ?? [] where name.contains(".tmp-") { unlink(set + "/" + name) }
        let basePath = set + "/" + base.name
        let output = set + "/" + next.name
        let target = RDBTarget.ofInput(basePath) ?? RDBTarget.named(RDBTarget.fallbackName)!
        var options = Merge.Options(target: target, now: SystemClock.nowMs())
        options.reader.showProgress = false
        do throws(RDBError) {
            _ = try Merge.run(base: basePath, deltas: incrementals.map { set + "/" + $0.name }, outputPath: output, options: options)
            let report = Validator.validate(path: output)
            if let error = report.error { throw error }
            return report.keys
        } catch {
            unlink(output)
            throw error
        }
    }
}
