import Foundation

/// Random but valid command sequences for the replay differential test: every command family the
/// replay engine covers, over a small key space so keys collide (also across types: the server
/// refuses those, which must change nothing), expiries far in the future and in the past,
/// collections growing past their listpack thresholds, transactions, scripts, several databases.
struct ReplayWorkload {
    private var random: CommandWorkload
    private let payload: (String) -> [UInt8]

    /// `payload` makes a RESTORE payload holding a small list (the test builds it with our writer).
    init(seed: UInt64, payload: @escaping (String) -> [UInt8]) {
        random = CommandWorkload(seed: seed)
        self.payload = payload
    }

    private mutating func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }

    private mutating func key(_ family: String) -> String {
        // One in ten names another family's key on purpose.
        let families = ["s", "l", "set", "z", "h", "x", "n"]
        let f = pick(10) == 0 ? families[pick(families.count)] : family
        return "\(f):\(pick(6))"
    }

    private mutating func member() -> String {
        switch pick(5) {
        case 0: return "\(pick(300))"
        case 1: return "m" + String(repeating: "w", count: 65 + pick(10))
        default: return "m\(pick(150))"
        }
    }

    private mutating func members(_ max: Int) -> [String] { (0..<(1 + pick(max))).map { _ in member() } }

    private mutating func score() -> String {
        switch pick(8) {
        case 0: return "inf"
        case 1: return "-inf"
        case 2: return "\(pick(100))"
        default: return "\(Double(pick(20000)) / 8 - 1000)"
        }
    }

    /// Explicit stream IDs grow from here (XADD `*` takes the server's clock, far above it).
    private var streamClock: UInt64 = 1000

    private mutating func future() -> String { "\(Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000 + Int64(random.next() % 1_000_000))" }

    mutating func commands(_ count: Int) -> [[[UInt8]]] {
        var out: [[String]] = []
        while out.count < count {
            // Rarely, a whole database goes or two trade places.
            if pick(700) == 0 { out.append(["FLUSHDB"]) }
            if pick(500) == 0 { out.append(["SWAPDB", "\(pick(3))", "\(pick(3))"]) }
            switch pick(71) {
            case 0: out.append(["SET", key("s"), member()])
            case 1: out.append(["SET", key("s"), member(), ["NX", "XX", "GET", "KEEPTTL"][pick(4)]])
            case 2: out.append(["SET", key("s"), member(), "PXAT", future()])
            case 3: out.append(["SETNX", key("s"), member()])
            case 4: out.append(["SETEX", key("s"), "\(3600 + pick(100))", member()])
            case 5: out.append(["MSET", key("s"), member(), key("s"), member()])
            case 6: out.append(["MSETNX", key("s"), member(), key("s"), member()])
            case 7: out.append(["APPEND", key("s"), member()])
            case 8: out.append(["SETRANGE", key("s"), "\(pick(20))", member()])
            case 9: out.append(["INCRBY", key("n"), "\(pick(200) - 100)"])
            case 10: out.append(["INCRBYFLOAT", key("n"), ["0.1", "1.5", "-2.25", "3e2"][pick(4)]])
            case 11: out.append(["GETDEL", key("s")])
            case 12: out.append(["GETEX", key("s")] + (pick(2) == 0 ? ["PERSIST"] : ["PX", "\(5_000_000 + pick(1000))"]))
            case 13: out.append(["SETBIT", key("s"), "\(pick(200))", "\(pick(2))"])
            case 14: out.append(["BITOP", ["AND", "OR", "XOR"][pick(3)], key("s"), key("s"), key("s")])
            case 15: out.append(["DEL", key(["s", "l", "z"][pick(3)])])
            case 16: out.append(["PEXPIRE", key(["s", "l", "h"][pick(3)]), "\(4_000_000 + pick(1000))"])
            case 17: out.append(["PEXPIREAT", key(["s", "set"][pick(2)]), "1000"])
            case 18: out.append(["PERSIST", key("s")])
            case 19: out.append(["RENAME", key("l"), key("l")])
            case 20: out.append(["RENAMENX", key("h"), key("h")])
            case 21: out.append(["MOVE", key("s"), "\(1 + pick(2))"])
            case 22: out.append(["COPY", key("z"), key("z"), "REPLACE"])
            case 23: out.append(["SELECT", "\(pick(3))"])
            case 24: out.append(["RPUSH", key("l")] + members(40))
            case 25: out.append(["LPUSH", key("l")] + members(10))
            case 26: out.append([["LPUSHX", "RPUSHX"][pick(2)], key("l"), member()])
            case 27: out.append(["LPOP", key("l"), "\(pick(4))"])
            case 28: out.append(["RPOP", key("l")])
            case 29: out.append(["LINSERT", key("l"), ["BEFORE", "AFTER"][pick(2)], member(), member()])
            case 30: out.append(["LREM", key("l"), "\(pick(5) - 2)", member()])
            case 31: out.append(["LTRIM", key("l"), "\(pick(5))", "\(pick(80) - 10)"])
            case 32: out.append(["LMOVE", key("l"), key("l"), ["LEFT", "RIGHT"][pick(2)], ["LEFT", "RIGHT"][pick(2)]])
            case 33: out.append(["LMPOP", "2", key("l"), key("l"), "LEFT", "COUNT", "\(1 + pick(3))"])
            case 34: out.append(["SADD", key("set")] + members(40))
            case 35: out.append(["SREM", key("set"), member(), member()])
            case 36: out.append(["SPOP", key("set"), "\(pick(3))"])
            case 37: out.append(["SMOVE", key("set"), key("set"), member()])
            case 38: out.append([["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"][pick(3)], key("set"), key("set"), key("set")])
            case 39: out.append(["ZADD", key("z")] + (0..<(1 + pick(20))).flatMap { _ in [score(), member()] })
            case 40: out.append(["ZADD", key("z"), ["NX", "XX", "GT", "LT", "CH"][pick(5)], score(), member()])
            case 41: out.append(["ZADD", key("z"), "INCR", score(), member()])
            case 42: out.append(["ZINCRBY", key("z"), "\(pick(10))", member()])
            case 43: out.append(["ZREM", key("z"), member()])
            case 44: out.append(["ZREMRANGEBYSCORE", key("z"), "(\(pick(100))", "\(pick(500))"])
            case 45: out.append(["ZREMRANGEBYRANK", key("z"), "\(pick(3))", "\(pick(6))"])
            case 46:
                // Lex ranges are defined for members of one score: over mixed scores Redis's
                // answer depends on a skiplist's random levels, even between two of its runs.
                let k = "lex:\(pick(3))"
                out.append(["ZADD", k] + (0..<(1 + pick(30))).flatMap { _ in ["0", member()] })
                out.append(pick(2) == 0 ? ["ZREMRANGEBYLEX", k, "[m1", "(m5"] : ["ZRANGESTORE", k, k, "[a", "(m7", "BYLEX"])
            case 47: out.append([["ZPOPMIN", "ZPOPMAX"][pick(2)], key("z"), "\(1 + pick(3))"])
            case 48: out.append(["ZUNIONSTORE", key("z"), "2", key("z"), key("set"), "WEIGHTS", "2", "0.5", "AGGREGATE", ["SUM", "MIN", "MAX"][pick(3)]])
            case 49: out.append([["ZINTERSTORE", "ZDIFFSTORE"][pick(2)], key("z"), "2", key("z"), key("z")])
            case 50: out.append(["ZRANGESTORE", key("z"), key("z"), "0", "\(pick(10))"] + (pick(2) == 0 ? ["REV"] : []))
            case 51: out.append(["HSET", key("h")] + (0..<(1 + pick(20))).flatMap { _ in [member(), member()] })
            case 52: out.append(["HSETNX", key("h"), member(), member()])
            case 53: out.append(["HDEL", key("h"), member(), member()])
            case 54: out.append(["HINCRBY", key("h"), "count", "\(pick(100) - 50)"])
            case 55: out.append(["HINCRBYFLOAT", key("h"), "float", ["0.1", "2.5", "-1e1"][pick(3)]])
            case 56:
                streamClock += 1 + UInt64(pick(3))
                let id = pick(4) == 0 ? "*" : "\(streamClock)-\(pick(3))"
                out.append(["XADD", key("x")] + (pick(3) == 0 ? ["MAXLEN", "~", "\(5 + pick(20))"] : []) + [id, "f", member(), "g", member()])
            case 57: out.append(["XDEL", key("x"), "\(streamClock - UInt64(pick(5)))-\(pick(3))"])
            case 58: out.append(["XTRIM", key("x"), "MAXLEN", "\(pick(30))"])
            case 59: out.append(["XGROUP", "CREATE", key("x"), "g\(pick(2))", ["0", "$"][pick(2)], "MKSTREAM"])
            case 60: out.append(["XREADGROUP", "GROUP", "g\(pick(2))", "c\(pick(3))", "COUNT", "\(1 + pick(4))", "STREAMS", key("x"), ">"])
            case 61:
                out.append(["MULTI"])
                out.append(["INCR", key("n")])
                out.append(["RPUSH", key("l"), member()])
                out.append(["EXEC"])
            case 62:
                // A script: Redis 7.0 writes its effects, wrapped in MULTI/EXEC.
                out.append(["EVAL", "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SADD', KEYS[2], ARGV[1]); return 1", "2", key("s"), key("set"), member()])
            case 63: out.append(["PFADD", "hll:\(pick(3))"] + members(pick(3) == 0 ? 400 : 20))
            case 64:
                out.append(["PFMERGE", "hll:\(pick(3))", "hll:\(pick(3))", "hll:\(pick(3))"])
                out.append(["PFCOUNT", "hll:\(pick(3))"])
            case 65:
                out.append(["GEOADD", "geo:\(pick(2))"] + (0..<(1 + pick(10))).flatMap { _ in
                    ["\(Double(pick(3600)) / 100 - 18)", "\(Double(pick(3000)) / 100 + 30)", member()]
                })
            case 66:
                out.append(["GEOSEARCHSTORE", "geo:\(2 + pick(2))", "geo:\(pick(2))", "FROMLONLAT", "0", "40", "BYRADIUS",
                            "\(200 + pick(2000))", "km"] + (pick(2) == 0 ? ["ASC", "COUNT", "\(1 + pick(5))"] : []) + (pick(2) == 0 ? ["STOREDIST"] : []))
            case 67:
                out.append(["GEORADIUS", "geo:\(pick(2))", "5", "45", "\(500 + pick(1000))", "mi", ["STORE", "STOREDIST"][pick(2)], "geo:\(2 + pick(2))"])
            case 68:
                var args = ["BITFIELD", key("s")]
                for _ in 0..<(1 + pick(3)) {
                    if pick(3) == 0 { args += ["OVERFLOW", ["WRAP", "SAT", "FAIL"][pick(3)]] }
                    let type = (pick(2) == 0 ? "i" : "u") + "\(1 + pick(pick(2) == 0 ? 8 : 63))"
                    let offset = pick(2) == 0 ? "#\(pick(6))" : "\(pick(100))"
                    args += [["SET", "INCRBY", "GET"][pick(3)], type, offset]
                    if args[args.count - 3] != "GET" { args.append("\(Int64(pick(2000)) - 1000)") }
                }
                out.append(args)
            default:
                let k = key("l")
                out.append(["RESTORE", k, "0", "PAYLOAD", "REPLACE"])
            }
        }
        return out.map { args in
            args.map { arg in arg == "PAYLOAD" ? payload(args[1]) : Array(arg.utf8) }
        }
    }
}
