/// Checks a command from an AOF beyond its framing: an AOF carries no checksum, so a flipped bit
/// in a name, a number or a count passes redis-check-aof and fails only when Redis loads the file
/// (an unknown command is fatal there) or, worse, loads as different data. Redis itself writes
/// only commands of its table, with their arity, and numbers where the command parses one.
public struct AOFCommandCheck: Sendable {
    /// `databases` in redis.conf: SELECT beyond it fails at load.
    public var databases: Int
    /// Treat commands of modules as damage too (Redis without the module refuses to load them).
    public var strict: Bool

    public init(databases: Int = 16, strict: Bool = false) {
        self.databases = databases
        self.strict = strict
    }

    /// A command of a module (`JSON.SET`, `FT.CREATE`, `BF.ADD`): not in Redis's own table, named
    /// as modules name theirs (`module.command`), so written by a server that had the module
    /// loaded rather than by a flipped bit. Such a command is reported as unknown, not as damage,
    /// unless `strict`.
    public func isModuleCommand(_ command: AOFCommand) -> Bool {
        guard !strict, RedisCommandTable.commands[command.name] == nil else { return false }
        let parts = command.name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            !part.isEmpty && part.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        }
    }

    /// What is wrong with `command`, or nil.
    public func problem(in command: AOFCommand) -> String? {
        Self.tableProblem(in: command) ?? argumentProblem(command.name, command.arguments)
    }

    /// An unknown command or subcommand, or a wrong argument count for it.
    static func tableProblem(in command: AOFCommand) -> String? {
        let args = command.arguments
        let name = command.name
        guard let entry = RedisCommandTable.commands[name] else {
            return "unknown command '\(printable(args[0]))'"
        }
        var arity = entry.arity
        var fullName = name
        if args.count >= 2, let sub = RedisCommandTable.commands[name + "|" + lowercased(args[1])] {
            arity = sub.arity
            fullName = name + " " + lowercased(args[1])
        } else if RedisCommandTable.hasSubcommands(name), args.count >= 2 {
            return "unknown subcommand '\(printable(args[1]))' of \(name)"
        }
        if arity >= 0 ? args.count != arity : args.count < -arity {
            return "wrong number of arguments for '\(fullName)' (\(args.count - 1))"
        }
        return nil
    }

    private func argumentProblem(_ name: String, _ args: [Bytes]) -> String? {
        switch name {
        case "select":
            guard let db = integer(args[1]) else { return notInteger(name, 1, args) }
            return (0..<Int64(databases)).contains(db) ? nil : "SELECT \(db) is out of range (databases \(databases))"
        case "expire", "pexpire", "expireat", "pexpireat", "setex", "psetex", "incrby", "decrby", "lset",
             "lrem", "setrange", "setbit", "move", "restore":
            return requireIntegers(name, args, at: [2])
        case "ltrim", "zremrangebyrank":
            return requireIntegers(name, args, at: [2, 3])
        case "hincrby":
            return requireIntegers(name, args, at: [3])
        case "swapdb":
            return requireIntegers(name, args, at: [1, 2])
        case "incrbyfloat", "zincrby":
            return requireDoubles(name, args, at: [2])
        case "hincrbyfloat":
            return requireDoubles(name, args, at: [3])
        case "mset", "msetnx":
            return args.count % 2 == 1 ? nil : "\(name) needs key/value pairs"
        case "hset", "hmset":
            return args.count % 2 == 0 ? nil : "\(name) needs field/value pairs"
        case "zadd":
            return zaddProblem(args)
        case "set":
            return setOptionsProblem(args)
        case "hpexpireat", "hexpireat", "hpexpire", "hexpire":
            return fieldExpiryProblem(name, args)
        case "xsetid":
            return streamID(args[2]) ? nil : "XSETID: '\(printable(args[2]))' is not a stream ID"
        default:
            return nil
        }
    }

    /// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
    private func zaddProblem(_ args: [Bytes]) -> String? {
        var i = 2
        while i < args.count, ["nx", "xx", "gt", "lt", "ch", "incr"].contains(lowercased(args[i])) { i += 1 }
        let pairs = args.count - i
        guard pairs > 0, pairs % 2 == 0 else { return "zadd needs score/member pairs" }
        for at in stride(from: i, to: args.count, by: 2) where parseDoubleArgument(args[at]) == nil {
            return notFloat("zadd", at, args)
        }
        return nil
    }

    /// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
    private func setOptionsProblem(_ args: [Bytes]) -> String? {
        var i = 3
        while i < args.count {
            switch lowercased(args[i]) {
            case "nx", "xx", "get", "keepttl": i += 1
            case "ex", "px", "exat", "pxat":
                guard i + 1 < args.count else { return "set: \(printable(args[i])) needs a time" }
                guard let t = integer(args[i + 1]), t > 0 else { return notInteger("set", i + 1, args) }
                i += 2
            default: return "set: unknown option '\(printable(args[i]))'"
            }
        }
        return nil
    }

    /// H[P]EXPIRE[AT] key time [NX|XX|GT|LT] FIELDS numfields field...
    private func fieldExpiryProblem(_ name: String, _ args: [Bytes]) -> String? {
        guard integer(args[2]) != nil else { return notInteger(name, 2, args) }
        var i = 3
        if i < args.count, ["nx", "xx", "gt", "lt"].contains(lowercased(args[i])) { i += 1 }
        guard i + 1 < args.count, lowercased(args[i]) == "fields", let n = integer(args[i + 1]) else {
            return "\(name): FIELDS numfields expected at argument \(i)"
        }
        return n == Int64(args.count - i - 2) ? nil : "\(name): FIELDS \(n) but \(args.count - i - 2) fields"
    }

    private func requireIntegers(_ name: String, _ args: [Bytes], at positions: [Int]) -> String? {
        for at in positions where integer(args[at]) == nil { return notInteger(name, at, args) }
        return nil
    }

    private func requireDoubles(_ name: String, _ args: [Bytes], at positions: [Int]) -> String? {
        for at in positions where parseDoubleArgument(args[at]) == nil { return notFloat(name, at, args) }
        return nil
    }

    private func notInteger(_ name: String, _ at: Int, _ args: [Bytes]) -> String {
        "\(name): argument \(at) '\(printable(args[at]))' is not an integer"
    }

    private func notFloat(_ name: String, _ at: Int, _ args: [Bytes]) -> String {
        "\(name): argument \(at) '\(printable(args[at]))' is not a number"
    }
}

