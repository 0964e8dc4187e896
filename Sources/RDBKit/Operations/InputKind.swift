/// What an input holds, decided here once for every verb, by its content (and for a directory,
/// its manifest), never by its name: verbs route on it instead of each sniffing for themselves.
public enum InputKind: Sendable, Equatable {
    /// An RDB dump (or its gzip, zstd or lz4).
    case rdb
    /// An append-only file: a multi-part directory or its manifest, a file of commands, or an RDB
    /// preamble followed by commands (see `AOFFiles.looksLikeAOF`).
    case aof
    /// The export schema, JSON Lines or the JSON array (or their gzip): its first byte opens an
    /// object or an array, which no dump and no AOF starts with.
    case json

    /// The kind of `path` ("-" for standard input, whose bytes stay for the reader that follows).
    public static func of(_ path: String) -> InputKind {
        if AOFFiles.looksLikeAOF(path) { return .aof }
        return startsWithJSON(path) ? .json : .rdb
    }

    private static func startsWithJSON(_ path: String) -> Bool {
        guard let source = try? uncompressed(PeekingSource(path: path, limit: 64 << 10)),
              let head = try? readPrefix(of: source, count: 64) else { return false }
        let first = head.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }
}
