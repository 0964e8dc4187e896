import ArgumentParser
import RDBKit

#if canImport(Glibc)
import Glibc
#endif

/// The key filters every reading verb takes. A rejected key's value is skipped by its lengths,
/// not decoded.
struct FilterOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "Only keys of this database (repeatable).")
    var databases: [Int] = []

    @Option(name: .customLong("key"), help: "Only keys matching this glob, as KEYS matches: * ? [a-z] \\x (repeatable).")
    var keyPatterns: [String] = []

    @Option(name: .customLong("key-regex"), help: "Only keys containing a match of this regular expression.")
    var keyRegex: String?

    @Option(name: .customLong("type"), help: "Only keys of this type (repeatable).")
    var types: [RedisType] = []

    @Flag(name: .customLong("expired"), help: "Only keys whose expiry has passed (relative to --now).")
    var onlyExpired = false

    @Flag(name: .customLong("not-expired"), help: "Only keys without an expiry or whose expiry is still ahead.")
    var onlyNotExpired = false

    @Option(help: "The time expiries are judged against, in unix milliseconds (default: now).")
    var now: Int64?

    @Option(name: .customLong("min-size"),
            help: "Only keys whose estimated memory (as Redis 7.0 reports it) is at least this many bytes. Keys are then held whole while they are sized.")
    var minimumSize: Int?

    func validate() throws {
        if onlyExpired && onlyNotExpired { throw ValidationError("--expired and --not-expired exclude each other") }
        if let minimumSize, minimumSize < 0 { throw ValidationError("--min-size must not be negative") }
        if let keyRegex {
            do { _ = try KeyRegex(keyRegex) } catch { throw ValidationError("--key-regex: \(error)") }
        }
    }

    /// The filters an AOF's commands cannot be judged by (a command has no type, expiry or size
    /// before it is replayed), refused by name; `allowingDatabases` keeps --db, which commands
    /// have through SELECT.
    func refuseForAOF(_ verb: String, allowingDatabases: Bool) throws {
        var given: [String] = []
        if !databases.isEmpty && !allowingDatabases { given.append("--db") }
        if !keyPatterns.isEmpty { given.append("--key") }
        if keyRegex != nil { given.append("--key-regex") }
        if !types.isEmpty { given.append("--type") }
        if onlyExpired { given.append("--expired") }
        if onlyNotExpired { given.append("--not-expired") }
        if minimumSize != nil { given.append("--min-size") }
        guard !given.isEmpty else { return }
        throw ValidationError("\(given.joined(separator: ", ")) cannot filter an AOF's commands in \(verb)"
            + (allowingDatabases ? " (--db can)" : "")
            + "; replay it first (rdbkit merge AOF -o dump.rdb) and filter the dump")
    }

    var filter: KeyFilter {
        var f = KeyFilter(nowMs: now ?? SystemClock.nowMs())
        f.databases = Set(databases)
        f.keyPatterns = keyPatterns.map { GlobPattern(Array($0.utf8)) }
        f.keyRegex = keyRegex.flatMap { try? KeyRegex($0) }
        f.types = Set(types)
        f.expired = onlyExpired ? true : onlyNotExpired ? false : nil
        f.minimumSize = minimumSize
        return f
    }
}

extension RedisType: ExpressibleByArgument {}
