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

            Example: rdbkit inspect dump.rdb --top 20 --separator :
            """)

    @Argument(help: "The dump ('-' for standard input), or an AOF file or directory (replayed as merge replays it).")
    var file: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @OptionGroup var summary: SummaryOptions

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func run() throws {
        let filter = filtering.filter
        do {
            var result = try ReplayedDataset.withDataset(file, now: filter.nowMs, options: reading.readerOptions) { (dataset) throws(RDBError) in
                try Inspector.inspect(path: dataset, nowMs: filter.nowMs, top: summary.top, separator: summary.separatorBytes,
                                      filter: filter, options: reading.readerOptions)
            }
            result.replayedAOF = result.path != file
            result.path = file
            print(json ? result.json : result.text)
        } catch {
            FileHandleStandardError.write("rdbkit: \(file): \(error)\n")
            throw CommandFailure()
        }
    }
}
