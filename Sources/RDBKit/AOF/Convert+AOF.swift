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
        var directory: OutputDirectory?
        let file: OutputFile
        switch layout {
        case .singleFile:
            file = try OutputFile(path: outputPath)
        case .multiPart(let prefix):
            let dir = try OutputDirectory(path: outputPath)
            directory = dir
            file = try dir.file(named: "\(prefix).1.base.aof")
        }
        let encoder = RESPEncoder(output: file)
        do throws(RDBError) {
            let rewriter = try AOFRewriter(output: encoder, target: target, dropModules: withoutModules)
            try RDBReader.read(path: inputPath, visitor: rewriter, filter: filter, options: options)
            let unwanted = rewriter.losses.filter { !$0.requested }
            if !lossy && !unwanted.isEmpty { throw lossError(unwanted, target: target) }
            try encoder.finish()
            if let directory, case .multiPart(let prefix) = layout {
                try completeMultiPart(directory, prefix: prefix)
            }
            return Summary(keys: rewriter.keys, losses: rewriter.losses, checksum: 0)
        } catch {
            encoder.abandon()
            directory?.abandon()
            throw error
        }
    }

    /// The rest of a multi-part directory whose base `<prefix>.1.base.aof` is written: an empty
    /// incremental file and the manifest naming both, as Redis leaves them after a rewrite.
    static func completeMultiPart(_ directory: OutputDirectory, prefix: String) throws(RDBError) {
        let incremental = try directory.file(named: "\(prefix).1.incr.aof")
        try incremental.commit()
        var manifest = AOFManifest()
        manifest.base = .init(name: "\(prefix).1.base.aof", sequence: 1, type: .base, extra: [:])
        manifest.incrementals = [.init(name: "\(prefix).1.incr.aof", sequence: 1, type: .incremental, extra: [:])]
        let manifestFile = try directory.file(named: "\(prefix).manifest")
        try manifestFile.write(manifest.rendered())
        try manifestFile.commit()
        try directory.commit()
    }
}