/// string2ll's rules: canonical decimal, no sign but '-', no leading zeros, no spaces.
func integer(_ bytes: Bytes) -> Int64? {
    bytes.withUnsafeBytes { canonicalInt64($0) }
}

/// `ms-seq`, `ms` or the special forms XADD/XSETID accept.
func streamID(_ bytes: Bytes) -> Bool {
    let parts = bytes.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
    guard parts.count <= 2, !parts.isEmpty else { return false }
    return parts.allSatisfy { part in !part.isEmpty && UInt64(String(decoding: part, as: UTF8.self)) != nil }
}

private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

private func lowercased(_ bytes: Bytes) -> String { String(decoding: bytes, as: UTF8.self).lowercased() }

/// An argument for an error message: printable ASCII as is, the rest escaped, long ones cut.
func printable(_ bytes: Bytes) -> String {
    var text = ""
    for b in bytes.prefix(64) {
        if (0x20..<0x7F).contains(b) && b != UInt8(ascii: "\\") { text.unicodeScalars.append(UnicodeScalar(b)) } else { text += "\\x" + String(b, radix: 16).leftPadded(to: 2) }
    }
    return bytes.count > 64 ? text + "..." : text
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

extension RedisCommandTable {
    /// Commands that take a subcommand (`config`, `xgroup`, `function`, ...).
    static func hasSubcommands(_ name: String) -> Bool { containers.contains(name) }

    private static let containers: Set<String> = Set(commands.keys.compactMap { key in
        key.firstIndex(of: "|").map { String(key[..<$0]) }
    })
}
