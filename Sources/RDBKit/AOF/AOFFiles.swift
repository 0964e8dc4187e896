#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of an append-only file as Redis loads them: a multi-part directory (or its
/// manifest) gives the base then the incremental files; a single file is itself.
public struct AOFFiles: Sendable {
    public struct Part: Sendable {
        public var path: String
        /// A base file in RDB form (`….base.rdb`): read with the RDB reader, not as commands.
        public var isRDB: Bool
    }

    public var parts: [Part]
    public var manifest: AOFManifest?
    public var manifestPath: String?

    /// Whether `path` is an AOF rather than an RDB file: a directory holding a manifest, a
    /// manifest, or a file whose first byte starts a command (`*`) or an annotation (`#`).
    public static func looksLikeAOF(_ path: String) -> Bool {
        if manifestPath(in: path) != nil { return true }
        guard let head = peekPrefix(path: path, count: 5) else { return false }
        return head.first == UInt8(ascii: "*") || head.first == UInt8(ascii: "#") || head == Array("file ".utf8)
    }

    /// The parts to read for `path`.
    public static func open(_ path: String) throws(RDBError) -> AOFFiles {
        guard let manifestFile = manifestPath(in: path) ?? (isManifest(path) ? path : nil) else {
            return AOFFiles(parts: [Part(path: path, isRDB: false)], manifest: nil, manifestPath: nil)
        }
        let source = try FileSource(path: manifestFile)
        let text = try readPrefix(of: source, count: 1 << 20)
        let manifest: AOFManifest
        do {
            manifest = try AOFManifest.parse(text)
        } catch {
            throw RDBError(.corrupt(error.description), offset: 0, context: manifestFile)
        }
        let manifestName = manifestFile.split(separator: "/").last.map(String.init) ?? manifestFile
        if manifest.all.contains(where: { $0.name == manifestName }) {
            throw RDBError(.corrupt("the manifest lists itself as an AOF file"), offset: 0, context: manifestFile)
        }
        let directory = String(manifestFile[..<(manifestFile.lastIndex(of: "/") ?? manifestFile.startIndex)])
        let parts = manifest.loadOrder.map { entry in
            Part(path: directory.isEmpty ? entry.name : directory + "/" + entry.name,
                 isRDB: entry.type == .base && entry.name.hasSuffix(".rdb"))
        }
        return AOFFiles(parts: parts, manifest: manifest, manifestPath: manifestFile)
    }

    /// The `*.manifest` inside a directory.
    private static func manifestPath(in directory: String) -> String? {
        directoryEntries(directory)?.first { $0.hasSuffix(".manifest") }.map { directory + "/" + $0 }
    }

    private static func isManifest(_ path: String) -> Bool {
        guard let head = peekPrefix(path: path, count: 5) else { return false }
        return head == Array("file ".utf8) || (path.hasSuffix(".manifest") && head.first == UInt8(ascii: "#"))
    }
}
