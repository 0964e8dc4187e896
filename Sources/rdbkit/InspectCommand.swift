import ArgumentParser
import RDBKit

#if canImport(Glibc)
import Glibc
#endif

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize a dump: versions, databases, types, biggest keys, prefixes, TTLs.",
        discussion: """
            One streaming pass. Reports the RDB version and the server that wrote it, creation \
            time, used-mem, replication id and offset; per database the keys, keys with an expiry, \
            keys already expired (at --now) and the resize hints; per type the keys, encodings, \
            bytes in the file and estimated memory (what Redis 7.0's MEMORY USAGE would report); \
            functions and modules; the checksum; the --top biggest keys; the key prefixes (split at \
            --separator) with most keys; keys by time to live.

            Memory stays bounded whatever the key count: the biggest keys are a heap of --top \
            entries; prefixes are counted with the Space-Saving algorithm in a table of 10,000 \
            prefixes (any prefix with more than keys/10,000 keys is always found; the report says \
            how far counts may be over).

            Several inputs are read --jobs at a time; their summaries come in the order given (or, \
            with -o DIR/, one file per input named after it), then one line adding them up.

            Example: rdbkit inspect dump.rdb --top 20 --separator :
            Example: rdbkit inspect shards/*.rdb -o summaries/ --json
            """)

    @Argument(help: "The dumps ('-' for standard input), or AOF files or directories (replayed as merge replays them).")
    var files: [String]

    @Option(name: [.short, .customLong("output")], help: "Write the summary to this file instead of standard output, or to a directory: one file per input, named after it.")
    var output: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @OptionGroup var summary: SummaryOptions

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    @OptionGroup var parallel: JobsOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    func run() throws {
        let outputs = files.count > 1 && output == nil ? files.map { _ in nil } :
            try PerInputOutputs.paths(for: files, output: output, extension: json ? "json" : "txt")
        var combined = CombinedSummary(files: files.count)
        parallel.each(files, reading: reading, { (index, options) -> Result<Inspection, Error> in
            Result { try inspectOne(files[index], options: options) }
        }, deliver: { index, result in
            switch result {
            case .success(let inspection):
                let summary = json ? inspection.json : inspection.text
                guard let path = outputs[index] else {
                    combined.add(failed: false, keys: inspection.keys)
                    return print(summary)
                }
                do {
                    let file = try Outputs(inputs: [files[index]]).file(path)
                    try file.write(Array((summary + "\n").utf8))
                    try file.commit()
                    combined.add(failed: false, keys: inspection.keys)
                    if files.count > 1 { print("OK  \(files[index]) -> \(path): \(inspection.keys) keys") }
                } catch {
                    combined.add(failed: true, keys: 0)
                    FileHandleStandardError.write("rdbkit: \(path): \(error)\n")
                }
            case .failure(let error):
                combined.add(failed: true, keys: 0)
                FileHandleStandardError.write("rdbkit: \(files[index]): \(error)\n")
                if files.count > 1 && output != nil { print("BAD \(files[index]): \(error)") }
            }
        })
        if files.count > 1 {
            print(json ? combined.jsonLine : combined.line(ok: "inspected", failed: "failed"))
        }
        if combined.failed > 0 { throw CommandFailure() }
    }

    private func inspectOne(_ file: String, options: ReaderOptions) throws -> Inspection {
        let filter = filtering.filter
        return try Inspector.inspect(input: file, nowMs: filter.nowMs, top: summary.top, separator: summary.separatorBytes,
                                     filter: filter, options: options)
    }
}
