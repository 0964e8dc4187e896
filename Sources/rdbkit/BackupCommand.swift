import ArgumentParser
import RDBKit

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

            Exit status: 0 when the snapshot was written and validated, 1 when the server could \
            not be reached or sent a snapshot that does not validate (nothing is kept), 2 on \
            usage errors.

            Example: rdbkit backup redis://backup:secret@10.0.0.5:6379 -o /backups/cache --gzip
            """)

    @Argument(help: ArgumentHelp("The server: redis://[[user]:password@]host[:port] or rediss://…", valueName: "url"))
    var server: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The folder for backups (created when missing).", valueName: "dir"))
    var output: String

    @Flag(help: "Compress the snapshot with gzip (dump-<time>.rdb.gz).")
    var gzip = false

    @Flag(help: "Print one JSON status line instead of text.")
    var json = false

    @Flag(name: [.short, .customLong("quiet")], help: "No progress line on standard error (it is drawn only on a terminal anyway).")
    var quiet = false

    @OptionGroup(title: "Connection") var connection: ServerOptions

    func validate() throws {
        _ = try connection.url(server)
    }

    func run() throws {
        let url = try connection.url(server)
        do {
            let outcome = try BackupSnapshot.take(url: url, options: connection.connectionOptions, directory: output,
                                                  gzip: gzip, showProgress: !quiet && !json)
            print(json ? outcome.jsonLine : outcome.summaryLine)
        } catch {
            FileHandleStandardError.write("rdbkit: backup from \(url.redacted): \(error)\n")
            throw CommandFailure()
        }
    }
}
