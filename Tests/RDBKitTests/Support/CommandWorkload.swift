import Foundation

/// A deterministic mix of write commands over every type (for AOFs a real server writes): keys
/// collide on purpose, collections cross their listpack thresholds, some keys expire, some
/// commands run inside MULTI/EXEC and in other databases.
struct CommandWorkload: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E3779B97F4A7C15 | 1 }

    /// xorshift64: the same sequence on every machine, unlike the system generator.
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    private mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    private mutating func key(_ prefix: String) -> String { "\(prefix):\(next(12))" }

    private mutating func member() -> String {
        next(4) == 0 ? "\(next(1000))" : "m\(next(200))" + String(repeating: "x", count: next(3) == 0 ? 70 : next(8))
    }

    /// `count` commands, each an argument list.
    mutating func commands(_ count: Int) -> [[String]] {
        var out: [[String]] = []
        while out.count < count {
            switch next(22) {
            case 0: out.append(["SET", key("s"), member()])
            case 1: out.append(["SET", key("s"), member(), "PX", "\(100_000 + next(100_000))"])
            case 2: out.append(["INCRBY", key("n"), "\(next(100))"])
            case 3: out.append(["INCRBYFLOAT", key("f"), "1.5"])
            case 4: out.append(["APPEND", key("s"), member()])
            case 5: out.append(["RPUSH", key("l")] + (0..<(1 + next(20))).map { _ in member() })
            case 6: out.append(["LPOP", key("l")])
            case 7: out.append(["SADD", key("set")] + (0..<(1 + next(20))).map { _ in member() })
            case 8: out.append(["SREM", key("set"), member()])
            case 9: out.append(["ZADD", key("z")] + (0..<(1 + next(10))).flatMap { _ in ["\(next(1000)).25", member()] })
            case 10: out.append(["ZINCRBY", key("z"), "2", member()])
            case 11: out.append(["HSET", key("h")] + (0..<(1 + next(10))).flatMap { _ in [member(), member()] })
            case 12: out.append(["HDEL", key("h"), member()])
            case 13: out.append(["XADD", key("x"), "*", "f", member(), "g", "\(next(100))"])
            case 14: out.append(["EXPIRE", key("s"), "\(1000 + next(1000))"])
            case 15: out.append(["DEL", key("s")])
            case 16: out.append(["SELECT", "\(next(3))"])
            case 17:
                out.append(["MULTI"])
                out.append(["INCR", key("n")])
                out.append(["SADD", key("set"), member()])
                out.append(["EXEC"])
            case 18: out.append(["HINCRBY", key("h"), "count", "\(next(10))"])
            case 19: out.append(["LTRIM", key("l"), "0", "\(5 + next(40))"])
            case 20: out.append(["ZREMRANGEBYRANK", key("z"), "0", "\(next(3))"])
            default: out.append(["SPOP", key("set")])
            }
        }
        return out
    }
}

extension RedisServerProcess {
    func pipe(_ commands: [[String]]) throws {
        try pipe(commands.map { $0.map { Array($0.utf8) } })
    }

    /// Sends commands of which some may be refused (wrong types on purpose); returns redis-cli's summary.
    @discardableResult
    func pipeAllowingErrors(_ commands: [[[UInt8]]]) throws -> String {
        var stream: [UInt8] = []
        for args in commands {
            stream += Array("*\(args.count)\r\n".utf8)
            for a in args { stream += Array("$\(a.count)\r\n".utf8) + a + [13, 10] }
        }
        let out = try RedisServerProcess.run(RedisServerProcess.executable("redis-cli")!, ["-p", "\(port)", "--pipe"], input: Data(stream))
        return String(decoding: out.stdout, as: UTF8.self)
    }
}
