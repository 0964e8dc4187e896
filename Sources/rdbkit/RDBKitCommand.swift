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

            Exit status: 0 on success, 1 when an input is damaged or unreadable (or holds what the \
            target cannot, without --lossy), 2 on usage errors (an output that is an input among \
            them, refused before anything is written), 3 when an output cannot be written; 129, \
            130, 143 after SIGHUP, SIGINT, SIGTERM, which remove temporary outputs \
            (diff: 0 equal, 1 different, 2 trouble; restore: 4 when keys were left because the \
            target had them).
            """,
        version: rdbkitVersion,
        subcommands: [InspectCommand.self, ReportCommand.self, ExportCommand.self, ValidateCommand.self, RepairCommand.self, ConvertCommand.self, MergeCommand.self, BackupCommand.self, BackupsCommand.self, RestoreCommand.self, RestorePayloadCommand.self, DiffCommand.self])

    /// Parses the command line; usage errors exit with status 2 (not ArgumentParser's 64).
    static func main() {
        TemporaryOutputs.removeOnSignals()
        if CommandLine.arguments.count == 1 {
            FileHandleStandardError.write(helpMessage() + "\n")
            Glibc.exit(ExitStatus.usage)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode {
                exit(withError: error)
            }
            if let failure = error as? CommandFailure {
                exit(withError: ExitCode(failure.status))
            }
            FileHandleStandardError.write(fullMessage(for: error) + "\n")
            Glibc.exit(ExitStatus.usage)
        }
    }
}

/// What `rdbkit --version` prints.
let rdbkitVersion = "0.1.0"

/// A failure already reported on standard error, and the exit status it earns.
struct CommandFailure: Error {
    var status: Int32 = ExitStatus.damagedInput

    /// Reports `error` on standard error, naming `input` when the error is about it, and gives
    /// the status for it: an output that is an input is a usage error, an output that cannot
    /// be written has a status of its own, anything else is about the input.
    static func reporting(_ error: any Error, about input: String?) -> CommandFailure {
        guard let error = error as? RDBError else {
            FileHandleStandardError.write("rdbkit: \(input.map { $0 + ": " } ?? "")\(error)\n")
            return CommandFailure()
        }
        let about = error.isOutputError ? "" : input.map { $0 + ": " } ?? ""
        FileHandleStandardError.write("rdbkit: \(about)\(error)\n")
        switch error.kind {
        case .outputIsInput: return CommandFailure(status: ExitStatus.usage)
        case .output: return CommandFailure(status: ExitStatus.outputFailed)
        default: return CommandFailure()
        }
    }
}

/// The exit statuses every verb shares (a signal ends a verb with 128 + its number: 129, 130, 143).
enum ExitStatus {
    static let success: Int32 = 0
    /// An input is damaged or unreadable, or cannot be converted as asked.
    static let damagedInput: Int32 = 1
    /// A usage error, an output that is one of the inputs included.
    static let usage: Int32 = 2
    /// An output could not be written (disk full, no permission, ...).
    static let outputFailed: Int32 = 3
    /// restore: nothing failed, but keys the target already had were left as they were (--no-replace).
    static let existingKeysLeft: Int32 = 4
}

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
