import ArgumentParser
import RDBKit

#if canImport(Glibc)
import Glibc
#endif

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Fold AOF deltas onto a base snapshot, offline: a new RDB (or AOF).",
        discussion: """
            What Redis does at start-up with a multi-part AOF, without a server. BASE is an RDB \
            file, an export (JSON, read back as convert reads it), an AOF file, or a multi-part directory (its base, then its incremental files); \
            each DELTA is an AOF file or directory, applied in order. Commands run with Redis's \
            semantics as it loads an AOF: MULTI waits for EXEC (a transaction open at the end of \
            a file is dropped), a command Redis would refuse changes nothing (counted), nothing \
            expires during the replay (keys past their time are written with it and dropped by \
            the server that loads them). A command the replay cannot apply exactly (unknown, or \
            one whose result depends on the server's clock or chance, which Redis 7.0 never \
            writes) stops the merge with its offset; --skip-unknown applies it as a no-op and \
            counts it.

            Memory: the deltas are read twice. The first pass keeps an 8-byte fingerprint of \
            every argument; then base keys no command names are streamed to the output one at a \
            time, and only base keys a command may name (plus the keys the commands create) are \
            held in memory. A delta with SWAPDB holds the whole base.

            --until TIME stops at the first #TS: annotation later than TIME (Unix seconds or ISO 8601; the \
            server needs aof-timestamp-enabled): the dataset as it was then.

            Output: an RDB for --target-version (by default the base's own server and version), or with --to aof the commands Redis's \
            rewrite would write (--multi-part for a directory), as `convert` writes them.

            A folder written by `rdbkit backup` (its dump-… snapshots and set-… chains) is a base \
            too: merge restores from the valid chain that covers --until (else the latest restore \
            point before it; without --until, the newest) and says which it chose.

            Example: rdbkit merge dump.rdb appendonlydir/appendonly.aof.3.incr.aof -o merged.rdb
            Example: rdbkit merge appendonlydir -o recovered.rdb --until 1764158400
            Example: rdbkit merge /backups/cache --until 2026-11-26T12:00:00Z -o at-noon.rdb
            """)

    @Argument(help: "The base: an RDB file, an export (JSON), an AOF file, a multi-part AOF directory or a folder of backups.")
    var base: String

    @Argument(help: "AOF files or directories to apply, in order.")
    var deltas: [String] = []

    @Option(name: [.short, .customLong("output")], help: "The merged file (or directory with --to aof --multi-part).")
    var output: String

    @Option(help: "Output format: rdb or aof.")
    var to = "rdb"


    @Option(name: .customLong("until"), help: "Apply only what was written up to this time (#TS: annotations): Unix seconds or ISO 8601 (2026-11-26T12:00:00Z).")
    var untilTime: TimeArgument?
    var until: Int64? { untilTime?.seconds }

    @Option(help: "The clock, Unix ms, for commands that read it (relative expiries of old AOFs); default: now.")
    var now: Int64?

    @Flag(name: .customLong("skip-unknown"), help: "Apply commands the replay cannot reproduce as no-ops, counting them.")
    var skipUnknown = false

    @OptionGroup var writing: TargetOptions

    @OptionGroup var aofLayout: AOFLayoutOptions

    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        if !["rdb", "aof"].contains(to) { throw ValidationError("--to is rdb or aof") }
        try aofLayout.check(outputIsAOF: to == "aof")
    }

    func run() throws {
        let basePath: String
        do { basePath = try restorePoint() } catch { throw CommandFailure.reporting(error, about: nil) }
        var options = Merge.Options(writing.writing, base: basePath, output: to == "aof" ? .aof(aofLayout.layout) : .rdb,
                                    now: now ?? SystemClock.nowMs())
        options.until = until
        options.skipUnknown = skipUnknown
        options.reader = reading.readerOptions
        do {
            let summary = try Merge.run(base: basePath, deltas: deltas, outputPath: output, options: options)
            Self.report(summary)
        } catch {
            throw CommandFailure.reporting(error, about: nil)
        }
    }
}

extension MergeCommand {
    /// The base itself, or for a folder of backups the restore point chosen for --until.
    func restorePoint() throws(RDBError) -> String {
        guard BackupCatalog.isBackupFolder(base) else { return base }
        let (point, note) = try BackupCatalog.restorePoint(in: base, until: until)
        FileHandleStandardError.write("rdbkit: \(note)\n")
        return point.path
    }

    /// The summary of a replay on standard error (merge, and convert of an AOF).
    static func report(_ summary: Merge.Summary) {
        var line = "rdbkit: \(summary.keysWritten) keys written (\(summary.keysStreamed) streamed from the base, \(summary.keysHeld) held), \(summary.commands) commands replayed"
        if let stop = summary.stoppedAt { line += "; stopped at \(stop.file) offset \(stop.offset)" }
        FileHandleStandardError.write(line + "\n")
        for (name, count) in summary.refused.sorted(by: { $0.key < $1.key }) {
            FileHandleStandardError.write("rdbkit: \(count) \(name) command\(count == 1 ? "" : "s") refused (as Redis would refuse them: no change)\n")
        }
        for (name, count) in summary.skipped.sorted(by: { $0.key < $1.key }) {
            FileHandleStandardError.write("rdbkit: \(count) \(name) command\(count == 1 ? "" : "s") skipped (--skip-unknown)\n")
        }
        reportLosses(summary.losses)
    }
}
