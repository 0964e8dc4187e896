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

            Several inputs (a cluster's shards) go to -o DIR/, one output per input named after it \
            (shard-1.rdb -> DIR/shard-1.jsonl), --jobs at a time; a line per input and one adding \
            them up are printed. An input that fails leaves no output and makes the exit status 1; \
            the others are still exported.

            Example: rdbkit export dump.rdb -o dump.jsonl
            Example: rdbkit export shards/*.rdb -o exported/ --jobs 2
            """)

    @Argument(help: "The dumps or AOFs (file or directory; '-' for standard input; compression is detected by content); several go to -o DIR/.")
    var files: [String]

    @Option(help: "jsonl: one object per line; json: one array; csv: the key-level report (database, type, key, size_in_bytes, encoding, num_elements, len_largest_element, expiry); keys: key names only.")
    var format: ExportFormat = .jsonl

    @Option(name: [.short, .customLong("output")], help: "Output file (default: standard output), or a directory: one file per input, named after it.")
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

    @OptionGroup var parallel: JobsOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    func run() throws {
        if files.contains(where: { InputKind.of($0) == .aof }) {
            guard format == .jsonl else { throw ValidationError("an append-only file exports as jsonl only") }
            try filtering.refuseForAOF("export", allowingDatabases: true)
        }
        if withDB && format != .keys { throw ValidationError("--with-db goes with --format keys (the other formats carry the db)") }
        let outputs = try PerInputOutputs.paths(for: files, output: output, extension: format.fileExtension)
        var combined = CombinedSummary(files: files.count)
        var status = ExitStatus.damagedInput
        parallel.each(files, reading: reading, { (index, options) -> Result<Int, Error> in
            Result { try exportOne(files[index], to: outputs[index], filter: filtering.filter, options: options) }
        }, deliver: { index, result in
            switch result {
            case .success(let keys):
                combined.add(failed: false, keys: keys)
                if files.count > 1 { print("OK  \(files[index]) -> \(outputs[index]!): \(keys) keys") }
            case .failure(let error):
                combined.add(failed: true, keys: 0)
                status = max(status, CommandFailure.reporting(error, about: files[index]).status)
                if files.count > 1 { print("BAD \(files[index]): \(error)") }
            }
        })
        if files.count > 1 { print(combined.line(ok: "exported", failed: "failed")) }
        if combined.failed > 0 { throw CommandFailure(status: status) }
    }

    /// Exports one input; returns the keys written.
    private func exportOne(_ file: String, to output: String?, filter: KeyFilter, options: ReaderOptions) throws -> Int {
        if InputKind.of(file) == .aof {
            _ = try AOFExport.run(path: file, outputPath: output, options: options, until: until,
                                  databases: Set(filtering.databases))
            return 0
        }
        let summary = try Export.run(path: file, outputPath: output, format: format, withMeta: withMeta,
                                     filter: filter, options: options, keysWithDB: withDB)
        if let trailing = summary.trailer.trailingBytes {
            FileHandleStandardError.write("rdbkit: warning: \(file): \(trailing.count) bytes after the checksum at offset \(trailing.offset) (ignored, as Redis does)\n")
        }
        return summary.keys
    }
}

extension ExportFormat: ExpressibleByArgument {
    /// The extension of the per-input files of `-o DIR/`.
    var fileExtension: String { self == .keys ? "txt" : rawValue }
}
