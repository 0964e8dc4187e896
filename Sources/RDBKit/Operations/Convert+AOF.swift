extension Convert {
    /// Where `rdbToAOF` writes: one file, or a Redis 7+ multi-part directory (the commands as its
    /// base `<prefix>.1.base.aof`, an empty `<prefix>.1.incr.aof`, and `<prefix>.manifest`) that a
    /// server started with `appendonly yes` and `appenddirname` set to it loads.
    public enum AOFLayout: Sendable {
        case singleFile
        case multiPart(prefix: String)
    }

    /// Converts a dump into the commands Redis's AOF rewrite would emit (see `AOFRewriter`),
    /// streamed key by key and element by element. Losses fail the conversion unless `lossy`.
    public static func rdbToAOF(inputPath: String, outputPath: String, layout: AOFLayout, target: RDBTarget,
                                lossy: Bool, withoutModules: Bool = false, filter: KeyFilter? = nil,
                                options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Summary {
        let destination = try AOFDestination(Outputs(inputs: [inputPath]), path: outputPath, layout: layout)
        do throws(RDBError) {
            let rewriter = try AOFRewriter(output: destination.encoder, target: target, dropModules: withoutModules)
            try RDBReader.read(path: inputPath, visitor: rewriter, filter: filter, options: options)
            try LossPolicy(lossy: lossy).check(rewriter.losses, target: target, aofAt: outputPath)
            try destination.finish()
            return Summary(keys: rewriter.keys, losses: rewriter.losses, checksum: 0)
        } catch {
            destination.abandon()
            throw error
        }
    }
}

/// Where rewritten commands go for a layout: the encoder over the single file or the base file
/// of a new multi-part directory, which `finish()` completes (empty incremental file, manifest)
/// and renames into place.
final class AOFDestination {
    let encoder: RESPEncoder
    private let directory: (output: OutputDirectory, prefix: String)?

    init(_ outputs: Outputs, path: String, layout: Convert.AOFLayout) throws(RDBError) {
        switch layout {
        case .singleFile:
            encoder = RESPEncoder(output: try outputs.file(path))
            directory = nil
        case .multiPart(let prefix):
            let output = try outputs.directory(path)
            encoder = RESPEncoder(output: try output.file(named: "\(prefix).1.base.aof"))
            directory = (output, prefix)
        }
    }

    func finish() throws(RDBError) {
        try encoder.finish()
        guard let (output, prefix) = directory else { return }
        // An empty incremental file and the manifest naming both, as Redis leaves them after a rewrite.
        let incremental = try output.file(named: "\(prefix).1.incr.aof")
        try incremental.commit()
        var manifest = AOFManifest()
        manifest.base = .init(name: "\(prefix).1.base.aof", sequence: 1, type: .base, extra: [:])
        manifest.incrementals = [.init(name: "\(prefix).1.incr.aof", sequence: 1, type: .incremental, extra: [:])]
        let manifestFile = try output.file(named: "\(prefix).manifest")
        try manifestFile.write(manifest.rendered())
        try manifestFile.commit()
        try output.commit()
    }

    func abandon() {
        encoder.abandon()
        directory?.output.abandon()
    }
}
