import ArgumentParser
import RDBKit

#if canImport(Glibc)
import Glibc
#endif

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare the keys of two dumps.",
        discussion: """
            Prints one JSON object per difference: {"change":"only_in_a"|"only_in_b"|"changed",\
            "db":N,"key":K,"what":["type","value","expiry"]}, or with --summary only the counts. \
            Values are compared by content, not encoding: the same set as an intset or a \
            hashtable, in any member order, is equal; LRU/LFU metadata is not compared.

            Memory: the smaller file (by size) is read first and kept as its key names plus a \
            40-byte digest per key, never the values; the other file is streamed against it.

            Exit status: 0 when the dumps hold the same keys and values, 1 when they differ, \
            2 when an input cannot be read or on usage errors — for backup checks in CI.

            Example: rdbkit diff backup.rdb dump.rdb --summary
            """)

    @Argument(help: "The first dump (A); an AOF file or directory is replayed as merge replays it.")
    var a: String

    @Argument(help: "The second dump (B), or an AOF.")
    var b: String

    @Flag(help: "Print only the counts.")
    var summary = false

    @Flag(help: "For each changed key, print its old (A) and new (B) value in the export schema (a summary for big keys).")
    var values = false

    @Option(name: .customLong("value-limit"), help: "With --values: the most bytes of JSON shown per value before it becomes a summary.")
    var valueLimit = 4096

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func run() throws {
        let result: Diff.Summary
        do {
            let filter = filtering.filter
            result = try Diff.run(inputs: a, b, filter: filter, options: reading.readerOptions, valueLimit: values ? valueLimit : nil) { (d) throws(RDBError) in
                if !summary { print(d.jsonLine) }
            }
        } catch {
            FileHandleStandardError.write("rdbkit: \(error)\n")
            throw ExitCode(2)
        }
        if summary { print(result.line) }
        if !result.isEqual { throw ExitCode(1) }
    }
}
