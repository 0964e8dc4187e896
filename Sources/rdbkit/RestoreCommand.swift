import ArgumentParser
import RDBKit

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Load a dump, an AOF or a backup into a live server or a Redis Cluster.",
        discussion: """
            SOURCE is an RDB file (gzip too, or '-' for standard input), an AOF file or multi-part \
            directory, or a backup folder of `rdbkit backup` (its dump-<UTC time>.rdb snapshots \
            and set-<UTC time>/ chains): the restore point `rdbkit backups` lists that covers \
            --until TIME (a chain, replayed up to TIME), else the latest one before it; without \
            --until the newest. The choice is printed on standard error.

            The server is asked what it is (INFO server): each key goes as \
            RESTORE key expiry payload ABSTTL [IDLETIME s | FREQ f] with its payload written for \
            the RDB version that server accepts, through the same downgrade path as convert. \
            When the target cannot hold something of the source (hash-field TTLs before Redis \
            7.4, functions before 7.0, ...), the restore refuses to start and lists every such \
            thing, unless --lossy, which drops them and reports each one. A key whose payload is \
            longer than the server's proto-max-bulk-len goes as the commands Redis's AOF rewrite \
            writes (RPUSH, SADD, ZADD, HMSET in batches of 64, XADD, ...). Function libraries go \
            as FUNCTION LOAD (to every primary of a cluster). An AOF is replayed as its \
            commands (its RDB base or preamble as RESTOREs); into a cluster, where one command's \
            keys may lie on several nodes, the AOF is first replayed offline (as merge does) into \
            a temporary dump whose keys are then routed. A module value needs its module on the \
            target: each module type of the source is looked for first (none when MODULE LIST is \
            empty, else by RESTORE of one value with an expiry long past, which the server parses \
            and drops), and a type the target lacks refuses the restore before anything is sent, \
            naming the type, unless --without-modules leaves module values out (counted as \
            dropped). Keys already expired are not sent.

            Existing keys: --no-replace (the default) leaves them and counts them as skipped; \
            --replace overwrites them (RESTORE … REPLACE) and counts them as replaced.

            Flow control: at most --pipeline commands (and 32 MiB) in flight per server, every \
            reply checked against its key; a key the server refuses is reported with the \
            server's error and counted by reason. A network error is retried --retries times \
            with a doubling back-off (what had no reply is sent again: RESTORE is idempotent \
            here, a key found present counts as restored); then the restore stops, saying how \
            far it got. With --resume FILE the progress is kept in FILE (written every second, \
            atomically) and a later run with the same FILE continues after the last item done; \
            FILE is removed when the restore completes. AOF commands are not idempotent: a \
            connection lost with some in flight stops the restore instead of resending them.

            Redis Cluster (found by INFO cluster, or forced with --cluster): the slot map is read \
            with CLUSTER SHARDS (CLUSTER SLOTS before 7.0), each key goes to its slot's primary \
            (CRC16 of the key or its {hash tag}), one pipeline per primary in parallel; MOVED \
            and ASK are followed. A cluster has database 0 only: --db-map 3:0 moves others.

            The summary (standard error, or one JSON line on standard output with --json) gives \
            keys restored, replaced, skipped, expired, dropped and failed (by reason), bytes \
            sent, time and rate.

            Exit status: 0 when every selected key is on the target, 1 when a key failed, the \
            restore stopped or could not start (the server unreachable, the source damaged or \
            holding what the target cannot), 2 on usage errors, 3 when --resume FILE cannot be \
            written, 4 when nothing failed but keys were left because the target had them \
            (--no-replace); 129, 130, 143 after SIGHUP, SIGINT, SIGTERM.

            On a terminal a progress line shows the source read (bytes, percentage, time left) \
            and the keys restored so far; -q turns it off.

            Example: rdbkit restore dump.rdb redis://10.0.0.5:6379 --replace
            Example: rdbkit restore big.rdb redis://10.0.0.7:7000 --resume big.resume --pipeline 1000
            """)

    @Argument(help: "The dump, AOF, or backup folder ('-' for standard input).")
    var source: String

    @Argument(help: ArgumentHelp("The server: redis://[[user]:password@]host[:port][/db] or rediss://…", valueName: "url"))
    var server: String

    @Flag(inversion: .prefixedNo, help: "Overwrite keys the server already has (default: leave them, counted as skipped).")
    var replace = false

    @Option(name: .customLong("db-map"), help: ArgumentHelp("Restore source database FROM into TO (repeatable).", valueName: "from:to"))
    var databaseMap: [String] = []

    @Flag(help: "Drop what the target cannot hold, reporting each drop, instead of refusing to start.")
    var lossy = false

    @Flag(name: .customLong("without-modules"), help: "Leave out module values and module aux data.")
    var withoutModules = false

    @Option(help: ArgumentHelp("Commands in flight per server.", valueName: "n"))
    var pipeline = 512

    @Option(help: ArgumentHelp("Reconnections after a network error before the restore stops.", valueName: "n"))
    var retries = 5

    @Option(name: .customLong("retry-delay"), help: ArgumentHelp("Seconds before the first reconnection (doubled each time, at most 5).", valueName: "seconds"))
    var retryDelay = 0.2

    @Flag(help: "Treat the server as a Redis Cluster node even if INFO cluster does not say so.")
    var cluster = false

    @Option(help: ArgumentHelp("Keep progress in this file and continue from it when it exists.", valueName: "file"))
    var resume: String?

    @Option(help: ArgumentHelp("A backup folder's (or a timestamped AOF's) point in time: Unix seconds or ISO 8601.", valueName: "time"))
    var until: TimeArgument?

    @Flag(help: "Print the summary as one JSON line on standard output.")
    var json = false

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    @OptionGroup(title: "Connection") var connection: ServerOptions

    func validate() throws {
        _ = try connection.url(server)
        _ = try parsedDatabaseMap()
        if pipeline < 1 { throw ValidationError("--pipeline must be at least 1") }
        if retries < 0 || retryDelay < 0 { throw ValidationError("--retries and --retry-delay must not be negative") }
    }

    private func parsedDatabaseMap() throws -> [Int: Int] {
        var map: [Int: Int] = [:]
        for pair in databaseMap {
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let from = Int(parts[0]), let to = Int(parts[1]), from >= 0, to >= 0 else {
                throw ValidationError("--db-map takes FROM:TO (database numbers), not '\(pair)'")
            }
            map[from] = to
        }
        return map
    }

    func run() throws {
        let url = try connection.url(server)
        let filter = filtering.filter
        var options = RestoreOptions(nowMs: filter.nowMs)
        options.existing = replace ? .replace : .skip
        options.lossy = lossy
        options.withoutModules = withoutModules
        options.databaseMap = try parsedDatabaseMap()
        options.filter = filter
        options.pipeline = pipeline
        options.retries = retries
        options.retryDelay = retryDelay
        options.cluster = cluster ? true : nil
        options.resumePath = resume
        options.until = until?.seconds
        options.reader = reading.readerOptions
        options.reader.showProgress = !reading.quiet && !json
        options.connection = connection.connectionOptions
        let summary: RestoreSummary
        do {
            var path = source
            if BackupCatalog.isBackupFolder(source) {
                let (point, note) = try BackupCatalog.restorePoint(in: source, until: options.until)
                FileHandleStandardError.write("rdbkit: \(note)\n")
                path = point.path
            }
            summary = try Restore.run(source: path, url: url, options: options)
        } catch {
            FileHandleStandardError.write("rdbkit: restore \(source) into \(url.redacted): \(error)\n")
            throw CommandFailure(status: error.isOutputError ? ExitStatus.outputFailed : ExitStatus.damagedInput)
        }
        reportLosses(summary.losses)
        for failure in summary.failures {
            FileHandleStandardError.write("rdbkit: failed: db \(failure.db) key \(displayKey(failure.key)): \(failure.error)\n")
        }
        if summary.failed > summary.failures.count {
            FileHandleStandardError.write("rdbkit: ... and \(summary.failed - summary.failures.count) more failures\n")
        }
        if json { print(summary.jsonLine) } else { FileHandleStandardError.write("rdbkit: \(summary.text)\n") }
        if summary.failed > 0 { throw ExitCode(ExitStatus.damagedInput) }
        if summary.skipped > 0 { throw ExitCode(ExitStatus.existingKeysLeft) }
    }
}
