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
        let report = AOFValidation.validate(path: path, options: options, until: until)
        var outcome = Outcome(damage: report.error)
        if let error = report.error, report.damageInRDB {
            throw RDBError(error.kind, offset: error.offset, key: error.key,
                           context: (error.context ?? path) + " (damage in RDB content cannot be cut off)")
        }
        // The part to cut and where; nil when the whole input stands.
        var cut: (part: Int, at: Int64)?
        if let part = report.damagedPart, let at = report.validUpTo { cut = (part, at) }
        if let stop = report.stoppedByTimestamp { cut = (stop.part, stop.offset) }
        if let cut {
            if cut.at == 0 && cut.part == 0 && report.error == nil {
                throw RDBError(.corrupt("nothing was written before timestamp \(until ?? 0)"), offset: 0, context: path)
            }
            if report.error != nil && cut.part != report.layout.parts.count - 1 {
                throw RDBError(report.error!.kind, offset: report.error!.offset, key: report.error!.key,
                               context: report.layout.parts[cut.part].path
                                   + " (not the last file: Redis refuses to load a damaged file followed by others)")
            }
            let cutPath = report.layout.parts[cut.part].path
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
        guard let manifest = report.layout.manifest else {
            let output = try OutputFile(path: outputPath)
            do throws(RDBError) {
                try copy(path, prefix: cut?.at, to: output)
                try output.commit()
            } catch {
                output.abandon()
                throw error
            }
            return outcome
        }
        let keptParts = cut.map { $0.part + 1 } ?? report.layout.parts.count
        var kept = manifest
        kept.history = []
        let keptIncrementals = keptParts - (manifest.base == nil ? 0 : 1)
        outcome.droppedFiles = manifest.incrementals.dropFirst(max(0, keptIncrementals)).map(\.name)
        kept.incrementals = Array(manifest.incrementals.prefix(max(0, keptIncrementals)))
        let directory = try OutputDirectory(path: outputPath)
        do throws(RDBError) {
            for (index, part) in report.layout.parts.prefix(keptParts).enumerated() {
                let file = try directory.file(named: fileName(part.path))
                try copy(part.path, prefix: cut?.part == index ? cut?.at : nil, to: file)
                try file.commit()
            }
            let manifestFile = try directory.file(named: fileName(report.layout.manifestPath ?? "appendonly.aof.manifest"))
            try manifestFile.write(kept.rendered())
            try manifestFile.commit()
            try directory.commit()
        } catch {
            directory.abandon()
            throw error
        }
        return outcome
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
