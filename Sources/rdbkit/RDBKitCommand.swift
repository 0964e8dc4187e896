import ArgumentParser
import RDBKit

#if canImport(Glibc)
import Glibc
#endif

@main
struct RDBKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rdbkit",
        abstract: "Read, check and convert Redis and Valkey persistence files without a server.",
        discussion: """
            Every verb reads RDB files of versions 1-\(RDBKnownVersions.redis) and Valkey's \
            VALKEY0\(RDBKnownVersions.valkey) (a newer version is refused unless --accept-newer), plain or compressed with gzip, zstd or lz4 (detected by \
            content), or from standard input when FILE is '-'. Every verb also reads append-only files: single files (with or without an RDB \
            preamble) and Redis 7+ multi-part directories. validate, export and repair read their \
            commands; convert, merge, inspect, report, restore-payload and diff replay them into \
            the dataset they make. \
            Input files are never modified; output files appear under their name only once complete.

            Exit status: 0 on success, 1 when an input is damaged or unreadable, 2 on usage errors \
            (diff: 0 equal, 1 different, 2 trouble).
            """,
        version: rdbkitVersion,
        subcommands: [InspectCommand.self, ReportCommand.self, ExportCommand.self, ValidateCommand.self, RepairCommand.self, ConvertCommand.self, MergeCommand.self, BackupCommand.self, BackupsCommand.self, RestoreCommand.self, RestorePayloadCommand.self, DiffCommand.self])

    /// Parses the command line; usage errors exit with status 2 (not ArgumentParser's 64).
    static func main() {
        if CommandLine.arguments.count == 1 {
            FileHandleStandardError.write(helpMessage() + "\n")
            Glibc.exit(2)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode {
                exit(withError: error)
            }
            if error is CommandFailure {
                exit(withError: ExitCode(1))
            }
            FileHandleStandardError.write(fullMessage(for: error) + "\n")
            Glibc.exit(2)
        }
    }
}

/// What `rdbkit --version` prints.
let rdbkitVersion = "0.1.0"

/// A failure already reported on standard error.
struct CommandFailure: Error {}

enum FileHandleStandardError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

/// Options every reading verb shares.
struct ReadingOptions: ParsableArguments {
    @Flag(name: .customLong("accept-newer"),
          help: "Try to read files whose RDB version is newer than the newest this tool knows.")
    var acceptNewer = false

    @Flag(name: [.short, .customLong("quiet")], help: "No progress line on standard error (it is drawn only on a terminal anyway).")
    var quiet = false

    var readerOptions: ReaderOptions { ReaderOptions(acceptNewerVersions: acceptNewer, showProgress: !quiet) }
}
