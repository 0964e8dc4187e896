import ArgumentParser
import Logging
import RDBKit

#if canImport(Glibc)
import Glibc
#endif

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take a consistent snapshot of a live server, as its replica.",
        discussion: """
            Connects to the server as a replica (PING, AUTH, REPLCONF listening-port, capa eof \
            psync2, and to Valkey REPLCONF version) and asks for a full resynchronization \
            (PSYNC ? -1; SYNC on servers without PSYNC). The master forks and sends its dataset \
            as one RDB, whether from disk ($<length>) or diskless ($EOF:<mark>); nothing is \
            installed or run on the server and its disk is not used by this tool. Redis 8's \
            rdb-channel and Valkey's dual-channel replication are never asked for.

            The snapshot streams to DIR/dump-<UTC time>.rdb (.rdb.gz with --gzip) through the \
            reader as it arrives: every structure and the CRC64 are checked, and the file appears \
            under its name only once all of it validated. REPLCONF rdb-only 1 tells Redis 7+ and \
            Valkey not to keep a replication buffer for this connection.

            URL: redis://[[user]:password@]host[:port] or rediss:// for TLS. As in redis-cli, \
            user info without a colon is the password of the default user; REDISCLI_AUTH is read \
            when the URL has no password. The login needs the rights of a replica (PSYNC, \
            REPLCONF; in ACL terms +psync +replconf +ping +info).

            --follow keeps the connection as a replica after the snapshot and writes a restore \
            chain, DIR/set-<UTC time>/, which is a Redis 7 multi-part AOF directory: the snapshot \
            as backup.aof.1.base.rdb, the replication stream in backup.aof.N.incr.aof files (a \
            #TS:<unix time> line at least once a second, so `rdbkit merge DIR/set-… --until T` \
            gives back any second), and backup.aof.manifest. Every second the written commands \
            are flushed and REPLCONF ACK <offset> tells the master what is on disk; REPLCONF \
            GETACK is answered the same way. --rotate-every and --rotate-size start a new \
            incremental file (never inside MULTI/EXEC). A lost connection is retried with \
            back-off (0.5 s doubling to 10 s) and PSYNC <replid> <offset+1>: +CONTINUE appends \
            to the same files without loss, +FULLRESYNC starts a new set (logged). Each set keeps \
            backup.replication (the replication id, offset, and current file's length, rewritten \
            atomically every second): a backup started again on the same DIR asks the master to \
            continue the newest set from there; +CONTINUE appends to it without loss or \
            duplicate, +FULLRESYNC starts a new set (logged) and leaves the old one whole. \
            --compact-every 24h folds the set's base and closed incremental files into a new \
            base, offline with merge on a thread of its own (no fork on the server), validated \
            before one manifest rename swaps it in; the folded files are then removed, so the \
            set restores from that moment on. SIGINT or SIGTERM flushes and closes the current \
            file whole (after a running compaction finished) and exits 0. --keep 5 keeps the five \
            newest sets, --keep 7d the sets written to in the last seven days (checked after each \
            new set and rotation; the current set and dump-… snapshots are never removed). Files and manifests \
            are written so that a crash at any moment leaves a chain `validate` accepts and \
            `merge` restores, missing at most the last second. The log goes to standard error.

            Exit status: 0 when the snapshot was written and validated (--follow: when stopped \
            by SIGINT or SIGTERM), 1 when the server could not be reached or sent a snapshot \
            that does not validate (nothing is kept), 2 on usage errors, 3 when DIR cannot be \
            written; a snapshot without --follow interrupted by SIGINT, SIGTERM or SIGHUP \
            removes its partial file and exits 130, 143 or 129.

            Example: rdbkit backup redis://backup:secret@10.0.0.5:6379 -o /backups/cache --gzip
            """)

    @Argument(help: ArgumentHelp("The server: redis://[[user]:password@]host[:port] or rediss://…", valueName: "url"))
    var server: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The folder for backups (created when missing).", valueName: "dir"))
    var output: String

    @Flag(help: "Compress the snapshot with gzip (dump-<time>.rdb.gz).")
    var gzip = false

    @Flag(help: "After the snapshot, follow the server: write its replication stream as a multi-part AOF directory.")
    var follow = false

    @Option(name: .customLong("rotate-every"), help: ArgumentHelp("--follow: start a new incremental file after this long (30s, 10m, 1h, 1d).", valueName: "duration"))
    var rotateEvery: TimeSpan?

    @Option(name: .customLong("rotate-size"), help: ArgumentHelp("--follow: start a new incremental file at this size (64KB, 256MB, 1GB).", valueName: "size"))
    var rotateSize: ByteSize?

    @Option(name: .customLong("compact-every"), help: ArgumentHelp("--follow: fold the set's base and closed incremental files into a new base after this long (offline, with merge).", valueName: "duration"))
    var compactEvery: TimeSpan?

    @Option(help: ArgumentHelp("--follow: keep this many sets (a number), or the sets written to within this long (7d); older sets are removed.", valueName: "count|duration"))
    var keep: Retention?

    @Flag(help: "Print JSON status lines instead of text (--follow: one per event).")
    var json = false

    @Flag(name: [.short, .customLong("quiet")], help: "No progress line on standard error (it is drawn only on a terminal anyway).")
    var quiet = false

    @OptionGroup(title: "Connection") var connection: ServerOptions

    func validate() throws {
        _ = try connection.url(server)
        if !follow && (rotateEvery != nil || rotateSize != nil || compactEvery != nil || keep != nil) {
            throw ValidationError("--rotate-every, --rotate-size, --compact-every and --keep go with --follow")
        }
        if follow && gzip { throw ValidationError("--gzip is for snapshots; a followed set's base stays .rdb, as Redis loads it") }
    }

    func run() throws {
        let url = try connection.url(server)
        if follow { return try runFollowing(url) }
        do {
            let outcome = try BackupSnapshot.take(url: url, options: connection.connectionOptions, directory: output,
                                                  gzip: gzip, showProgress: !quiet && !json)
            print(json ? outcome.jsonLine : outcome.summaryLine)
        } catch {
            FileHandleStandardError.write("rdbkit: backup from \(url.redacted): \(error)\n")
            throw CommandFailure(status: error.isOutputError ? ExitStatus.outputFailed : ExitStatus.damagedInput)
        }
    }

    private func runFollowing(_ url: RedisURL) throws {
        #if canImport(Glibc)
        // One malloc arena for a process that runs for days: with glibc's default (one per
        // thread that allocates) RSS grew in 12 MiB steps over 5 minutes of load; with one it
        // stayed within 2.4 MiB (measured with MALLOC_ARENA_MAX=1, which this sets). malloc.h
        // is not in Swift's Glibc module: mallopt is looked up, M_ARENA_MAX is glibc's -8.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let mallopt = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
            let M_ARENA_MAX: Int32 = -8
            _ = unsafeBitCast(mallopt, to: Mallopt.self)(M_ARENA_MAX, 1)
        }
        #endif
        var options = FollowSession.Options(rotateEvery: rotateEvery?.seconds, rotateSize: rotateSize?.bytes)
        options.showProgress = !quiet && !json
        options.keep = keep?.retention
        options.compactEvery = compactEvery?.seconds
        var replyOptions = connection.connectionOptions
        replyOptions.replyTimeout = connection.timeout
        let session = FollowSession(url: url, connectionOptions: replyOptions, directory: output, options: options)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        session.logger = Logger(label: "rdbkit.backup")
        if json {
            session.onStatus = { status in print(status.jsonLine) }
        }
        TemporaryOutputs.stopGracefully { session.requestStop() }
        do {
            try session.run()
        } catch {
            FileHandleStandardError.write("rdbkit: backup --follow from \(url.redacted): \(error)\n")
            throw CommandFailure(status: error.isOutputError ? ExitStatus.outputFailed : ExitStatus.damagedInput)
        }
    }
}

