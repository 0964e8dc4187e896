import ArgumentParser
import RDBKit

#if canImport(Glibc)
import Glibc
#endif

/// `--jobs` for the verbs that take several inputs (a cluster's shards): how many are read at once.
struct JobsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("With several inputs, how many are read at once (default: the core count, \(ParallelJobs.coreCount) here).",
                               valueName: "n"))
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    var count: Int { jobs ?? ParallelJobs.coreCount }

    /// Runs `body` for every input, at most `count` at once, and hands each result to `deliver` in
    /// input order. With several inputs the progress line is off (lines of parallel reads would mix).
    func each<Result>(_ inputs: [String], reading: ReadingOptions,
                      _ body: @escaping (Int, ReaderOptions) -> Result, deliver: (Int, Result) -> Void) {
        var options = reading.readerOptions
        if inputs.count > 1 { options.showProgress = false }
        ParallelJobs.run(count: inputs.count, jobs: count, { body($0, options) }, deliver: deliver)
    }
}

/// Where each input's output goes: with one input, `-o` as given (a file, or a directory to put it
/// in); with several, `-o` must name a directory (made if missing), which gets one file per input
/// named after it (`shard-1.rdb.gz` -> `DIR/shard-1.jsonl`).
enum PerInputOutputs {
    static func paths(for inputs: [String], output: String?, extension ext: String) throws -> [String?] {
        guard let output, output != "-" else {
            if inputs.count > 1 { throw ValidationError("several inputs need -o DIR/ (one output per input)") }
            return [output]
        }
        let isDirectory = isExistingDirectory(output) || output.hasSuffix("/")
        if inputs.count == 1 && !isDirectory { return [output] }
        guard isDirectory || !exists(output) else {
            throw ValidationError("several inputs need -o DIR/ (one output per input); '\(output)' is not a directory")
        }
        if !exists(output) && mkdir(output, 0o755) != 0 {
            throw ValidationError("cannot create the directory '\(output)': \(String(cString: strerror(errno)))")
        }
        let directory = output.hasSuffix("/") ? String(output.dropLast()) : output
        var seen: [String: String] = [:]
        return try inputs.map { input in
            guard input != "-" else { throw ValidationError("standard input cannot go to -o DIR/; give a file") }
            let path = directory + "/" + stem(of: input) + "." + ext
            if let other = seen[path] {
                throw ValidationError("'\(other)' and '\(input)' would both be written to '\(path)'; rename one")
            }
            seen[path] = input
            if sameFile(path, asAnyOf: inputs) { throw ValidationError("the output '\(path)' is an input") }
            return path
        }
    }

    /// The file name without its directory, a `.gz` and one more extension.
    static func stem(of input: String) -> String {
        var name = Substring(input.split(separator: "/", omittingEmptySubsequences: true).last ?? "input")
        if name.hasSuffix(".gz") { name = name.dropLast(3) }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = name[..<dot] }
        return String(name)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func isExistingDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func sameFile(_ path: String, asAnyOf inputs: [String]) -> Bool {
        var out = stat()
        guard stat(path, &out) == 0 else { return false }
        return inputs.contains { input in
            var info = stat()
            return stat(input, &info) == 0 && info.st_dev == out.st_dev && info.st_ino == out.st_ino
        }
    }
}

/// The closing line of a verb given several inputs: how many were done, how many failed, the keys.
struct CombinedSummary {
    let files: Int
    private(set) var failed = 0
    private(set) var keys = 0

    init(files: Int) {
        self.files = files
    }

    mutating func add(failed: Bool, keys: Int) {
        if failed { self.failed += 1 }
        self.keys += keys
    }

    /// `4 files: 3 OK, 1 BAD, 1800000 keys` (with the verb's words for the two outcomes).
    func line(ok: String, failed failedWord: String) -> String {
        "\(files) files: \(files - failed) \(ok), \(failed) \(failedWord), \(keys) keys"
    }

    /// `{"files":4,"ok":3,"failed":1,"keys":1800000}`: told from the per-file objects by its lack of "path".
    var jsonLine: String {
        "{\"files\":\(files),\"ok\":\(files - failed),\"failed\":\(failed),\"keys\":\(keys)}"
    }
}
