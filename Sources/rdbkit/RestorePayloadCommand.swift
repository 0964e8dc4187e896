import ArgumentParser
import RDBKit

struct RestorePayloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore-payload",
        abstract: "Print each key's DUMP/RESTORE payload.",
        discussion: """
            One JSON object per key: {"db":0,"key":K,"expire_at_ms":N?,"idle":N?,"freq":N?,\
            "payload":{"base64":"..."}}. The payload is what DUMP returns and RESTORE accepts: \
            the value encoded for the target version, that version (2 bytes) and a CRC64. A \
            server accepts payloads of its own RDB version or older.

            Example: rdbkit restore-payload dump.rdb --target-version redis-6.2 -o payloads.jsonl
            """)

    @Argument(help: "The dump ('-' for standard input), or an AOF file or directory (replayed as merge replays it).")
    var file: String

    @Option(name: [.short, .customLong("output")], help: "Output file (default: standard output).")
    var output: String?

    @Option(name: .customLong("target-version"), help: "The server or RDB version the payloads are for.")
    var targetVersion = "redis-7.4"

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        if RDBTarget.named(targetVersion) == nil {
            throw ValidationError("unknown target version '\(targetVersion)'; use \(RDBTarget.supportedNames.joined(separator: ", ")) or an RDB version")
        }
    }

    func run() throws {
        do {
            let filter = filtering.filter
            _ = try ReplayedDataset.withDataset(file, now: filter.nowMs, options: reading.readerOptions) { (dataset) throws(RDBError) in
                try Convert.restorePayloads(inputPath: dataset, outputPath: output, target: RDBTarget.named(targetVersion)!,
                                            filter: filter, options: reading.readerOptions)
            }
        } catch {
            FileHandleStandardError.write("rdbkit: \(file): \(error)\n")
            throw CommandFailure()
        }
    }
}