/// A length of time on the command line: 90, 90s, 10m, 1h, 7d.
struct TimeSpan: ExpressibleByArgument {
    var seconds: Double

    init?(argument: String) {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var text = Substring(argument.lowercased())
        var unit = 1.0
        if let last = text.last, let factor = units[last] {
            unit = factor
            text = text.dropLast()
        }
        guard let value = Double(text), value > 0 else { return nil }
        seconds = value * unit
    }
}

/// --keep 5 (sets) or --keep 7d (age of their last write).
struct Retention: ExpressibleByArgument {
    var retention: BackupRetention

    init?(argument: String) {
        if let count = Int(argument), count >= 1 {
            retention = .count(count)
        } else if let span = TimeSpan(argument: argument), argument.last?.isLetter == true {
            retention = .seconds(span.seconds)
        } else {
            return nil
        }
    }
}

/// A size on the command line: 4096, 64KB, 256MB, 1GB (powers of 1024, as redis.conf reads them).
struct ByteSize: ExpressibleByArgument {
    var bytes: Int64

    init?(argument: String) {
        let units: [(String, Int64)] = [("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1)]
        var text = argument.lowercased()
        var unit: Int64 = 1
        if let (suffix, factor) = units.first(where: { text.hasSuffix($0.0) }) {
            unit = factor
            text.removeLast(suffix.count)
        }
        guard let value = Int64(text), value > 0 else { return nil }
        bytes = value * unit
    }
}
