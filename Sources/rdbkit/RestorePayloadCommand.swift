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
            server accepts payloads of its own RDB version or older. What the target cannot \
            hold (a stream before Redis 5, field TTLs before 7.4, ...) fails the run, listing \
            each; with --lossy the key or attribute is dropped and each drop is reported.

            Example: rdbkit restore-payload dump.rdb --target-version redis-6.2 -o payloads.jsonl
            """)

    @Argument(help: "The dump ('-' for standard input), or an AOF file or directory (replayed as merge replays it).")
    var file: String

    @Option(name: [.short, .customLong("output")], help: "Output file (default: standard output).")
    var output: String?

    @OptionGroup var writing: TargetOptions

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func run() throws {
        do {
            let summary = try Convert.restorePayloads(inputPath: file, outputPath: output, target: writing.writing.target(for: file),
                                                      lossy: writing.lossy, withoutModules: writing.withoutModules,
                                                      filter: filtering.filter, options: reading.readerOptions)
            reportLosses(summary.losses)
        } catch {
            throw CommandFailure.reporting(error, about: file)
        }
    }
}
