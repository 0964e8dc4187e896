/// One thing of the source to send, in source order (`sequence`, what a resume point counts):
/// a key as `RESTORE`, a key as plain commands where RESTORE cannot carry it, a function
/// library, or a command of an AOF.
struct RestoreItem {
    enum Body {
        case payload(Bytes, expireAtMs: Int64?, idleSeconds: UInt64?, lfuFrequency: UInt8?)
        /// The AOF rewrite's commands for the key, already in RESP, and how many they are.
        case plain(Bytes, commands: Int)
        case function(Bytes)
        case command([Bytes])
    }

    var sequence: Int
    /// The database on the target (after --db-map).
    var db: Int
    /// Empty for functions; an AOF command's first key, for routing.
    var key: Bytes
    var body: Body
    /// Sent with REPLACE: asked for, or after the server said the key exists.
    var replacing = false
    /// Sent again after a reconnection: the first sending may have been applied.
    var resent = false
    /// Seen in a run that stopped before its reply came (--resume).
    var inDoubt = false

    /// The commands as arguments (not for `.plain`, which is already encoded).
    var arguments: [Bytes] {
        switch body {
        case .payload(let payload, let expireAtMs, let idle, let freq):
            var args: [Bytes] = [RestoreItem.word("RESTORE"), key, RestoreItem.word(String(expireAtMs ?? 0)), payload]
            if replacing { args.append(RestoreItem.word("REPLACE")) }
            args.append(RestoreItem.word("ABSTTL"))
            if let idle {
                args += [RestoreItem.word("IDLETIME"), RestoreItem.word(String(idle))]
            } else if let freq {
                args += [RestoreItem.word("FREQ"), RestoreItem.word(String(freq))]
            }
            return args
        case .function(let code):
            return replacing ? [RestoreItem.word("FUNCTION"), RestoreItem.word("LOAD"), RestoreItem.word("REPLACE"), code]
                : [RestoreItem.word("FUNCTION"), RestoreItem.word("LOAD"), code]
        case .command(let args):
            return args
        case .plain:
            return []
        }
    }

    /// Replies the item's sending asks for.
    var replies: Int {
        if case .plain(_, let commands) = body { return commands + 1 }  // the DEL before them
        return 1
    }

    /// Bytes on the wire, roughly: what bounds the window's memory.
    var size: Int {
        switch body {
        case .payload(let payload, _, _, _): return payload.count + key.count + 64
        case .plain(let bytes, _): return bytes.count
        case .function(let code): return code.count + 32
        case .command(let args): return args.reduce(16) { $0 + $1.count + 16 }
        }
    }

    static func word(_ text: String) -> Bytes { Array(text.utf8) }
}
