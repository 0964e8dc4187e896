#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `repair`: writes the longest valid prefix of an append-only file to a new place (never in
/// place), as `redis-check-aof --fix` would leave it: cut before the first damaged command, and
/// before a MULTI whose EXEC is missing. In a multi-part directory only the last incremental file
/// may be cut, as Redis loads a truncated file only when it is the last. With `until`, the cut is
/// at the first `#TS:` annotation later than it (`--truncate-to-timestamp`); the incremental files
/// after it are left out of the new manifest, which a point in time needs.
public enum AOFRepair {
    public struct Outcome: Sendable {
        /// What was wrong, when something was.
        public var damage: RDBError?
        /// The file that was cut, where, and how many bytes went.
        public var cutFile: String?
        public var cutAt: Int64?
        public var removedBytes: Int64 = 0
        /// The size of the file that was cut.
        public var cutFileSize: Int64 = 0

        /// The share of the cut file that was cut, in percent (one decimal).
        public var cutPercent: Double { cutFileSize > 0 ? (Double(removedBytes) * 1000 / Double(cutFileSize)).rounded() / 10 : 0 }

        /// More than a little: over 1 MiB or 1% of the file, which `repair` points out.
        public var cutIsLarge: Bool { removedBytes > 1 << 20 || removedBytes * 100 > cutFileSize }
        /// Incremental files left out because they come after the point in time.
        public var droppedFiles: [String] = []
    }

    /// `maxCut`: the most bytes the repair may cut; more is refused before anything is written.
    public static func run(path: String, outputPath: String, until: Int64? = nil, maxCut: Int64? = nil,
                           options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Outcome {
        let outputs = Outputs(inputs: [path])
        try outputs.refuseInput(outputPath)
        let report = AOFValidation.validate(path: path, options: options, until: until)
        var outcome = Outcome(damage: report.error)
        try refuseUnrepairable(report, path: path)
        // The part to cut and where; nil when the whole input stands.
        var cut: (part: Int, at: Int64)?
        if let part = report.damagedPart, let at = report.validUpTo { cut = (part, at) }
        if let stop = report.stoppedByTimestamp { cut = (stop.part, stop.offset) }
        if let cut {
            if cut.at == 0 && cut.part == 0 && report.error == nil {
                throw RDBError(.corrupt("nothing was written before timestamp \(until ?? 0)"), context: path)
            }
            if let error = report.error, cut.part != report.layout.parts.count - 1 {
                throw RDBError(error.kind, offset: error.offset, key: error.key,
                               context: report.layout.parts[cut.part].path
                                   + " (not the last file: Redis refuses to load a damaged file followed by others)")
            }
            let cutPath = report.layout.parts[cut.part].path
            var keptBefore: Int64 = 0
            for part in report.layout.parts.prefix(cut.part) { keptBefore += try FileSource(path: part.path).knownSize ?? 0 }
            if let error = report.error, keptBefore + cut.at == 0 {
                throw RDBError(error.kind, offset: error.offset, key: error.key,
                               context: (error.context ?? cutPath) + " (nothing before it is loadable: no repaired copy to write)")
            }
            outcome.cutFile = cutPath
            outcome.cutAt = cut.at
            let size = try FileSource(path: cutPath).knownSize ?? cut.at
            outcome.removedBytes = max(0, size - cut.at)
            outcome.cutFileSize = size
            if let maxCut, outcome.removedBytes > maxCut {
                throw RDBError(.unreadable("repair would cut \(outcome.removedBytes) bytes (\(outcome.cutPercent)% of the file) from offset \(cut.at) to its end, more than --max-cut \(maxCut); nothing was written"),
                               offset: cut.at, context: cutPath)
            }
        }
        // What was written must validate before it takes its name.
        let verify = { (written: String) throws(RDBError) in
            let check = AOFValidation.validate(path: written, options: ReaderOptions(acceptNewerVersions: options.acceptNewerVersions, showProgress: false))
            if let error = check.error {
                throw RDBError(error.kind, offset: error.offset, key: error.key,
                               context: "the repaired copy does not validate, so it was not written: " + (error.context ?? written))
            }
        }
        guard let manifest = report.layout.manifest else {
            try outputs.write(to: outputPath, verifiedBy: verify) { (output) throws(RDBError) in
                try copy(path, prefix: cut?.at, to: output)
            }
            return outcome
        }
        let keptParts = cut.map { $0.part + 1 } ?? report.layout.parts.count
        var kept = manifest
        kept.history = []
        let keptIncrementals = keptParts - (manifest.base == nil ? 0 : 1)
        outcome.droppedFiles = manifest.incrementals.dropFirst(max(0, keptIncrementals)).map(\.name)
        kept.incrementals = Array(manifest.incrementals.prefix(max(0, keptIncrementals)))
        let directory = try outputs.directory(outputPath)
        do throws(RDBError) {
            for (index, part) in report.layout.parts.prefix(keptParts).enumerated() {
                let file = try directory.file(named: fileName(part.path))
                try copy(part.path, prefix: cut?.part == index ? cut?.at : nil, to: file)
                try file.commit()
            }
            let manifestFile = try directory.file(named: fileName(report.layout.manifestPath ?? "appendonly.aof.manifest"))
            try manifestFile.write(kept.rendered())
            try manifestFile.commit()
            try directory.commit(verifiedBy: verify)
        } catch {
            directory.abandon()
            throw error
        }
        return outcome
    }

    /// What a cut cannot fix: an AOF that cannot be opened or whose manifest is wrong, a part
    /// that is not a regular file (a directory, a device: repair reads each part twice), a part
    /// the system cannot read, damage inside RDB content.
    private static func refuseUnrepairable(_ report: AOFValidation, path: String) throws(RDBError) {
        if let error = report.error, report.damagedPart == nil { throw error }
        for part in report.layout.parts {
            var info = stat()
            guard stat(part.path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            guard type != S_IFREG else { continue }
            let what = type == S_IFDIR ? "a directory" + (part.path == path ? " without a manifest (*.manifest)" : "")
                : type == S_IFCHR ? "a character device" : type == S_IFIFO ? "a FIFO" : "not a regular file"
            throw RDBError(.unreadable("\(part.path) is \(what): only regular files can be repaired"))
        }
        guard let error = report.error else { return }
        if case .io = error.kind { throw error }
        if report.damageInRDB {
            throw RDBError(error.kind, offset: error.offset, key: error.key,
                           context: (error.context ?? path) + " (damage in RDB content cannot be cut off)")
        }
    }

    private static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Copies `path` (its first `prefix` bytes, or all of it) into `output`.
    private static func copy(_ path: String, prefix: Int64?, to output: OutputFile) throws(RDBError) {
        let input = InputWindow(source: try FileSource(path: path), checksummed: false)
        var left = prefix ?? .max
        while left > 0 {
            let step = Int(min(left, Int64(InputWindow.chunkSize), max(1, input.remainingKnown ?? 0)))
            guard (input.remainingKnown ?? 0) > 0 else { break }
            try output.write(try input.take(step))
            left -= Int64(step)
        }
    }
}
