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

            Several inputs (a cluster's shards) go to -o DIR/, one output per input named after it \
            (shard-1.rdb -> DIR/shard-1.rdb; the format from --to, rdb by default), --jobs at a \
            time; a line per input and one adding them up are printed. An input that fails leaves \
            no output and makes the exit status non-zero; the others are still converted.

            Example: rdbkit convert dump-7.4.rdb dump-6.2.rdb --target-version redis-6.2 --lossy
            Example: rdbkit convert dump.rdb -o dump.aof --multi-part
            Example: rdbkit convert shards/*.rdb -o v9/ --target-version redis-6.2 --jobs 2
            """)

    @Argument(help: ArgumentHelp("The input dump ('-' for standard input), then the output file (or give it with -o); several inputs go to -o DIR/. Outputs are written under a temporary name and renamed when complete.",
                                 valueName: "input"))
    var paths: [String] = []

    @Option(name: [.short, .customLong("output")], help: "The output file, as the other verbs take it ('-' for standard output), or a directory: one output per input, named after it.")
    var outputOption: String?

    /// `convert IN OUT`, `convert IN -o OUT` (also `convert IN OUT -o OUT`), or `convert IN... -o DIR/`.
    private var inputs: [String] {
        guard let outputOption else { return Array(paths.dropLast()) }
        return paths.count == 2 && paths[1] == outputOption ? [paths[0]] : paths
    }

    private var output: String { outputOption ?? paths.last ?? "" }

    @Option(help: "Input format: rdb, json or jsonl, when its content does not say (an AOF is always read as one).")
    var from: String?

    @Option(help: "Output format: rdb, json, jsonl, csv, resp or aof, when the extension does not say.")
    var to: String?

    @OptionGroup var writing: TargetOptions

    @OptionGroup var aofLayout: AOFLayoutOptions

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    @OptionGroup var parallel: JobsOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give the input and the output: convert IN OUT, or convert IN -o OUT") }
        if outputOption == nil {
            if paths.count == 1 { throw ValidationError("give the output: convert IN OUT, or convert IN -o OUT") }
            if paths.count > 2 { throw ValidationError("several inputs go to -o DIR/ (one output per input)") }
        } else if let o = outputOption, inputs.count == 2, !PerInputOutputs.exists(paths[1]) {
            // An input is a file that exists: a second name that does not is a second output.
            throw ValidationError("two outputs given ('\(paths[1])' and -o '\(o)'); give one")
        }
        if let from, !["rdb", "json", "jsonl"].contains(from) { throw ValidationError("unknown input format '\(from)' (rdb, json, jsonl)") }
        if outputFormat == nil {
            throw ValidationError("cannot tell the output format of '\(output)'; give --to rdb, json, jsonl, csv, resp or aof")
        }
        try aofLayout.check(outputIsAOF: outputFormat == "aof")
    }

    /// Several outputs (or one into a directory): one per input in the directory `output` names.
    private var outputIsDirectory: Bool {
        if aofLayout.multiPart && inputs.count == 1 { return false }
        return inputs.count > 1 || output.hasSuffix("/") || PerInputOutputs.isExistingDirectory(output)
    }

    private var outputFormat: String? {
        if let to { return ["rdb", "json", "jsonl", "csv", "resp", "aof"].contains(to) ? to : nil }
        if outputIsDirectory { return "rdb" }
        for ext in ["rdb", "jsonl", "json", "csv", "resp", "aof"] where output.hasSuffix(".\(ext)") { return ext }
        return nil
    }

    func run() throws {
        let outputs = outputIsDirectory ? try PerInputOutputs.paths(for: inputs, output: output, extension: outputFormat!).map { $0! }
            : [output]
        guard inputs.count > 1 else {
            do {
                let converted = try convertOne(inputs[0], to: outputs[0])
                converted.report()
                return
            } catch let error as ValidationError {
                throw error
            } catch {
                throw CommandFailure.reporting(error, about: inputs[0])
            }
        }
        var combined = CombinedSummary(files: inputs.count)
        var status = ExitStatus.damagedInput
        parallel.each(inputs, reading: reading, { (index, options) -> Result<Converted, Error> in
            Result { try convertOne(inputs[index], to: outputs[index], options: options) }
        }, deliver: { index, result in
            switch result {
            case .success(let converted):
                combined.add(failed: false, keys: converted.keys)
                print("OK  \(inputs[index]) -> \(outputs[index]): \(converted.keys) keys")
                converted.report()
            case .failure(let error):
                combined.add(failed: true, keys: 0)
                status = max(status, CommandFailure.reporting(error, about: inputs[index]).status)
                print("BAD \(inputs[index]): \(error)")
            }
        })
        print(combined.line(ok: "converted", failed: "failed"))
        if combined.failed > 0 { throw CommandFailure(status: status) }
    }

    /// One conversion's outcome: the keys written, and what to tell about it on standard error
    /// (told after, so that parallel conversions' lines do not mix).
    struct Converted {
        var keys: Int
        var report: () -> Void
    }

    private func converted(_ summary: Convert.Summary) -> Converted {
        Converted(keys: summary.keys) { reportLosses(summary.losses) }
    }

    /// The library's request for one input (`Convert.run`).
    private func request(_ input: String, to output: String, options: ReaderOptions?) -> Convert.Request {
        let format: Convert.Format = switch outputFormat! {
        case "json": .json
        case "jsonl": .jsonl
        case "csv": .csv
        case "resp": .resp
        case "aof": .aof(aofLayout.layout)
        default: .rdb
        }
        var request = Convert.Request(input: input, output: output, format: format)
        request.writing = writing.writing
        request.declaredKind = from.map { $0 == "rdb" ? .rdb : .json }
        request.filter = filtering.filter
        request.reader = options ?? reading.readerOptions
        return request
    }

    private func convertOne(_ input: String, to output: String, options: ReaderOptions? = nil) throws -> Converted {
        let request = request(input, to: output, options: options)
        let kind = request.kind
        // Usage errors, refused before anything is read: the filters by their names, then the rest.
        if kind == .aof { try filtering.refuseForAOF("convert", allowingDatabases: false) }
        if let refusal = request.refusal(for: kind) { throw ValidationError(refusal) }
        switch try Convert.run(request) {
        case .converted(let summary): return converted(summary)
        case .exported(let summary): return Converted(keys: summary.keys) {}
        case .replayed(let summary): return Converted(keys: summary.keysWritten) { MergeCommand.report(summary) }
        }
    }

}
