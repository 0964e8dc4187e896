/// A verb that writes for a target defaults to the server that wrote its input, so a converted
/// or merged file loads in the server whose file it came from (a Redis 7.0 dump stays RDB 10,
/// a Valkey 9 dump stays VALKEY080).
extension RDBTarget {
    /// The target when the input does not say (commands-only AOF, JSON without its header record).
    public static let fallbackName = "redis-7.4"

    /// The newest Redis this writer makes files for.
    static let newestRedisName = "redis-8.8"

    /// The target for `input`'s own server: its magic and version, and whether a `valkey-ver`
    /// aux field says Valkey wrote it (Valkey 8 writes Redis's magic). For an append-only file,
    /// its RDB base or preamble. Nil when the input holds no RDB header to go by. Reads only the
    /// first 64 KiB (a stream's bytes are kept for the reader that follows: see `peekPrefix`).
    public static func ofInput(_ path: String) -> RDBTarget? {
        guard let (header, writtenByValkey) = inputHeader(path) else { return nil }
        return matching(header, writtenByValkey: writtenByValkey)
    }

    /// The RDB header of `path` (of its RDB base or preamble when it is an AOF), and whether a
    /// `valkey-ver` aux field follows it; nil when there is none to read.
    static func inputHeader(_ path: String) -> (RDBHeader, writtenByValkey: Bool)? {
        var rdbPath = path
        if InputKind.of(path) == .aof {
            guard let first = (try? AOFFiles.open(path))?.parts.first else { return nil }
            rdbPath = first.path
        }
        let visitor = HeaderVisitor()
        do throws(RDBError) {
            try RDBReader.read(source: try uncompressed(PeekingSource(path: rdbPath, limit: 64 << 10)), visitor: visitor)
        } catch {}
        return visitor.header.map { ($0, visitor.writtenByValkey) }
    }

    /// The named target that writes `header`'s version (the newest Redis release writing it;
    /// RDB 1-5 as RDB 6, the oldest this writer makes; a newer one as the newest).
    static func matching(_ header: RDBHeader, writtenByValkey: Bool) -> RDBTarget {
        if header.family == .valkey { return named("valkey-9")! }
        if writtenByValkey && header.version == 11 { return named("valkey-8")! }
        return named(String(max(header.version, 6))) ?? named(newestRedisName)!
    }
}

/// Reads the header and aux fields, and stops at the first thing after them.
private final class HeaderVisitor: RDBVisitor {
    var header: RDBHeader?
    var writtenByValkey = false

    private static let stop = RDBError(.corrupt("header read"), offset: 0)

    func header(_ header: RDBHeader) throws(RDBError) { self.header = header }
    func aux(name: RDBString, value: RDBString) throws(RDBError) {
        if name.array == Array("valkey-ver".utf8) { writtenByValkey = true }
    }
    func selectDB(_ db: Int) throws(RDBError) { throw Self.stop }
    func function(code: RDBString) throws(RDBError) { throw Self.stop }
    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction { throw Self.stop }
}

/// What every verb that writes for a target is told (convert, merge, restore-payload: the
/// command line's one option group): the target, the loss policy, whether modules are left out.
public struct TargetWriting: Sendable {
    /// The target asked for; nil: the server that wrote the input (`RDBTarget.ofInput`), else
    /// `RDBTarget.fallbackName`.
    public var target: RDBTarget?
    /// Drop what the target cannot hold, reporting each drop, instead of failing (`LossPolicy`).
    public var lossy = false
    /// Leave out module values and module aux data (a drop asked for: reported, never refused).
    public var withoutModules = false

    public init(target: RDBTarget? = nil, lossy: Bool = false, withoutModules: Bool = false) {
        self.target = target
        self.lossy = lossy
        self.withoutModules = withoutModules
    }

    /// The target asked for, else the one `input` was written by.
    public func target(for input: String) -> RDBTarget {
        target ?? RDBTarget.ofInput(input) ?? RDBTarget.named(RDBTarget.fallbackName)!
    }
}
