#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way a verb makes its outputs. It knows the verb's inputs by identity (device and
/// inode; an append-only directory or manifest brings its manifest and every part), and refuses,
/// before anything is written, an output that is the same file as one of them: through symbolic
/// and hard links, `convert dump.rdb ./link-to-dump.rdb` is refused as `convert dump.rdb dump.rdb` is.
/// Outputs are `OutputFile`s and `OutputDirectory`s (temporary name, commit or abandon, removed
/// on signals); `write(to:_:)` commits on success and abandons on any error.
///
///     let outputs = try Outputs(inputs: [input])
///     try outputs.write(to: outputPath) { file throws(RDBError) in try file.write(bytes) }
public struct Outputs: Sendable {
    private let inputs: [(path: String, identity: FileIdentity)]

    /// `inputs`: every path the verb reads ("-" and paths that do not exist are left out).
    public init(inputs: [String]) {
        var known: [(String, FileIdentity)] = []
        for path in inputs where path != "-" {
            guard let identity = FileIdentity(path: path) else { continue }
            known.append((path, identity))
            for part in Self.appendOnlyFiles(path) {
                if let identity = FileIdentity(path: part) { known.append((part, identity)) }
            }
        }
        self.inputs = known
    }

    /// Standard output for nil or "-", else `path` (see `OutputFile` for how each kind of path is written).
    public func file(_ path: String?) throws(RDBError) -> OutputFile {
        if let path { try refuseInput(path) }
        return try OutputFile(path: path)
    }

    /// A new multi-part directory at `path`.
    public func directory(_ path: String) throws(RDBError) -> OutputDirectory {
        try refuseInput(path)
        return try OutputDirectory(path: path)
    }

    /// Writes `path` with `body`, committing when it returns and abandoning when it throws.
    public func write<T>(to path: String?, verifiedBy verify: ((String) throws(RDBError) -> Void)? = nil,
                         _ body: (OutputFile) throws(RDBError) -> T) throws(RDBError) -> T {
        let output = try file(path)
        do throws(RDBError) {
            let result = try body(output)
            try output.commit(verifiedBy: verify)
            return result
        } catch {
            output.abandon()
            throw error
        }
    }

    /// Throws when `path` names the same file as an input.
    public func refuseInput(_ path: String) throws(RDBError) {
        guard path != "-", let identity = FileIdentity(path: path),
              let input = inputs.first(where: { $0.identity == identity }) else { return }
        throw RDBError(.outputIsInput(output: path, input: input.path), offset: 0)
    }

    /// The manifest and parts of an append-only directory or manifest; nothing for other paths
    /// (a FIFO is not opened here: reading it would consume it).
    private static func appendOnlyFiles(_ path: String) -> [String] {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR || (info.st_mode & S_IFMT) == S_IFREG,
              let files = try? AOFFiles.open(path), let manifest = files.manifestPath else { return [] }
        return [manifest] + files.parts.map(\.path)
    }
}
