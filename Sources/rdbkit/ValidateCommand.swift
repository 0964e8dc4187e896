import ArgumentParser
import RDBKit

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check that dumps are whole and loadable.",
        discussion: """
            Parses every structure of each file (every listpack, ziplist and intset entry, stream, \
            module value) and checks the CRC64. Prints one line per file: OK with the version, the \
            server that wrote it, the key count and the checksum state; or BAD with the byte offset, \
            the key being read and the reason. Bytes after the checksum are a warning, not a failure \
            (Redis ignores them).

            Append-only files are recognized by content (a multi-part directory or its manifest, \
            or a file of commands): each part is checked for framing, an RDB base in full; damage \
            is reported with its file, offset and how far the file was valid.

            Exit status: 0 when every file is whole, 1 when any is damaged, 2 on usage errors.

            Example: rdbkit validate backups/*.rdb.gz
            """)

    @Argument(help: "RDB files ('-' for standard input).")
    var files: [String]

    @Flag(help: "Print one JSON object per file instead of text.")
    var json = false

    @OptionGroup(title: "Filters (rejected keys are checked for framing only, and not counted)") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    func run() throws {
        var allValid = true
        for file in files {
            if AOFFiles.looksLikeAOF(file) {
                let report = AOFValidation.validate(path: file, options: reading.readerOptions)
                print(report.summaryLine)
                allValid = allValid && report.isValid
                continue
            }
            let report = Validator.validate(path: file, filter: filtering.filter, options: reading.readerOptions)
            print(json ? report.jsonLine : report.summaryLine)
            allValid = allValid && report.isValid
        }
        if !allValid { throw CommandFailure() }
    }
}
