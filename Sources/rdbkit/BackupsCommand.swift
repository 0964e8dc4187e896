import ArgumentParser
import RDBKit

struct BackupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backups",
        abstract: "List the restore points a backup folder holds.",
        discussion: """
            Reads a folder written by `rdbkit backup`: each dump-<time>.rdb[.gz] snapshot and each \
            set-<time>/ chain of --follow, checked in full (every structure and checksum of the \
            base, the framing of every command). One line per restore point, oldest first: its \
            kind, the span of time it restores (a snapshot: its moment; a chain: from its snapshot \
            to its last #TS: second), files, bytes, keys and commands, and OK or BAD with the \
            reason. Then the gaps: spans no restore point covers. A set-….tmp-… folder is a \
            chain whose snapshot never completed; it is listed as interrupted and never used.

            `rdbkit merge DIR --until TIME -o at.rdb` restores from the chain covering TIME.

            Exit status: 0 when every restore point is valid, 1 when any is damaged or the folder \
            cannot be read, 2 on usage errors.

            Example: rdbkit backups /backups/cache --json
            """)

    @Argument(help: ArgumentHelp("The folder given to `rdbkit backup -o`.", valueName: "dir"))
    var directory: String

    @Flag(help: "Print one JSON object per restore point (and per gap) instead of text.")
    var json = false

    func run() throws {
        let catalog: BackupCatalog
        do {
            catalog = try BackupCatalog.scan(directory)
        } catch {
            FileHandleStandardError.write("rdbkit: \(error)\n")
            throw CommandFailure()
        }
        for line in json ? catalog.jsonLines : catalog.textLines { print(line) }
        if catalog.points.contains(where: { !$0.isValid }) { throw CommandFailure() }
    }
}
