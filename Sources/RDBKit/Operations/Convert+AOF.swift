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
        let rewriter: AOFRewriter
        do throws(RDBError) {
            rewriter = try AOFRewriter(destination: destination, target: target, dropModules: withoutModules)
        } catch {
            destination.abandon()
            throw error
        }
        try LossPolicy(lossy: lossy).write(rewriter, for: target, aofAt: outputPath) { () throws(RDBError) in
            try RDBReader.read(path: inputPath, visitor: rewriter, filter: filter, options: options)
        }
        return Summary(keys: rewriter.keysWritten, losses: rewriter.losses, checksum: 0)
    }
}

extension AOFDestination {
    /// The destination of `layout` at `path`, a new output of `outputs`.
    convenience init(_ outputs: Outputs, path: String, layout: Convert.AOFLayout) throws(RDBError) {
        switch layout {
        case .singleFile: self.init(file: try outputs.file(path))
        case .multiPart(let prefix): try self.init(directory: try outputs.directory(path), prefix: prefix)
        }
    }
}
