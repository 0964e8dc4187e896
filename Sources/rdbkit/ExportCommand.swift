import ArgumentParser
import RDBKit

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every key of a dump as JSON, a CSV memory report, or key names.",
        discussion: """
            One JSON object per key, in file order, streamed while the file is read:
              {"db":0,"key":K,"type":"string|list|set|zset|hash|stream|module",
               "expire_at_ms":N?,"idle":N?,"freq":N?,"value":V}
            Byte strings are JSON strings when valid UTF-8, otherwise {"base64":"..."}. The README \
            documents each type's value. --with-meta adds records for the header, aux fields, \
            functions, module aux data, resize hints and slot info, so nothing in the file is \
            unreachable from JSON.

            An append-only file (a multi-part directory, its manifest, or a file of commands) exports \
            its commands: {"offset":N,"db":N,"ts":N?,"args":[...]} ("file" too for directories); \
            keys of RDB content (a base or a preamble) come in the RDB schema where they are.

            Example: rdbkit export dump.rdb -o dump.jsonl
            """)

    @Argument(help: "The dump or AOF (file or directory; '-' for standard input; compression is detected by content).")
    var file: String

    @Option(help: "jsonl: one object per line; json: one array; csv: the key-level report (database, type, key, size_in_bytes, encoding, num_elements, len_largest_element, expiry); keys: key names only.")
    var format: ExportFormat = .jsonl

    @Option(name: [.short, .customLong("output")], help: "Output file (default: standard output).")
    var output: String?

    @Flag(name: .customLong("with-meta"), help: "Also export aux fields, functions and other file-level records.")
    var withMeta = false

    @Flag(name: .customLong("with-db"), help: "keys: print each key's database and a tab before its name.")
    var withDB = false

    @Option(name: .customLong("until"), help: "AOF: export only up to the first timestamp annotation later than this time: Unix seconds or ISO 8601 (2026-11-26T12:00:00Z).")
    var untilTime: TimeArgument?
    var until: Int64? { untilTime?.seconds }

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func run() throws {
        do {
            if AOFFiles.looksLikeAOF(file) {
                guard format == .jsonl else { throw ValidationError("an append-only file exports as jsonl only") }
                try filtering.refuseForAOF("export", allowingDatabases: true)
                _ = try AOFExport.run(path: file, outputPath: output, options: reading.readerOptions, until: until,
                                      databases: Set(filtering.databases))
                return
            }
            if withDB && format != .keys { throw ValidationError("--with-db goes with --format keys (the other formats carry the db)") }
            let summary = try Export.run(path: file, outputPath: output, format: format, withMeta: withMeta,
                                         filter: filtering.filter, options: reading.readerOptions, keysWithDB: withDB)
            if let trailing = summary.trailer.trailingBytes {
                FileHandleStandardError.write("rdbkit: warning: \(file): \(trailing.count) bytes after the checksum at offset \(trailing.offset) (ignored, as Redis does)\n")
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandleStandardError.write("rdbkit: \(file): \(error)\n")
            throw CommandFailure()
        }
    }
}

extension ExportFormat: ExpressibleByArgument {}
