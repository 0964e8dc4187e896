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
            (Redis ignores them). A key held twice in one database is damage (Redis refuses such \
            a file), reported with both offsets: a 64-bit fingerprint per key is kept (8 bytes a key \
            in a temporary file, 1 MiB of memory) and, when two repeat, the file is read a second time to compare them. Key \
            metadata of a class that does not allow being ignored is damage too, unless \
            --metadata-class names it (a server refuses it without the module that registers it).

            Append-only files are recognized by content (a multi-part directory or its manifest, \
            or a file of commands, with or without an RDB preamble): each part is checked for \
            framing, RDB content in full, and every command against Redis's command table (known \
            name, arity, numbers where the command parses one, SELECT within --databases, MULTI \
            closed by EXEC). An AOF has no checksum: these checks catch damage redis-check-aof \
            passes. Damage is reported with its file, offset, reason and how far the file is \
            valid (what `rdbkit repair` keeps).

            Several files (a cluster's shards) are read --jobs at a time, the lines still in the \
            order given, then one line adding them up: files, OK, BAD, keys.

            Exit status: 0 when every file is whole, 1 when any is damaged, 2 on usage errors.

            Example: rdbkit validate backups/*.rdb.gz
            """)

    @Argument(help: "Dumps and AOFs (files or directories; '-' for standard input).")
    var files: [String]

    @Flag(help: "Print one JSON object per file instead of text.")
    var json = false

    @Option(name: .customLong("until"), help: "AOF: read only up to the first timestamp annotation later than this time: Unix seconds or ISO 8601 (2026-11-26T12:00:00Z).")
    var untilTime: TimeArgument?
    var until: Int64? { untilTime?.seconds }

    @Option(help: "AOF: the server's `databases` setting (SELECT must stay below it).")
    var databases = 16

    @Flag(name: .customLong("framing-only"), help: "AOF: check the framing only, as redis-check-aof does.")
    var framingOnly = false

    @Flag(help: "AOF: count commands of modules (JSON.SET, FT.CREATE, ...) as damage, as a Redis without the module would.")
    var strict = false

    @Option(name: .customLong("metadata-class"), help: ArgumentHelp("A key metadata class the loading server's modules register (4 characters, e.g. KMT1); repeat for several.", valueName: "name"))
    var metadataClasses: [String] = []

    @OptionGroup(title: "Filters (rejected keys are checked for framing only, and not counted)") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    @OptionGroup var parallel: JobsOptions

    func run() throws {
        if files.contains(where: { InputKind.of($0) == .aof }) { try filtering.refuseForAOF("validate", allowingDatabases: false) }
        var combined = CombinedSummary(files: files.count)
        parallel.each(files, reading: reading, { (index, options) -> (line: String, valid: Bool, keys: Int) in
            let file = files[index]
            if InputKind.of(file) == .aof {
                let report = AOFValidation.validate(path: file, options: options, until: until,
                                                    check: framingOnly ? nil : AOFCommandCheck(databases: databases, strict: strict))
                return (json ? report.jsonLine : report.summaryLine, report.isValid, 0)
            }
            let report = Validator.validate(path: file, filter: filtering.filter, options: options,
                                            registeredMetadataClasses: Set(metadataClasses))
            return (json ? report.jsonLine : report.summaryLine, report.isValid, report.keys)
        }, deliver: { _, result in
            print(result.line)
            combined.add(failed: !result.valid, keys: result.valid ? result.keys : 0)
        })
        if files.count > 1 { print(json ? combined.jsonLine : combined.line(ok: "OK", failed: "BAD")) }
        if combined.failed > 0 { throw CommandFailure() }
    }
}
