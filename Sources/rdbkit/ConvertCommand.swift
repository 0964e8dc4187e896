import ArgumentParser
import RDBKit

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Re-encode a dump for another Redis or Valkey version, or as JSON, RESP or AOF; replay an AOF into a dump.",
        discussion: """
            The input's format is read from its content (an RDB dump, an AOF file or directory, or \
            the export schema as JSON); the output's from its extension (.rdb, .json, .jsonl, .csv, \
            .resp, .aof) or --to.

            rdb -> rdb writes the encodings the target server would choose itself (listpacks, \
            intsets, quicklists under its default thresholds, LZF for compressible strings), so a \
            dump from a newer server can be loaded by an older one. Anything the target cannot hold \
            (hash-field TTLs before Redis 7.4, functions before 7.0, stream counters before 7.0, ...) \
            fails the conversion with a list of every such thing, unless --lossy, which drops them \
            and reports each drop. Memory: one key at a time.

            aof -> rdb (or aof) replays the AOF (a file or a multi-part directory) as `merge` does \
            with no deltas: the dataset a server would load from it, as a snapshot.

            rdb -> json/jsonl/csv is the export verb; json/jsonl -> rdb reads the export schema back \
            (export, convert, export gives the same JSON).

            rdb -> resp writes one RESTORE command per key (payloads for the target version, \
            ABSTTL expiries, IDLETIME/FREQ), SELECT between databases and FUNCTION LOAD for \
            libraries, as RESP: load it with `redis-cli --pipe < dump.resp`.

            rdb -> aof writes the commands Redis's own AOF rewrite emits (SELECT, SET, RPUSH, SADD, \
            ZADD and HMSET in batches of 64, HPEXPIREAT for field TTLs, XADD, XSETID, XGROUP and \
            XCLAIM for streams, PEXPIREAT, FUNCTION LOAD; module values as RESTORE), streamed with \
            one batch in memory. --multi-part writes a Redis 7+ directory instead (base, empty \
            incremental file, manifest): start a server with `appendonly yes` and `appenddirname` \
            naming it. As with Redis's rewrite, LRU/LFU metadata is not carried.

            Targets: an RDB version (6-14, 80) or \(RDBTarget.supportedNames.joined(separator: ", ")); \
            by default the server family and version that wrote the input, so the output loads \
            where the input did (\(RDBTarget.fallbackName) when the input does not say).

            Filters (--db, --key, ...) select keys of RDB input; an AOF or JSON input is converted \
            whole, and filters given with one are refused.

            Example: rdbkit convert dump-7.4.rdb dump-6.2.rdb --target-version redis-6.2 --lossy
            Example: rdbkit convert dump.rdb -o dump.aof --multi-part
            """)

    @Argument(help: "The input dump ('-' for standard input).")
    var input: String

    @Argument(help: ArgumentHelp("The output file (or give it with -o); written under a temporary name and renamed when complete.", valueName: "output"))
    var outputArgument: String?

    @Option(name: [.short, .customLong("output")], help: "The output file, as the other verbs take it ('-' for standard output).")
    var outputOption: String?

    private var output: String { outputOption ?? outputArgument ?? "" }

    @Option(help: "Input format: rdb, json or jsonl, when its content does not say (an AOF is always read as one).")
    var from: String?

    @Option(help: "Output format: rdb, json, jsonl, csv, resp or aof, when the extension does not say.")
    var to: String?

    @OptionGroup var writing: TargetOptions

    @OptionGroup var aofLayout: AOFLayoutOptions

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        switch (outputArgument, outputOption) {
        case (nil, nil): throw ValidationError("give the output: convert IN OUT, or convert IN -o OUT")
        case (.some(let a), .some(let o)) where a != o: throw ValidationError("two outputs given ('\(a)' and -o '\(o)'); give one")
        default: break
        }
        if let from, !["rdb", "json", "jsonl"].contains(from) { throw ValidationError("unknown input format '\(from)' (rdb, json, jsonl)") }
        if outputFormat == nil {
            throw ValidationError("cannot tell the output format of '\(output)'; give --to rdb, json, jsonl, csv, resp or aof")
        }
        try aofLayout.check(outputIsAOF: outputFormat == "aof")
    }

    /// What the input holds (see `InputKind`); --from names the format of one that is no AOF.
    private var inputKind: InputKind {
        let kind = InputKind.of(input)
        guard kind != .aof, let from else { return kind }
        return from == "rdb" ? .rdb : .json
    }

    private var outputFormat: String? {
        if let to { return ["rdb", "json", "jsonl", "csv", "resp", "aof"].contains(to) ? to : nil }
        for ext in ["rdb", "jsonl", "json", "csv", "resp", "aof"] where output.hasSuffix(".\(ext)") { return ext }
        return nil
    }

    func run() throws {
        let target = writing.target(for: input)
        do {
            let kind = inputKind
            if kind == .aof {
                guard outputFormat == "rdb" || outputFormat == "aof" else { throw ValidationError("an AOF converts to rdb or aof (its replayed dataset)") }
                try filtering.refuseForAOF("convert", allowingDatabases: false)
                var options = Merge.Options(target: target, now: SystemClock.nowMs())
                options.output = outputFormat == "aof" ? .aof(aofLayout.layout) : .rdb
                options.lossy = writing.lossy
                options.withoutModules = writing.withoutModules
                options.reader = reading.readerOptions
                return MergeCommand.report(try Merge.run(base: input, deltas: [], outputPath: output, options: options))
            }
            if kind == .json {
                guard outputFormat == "rdb" else { throw ValidationError("JSON input converts to rdb only") }
                try refuseFilters("a JSON input")
                return reportLosses(try Convert.jsonToRDB(inputPath: input, outputPath: output, target: target,
                                                          lossy: writing.lossy, withoutModules: writing.withoutModules).losses)
            }
            switch outputFormat {
            case "json", "jsonl", "csv":
                _ = try Export.run(path: input, outputPath: output, format: ExportFormat(rawValue: outputFormat!)!,
                                   withMeta: false, filter: filtering.filter, options: reading.readerOptions)
            case "aof":
                reportLosses(try Convert.rdbToAOF(inputPath: input, outputPath: output,
                                                  layout: aofLayout.layout,
                                                  target: target, lossy: writing.lossy, withoutModules: writing.withoutModules,
                                                  filter: filtering.filter, options: reading.readerOptions).losses)
            case "resp":
                reportLosses(try Convert.rdbToRESP(inputPath: input, outputPath: output, target: target, lossy: writing.lossy,
                                                   withoutModules: writing.withoutModules, filter: filtering.filter,
                                                   options: reading.readerOptions).losses)
            default:
                reportLosses(try Convert.rdbToRDB(inputPath: input, outputPath: output, target: target, lossy: writing.lossy,
                                                  withoutModules: writing.withoutModules, filter: filtering.filter,
                                                  options: reading.readerOptions).losses)
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure.reporting(error, about: input)
        }
    }

    /// Filters select keys as the RDB reader meets them; other inputs are converted whole.
    private func refuseFilters(_ what: String) throws {
        if !filtering.filter.isEmpty {
            throw ValidationError("filters (--db, --key, --key-regex, --type, --expired, --min-size) apply to RDB input; \(what) is converted whole")
        }
    }
}
