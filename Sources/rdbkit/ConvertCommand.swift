import ArgumentParser
import RDBKit

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Re-encode a dump for another Redis or Valkey version, or as JSON, RESP or AOF; replay an AOF into a dump.",
        discussion: """
            Formats are chosen by extension (.rdb, .json, .jsonl, .csv, .resp, .aof) or by --from/--to.

            rdb -> rdb writes the encodings the target server would choose itself (listpacks, \
            intsets, quicklists under its default thresholds, LZF for compressible strings), so a \
            dump from a newer server can be loaded by an older one. Anything the target cannot hold \
            (hash-field TTLs before Redis 7.4, functions before 7.0, stream counters before 7.0, ...) \
            fails the conversion with a list of every such thing, unless --lossy, which drops them \
            and reports each drop. Memory: one key at a time.

            aof -> rdb (or aof) replays the AOF (a file or a multi-part directory) as `merge` does \
            with no deltas: the dataset a server would load from it, as a snapshot.

            rdb -> json/jsonl/csv is the export verb; json/jsonl -> rdb reads the export schema back             (export, convert, export gives the same JSON).

            rdb -> resp writes one RESTORE command per key (payloads for the target version,             ABSTTL expiries, IDLETIME/FREQ), SELECT between databases and FUNCTION LOAD for             libraries, as RESP: load it with `redis-cli --pipe < dump.resp`.

            rdb -> aof writes the commands Redis's own AOF rewrite emits (SELECT, SET, RPUSH, SADD, \
            ZADD and HMSET in batches of 64, HPEXPIREAT for field TTLs, XADD, XSETID, XGROUP and \
            XCLAIM for streams, PEXPIREAT, FUNCTION LOAD; module values as RESTORE), streamed with \
            one batch in memory. --multi-part writes a Redis 7+ directory instead (base, empty \
            incremental file, manifest): start a server with `appendonly yes` and `appenddirname` \
            naming it. As with Redis's rewrite, LRU/LFU metadata is not carried.

            Targets: an RDB version (6-12, 80) or \(RDBTarget.supportedNames.joined(separator: ", ")).

            Example: rdbkit convert dump-7.4.rdb dump-6.2.rdb --target-version redis-6.2 --lossy
            """)

    @Argument(help: "The input dump ('-' for standard input).")
    var input: String

    @Argument(help: "The output file; written under a temporary name and renamed when complete.")
    var output: String

    @Option(help: "Input format: rdb, json or jsonl, when the extension does not say.")
    var from: String?

    @Option(help: "Output format: rdb, json, jsonl, csv, resp or aof, when the extension does not say.")
    var to: String?

    @Option(name: .customLong("target-version"), help: "The server or RDB version to write for (default: redis-7.4).")
    var targetVersion = "redis-7.4"

    @Flag(name: .customLong("multi-part"), help: "aof: write a multi-part AOF directory (Redis 7+) instead of one file.")
    var multiPart = false

    @Option(name: .customLong("aof-filename"), help: "aof --multi-part: the file name prefix, as the server's appendfilename.")
    var aofFilename = "appendonly.aof"

    @Flag(help: "Drop what the target cannot hold, reporting each drop, instead of failing.")
    var lossy = false

    @Flag(name: .customLong("without-modules"),
          help: "Leave out module values and module aux data (a server refuses files with data of modules it lacks).")
    var withoutModules = false

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        if RDBTarget.named(targetVersion) == nil {
            throw ValidationError("unknown target version '\(targetVersion)'; use \(RDBTarget.supportedNames.joined(separator: ", ")) or an RDB version")
        }
        if let from, !["rdb", "json", "jsonl"].contains(from) { throw ValidationError("unknown input format '\(from)' (rdb, json, jsonl)") }
        if outputFormat == nil {
            throw ValidationError("cannot tell the output format of '\(output)'; give --to rdb, json, jsonl, csv, resp or aof")
        }
        if multiPart && outputFormat != "aof" { throw ValidationError("--multi-part goes with --to aof") }
    }

    private var inputIsJSON: Bool {
        if let from { return from != "rdb" }
        return [".json", ".jsonl", ".json.gz", ".jsonl.gz"].contains { input.hasSuffix($0) }
    }

    private var outputFormat: String? {
        if let to { return ["rdb", "json", "jsonl", "csv", "resp", "aof"].contains(to) ? to : nil }
        for ext in ["rdb", "jsonl", "json", "csv", "resp", "aof"] where output.hasSuffix(".\(ext)") { return ext }
        return nil
    }

    func run() throws {
        do {
            if AOFFiles.looksLikeAOF(input) {
                guard outputFormat == "rdb" || outputFormat == "aof" else { throw ValidationError("an AOF converts to rdb or aof (its replayed dataset)") }
                try filtering.refuseForAOF("convert", allowingDatabases: false)
                var options = Merge.Options(target: RDBTarget.named(targetVersion)!, now: Int64(currentUnixMilliseconds()))
                options.output = outputFormat == "aof" ? .aof(multiPart ? .multiPart(prefix: aofFilename) : .singleFile) : .rdb
                options.lossy = lossy
                options.withoutModules = withoutModules
                options.reader = reading.readerOptions
                return report(try Merge.run(base: input, deltas: [], outputPath: output, options: options))
            }
            if inputIsJSON {
                guard outputFormat == "rdb" else { throw ValidationError("JSON input converts to rdb only") }
                return report(try Convert.jsonToRDB(inputPath: input, outputPath: output,
                                                    target: RDBTarget.named(targetVersion)!, lossy: lossy,
                                                    withoutModules: withoutModules))
            }
            switch outputFormat {
            case "json", "jsonl", "csv":
                _ = try Export.run(path: input, outputPath: output, format: ExportFormat(rawValue: outputFormat!)!,
                                   withMeta: false, filter: filtering.filter, options: reading.readerOptions)
            case "aof":
                report(try Convert.rdbToAOF(inputPath: input, outputPath: output,
                                            layout: multiPart ? .multiPart(prefix: aofFilename) : .singleFile,
                                            target: RDBTarget.named(targetVersion)!, lossy: lossy,
                                            withoutModules: withoutModules, filter: filtering.filter,
                                            options: reading.readerOptions))
            case "resp":
                report(try Convert.rdbToRESP(inputPath: input, outputPath: output,
                                             target: RDBTarget.named(targetVersion)!, lossy: lossy,
                                             withoutModules: withoutModules, filter: filtering.filter,
                                             options: reading.readerOptions))
            default:
                report(try Convert.rdbToRDB(inputPath: input, outputPath: output,
                                            target: RDBTarget.named(targetVersion)!, lossy: lossy,
                                            withoutModules: withoutModules, filter: filtering.filter,
                                            options: reading.readerOptions))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandleStandardError.write("rdbkit: \(input): \(error)\n")
            throw CommandFailure()
        }
    }
}

private func report(_ summary: Convert.Summary) {
    for loss in summary.losses {
        FileHandleStandardError.write("rdbkit: dropped: \(loss)\n")
    }
}
