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
    /// manifest, a file (or standard input) whose first byte starts a command (`*`) or an
    /// annotation (`#`), or an RDB followed by commands (see `hasRDBPreamble`).
    public static func looksLikeAOF(_ path: String) -> Bool {
        if path != "-", manifestPath(in: path) != nil { return true }
        guard let head = peekPrefix(path: path, count: 5) else { return false }
        if head.first == UInt8(ascii: "*") || head.first == UInt8(ascii: "#") || (head == Array("file ".utf8) && path != "-") { return true }
        return path != "-" && hasRDBPreamble(path, head: head)
    }

    /// A single-file AOF of Redis 4.0-6.2 with `aof-use-rdb-preamble yes`: the RDB magic, then
    /// after the RDB's checksum the commands written since the rewrite (aof.c loads both). Named
    /// `*.aof`, or (checked by content) ending in a command's CRLF with a command right after the
    /// RDB part — found by skipping that part by its lengths, nothing decoded, only for files
    /// whose last two bytes are CRLF (a dump ends in its checksum).
    static func hasRDBPreamble(_ path: String, head: [UInt8]) -> Bool {
        guard RDBFamily.ofMagic(head) != nil else { return false }
        if path.hasSuffix(".aof") { return true }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var tail: [UInt8] = [0, 0]
        let size = lseek(fd, 0, SEEK_END)
        guard size > 2, tail.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, 2, size - 2) }) == 2, tail == [0x0D, 0x0A] else { return false }
        guard let input = try? InputWindow(source: openInput(path: path)) else { return false }
        var options = ReaderOptions(acceptNewerVersions: true)
        options.isPreamble = true
        guard (try? RDBParser(input: input, visitor: SkippingVisitor(), options: options).run()) != nil,
              let next = try? input.take(1) else { return false }
        return next.first == UInt8(ascii: "*")
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
            throw RDBError(.corrupt(error.message), offset: Int64(error.offset), context: "\(manifestFile) line \(error.line)")
        }
        let manifestName = manifestFile.split(separator: "/").last.map(String.init) ?? manifestFile
        if manifest.all.contains(where: { $0.name == manifestName }) {
            let place = AOFManifest.place(of: manifestName, in: text) ?? (0, 0)
            throw RDBError(.corrupt("the manifest lists itself as an AOF file"), offset: Int64(place.offset),
                           context: "\(manifestFile) line \(place.line)")
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
        guard path != "-", let head = peekPrefix(path: path, count: 5) else { return false }
        return head == Array("file ".utf8) || (path.hasSuffix(".manifest") && head.first == UInt8(ascii: "#"))
    }
}
