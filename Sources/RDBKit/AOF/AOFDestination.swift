/// Where rewritten commands go: an encoder alone (the caller completes it), the single file, or
/// the base file of a new multi-part directory, which `finish()` completes (an empty incremental
/// file and the manifest, as Redis leaves them after a rewrite) and renames into place.
final class AOFDestination {
    let encoder: RESPEncoder
    private let directory: (output: OutputDirectory, prefix: String)?

    init(encoder: RESPEncoder) {
        self.encoder = encoder
        directory = nil
    }

    init(file: ByteSink) {
        encoder = RESPEncoder(output: file)
        directory = nil
    }

    init(directory output: OutputDirectory, prefix: String) throws(RDBError) {
        encoder = RESPEncoder(output: try output.file(named: "\(prefix).1.base.aof"))
        directory = (output, prefix)
    }

    func finish() throws(RDBError) {
        try encoder.finish()
        guard let (output, prefix) = directory else { return }
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
