/// One reply of a Redis or Valkey server, RESP2 or RESP3.
public indirect enum RESPValue: Sendable, Equatable {
    /// `+OK`, `+PONG`, `+FULLRESYNC …`.
    case simple(String)
    /// `-ERR …` and RESP3's blob error `!`.
    case error(String)
    case integer(Int64)
    /// `$` bulk strings and RESP3's verbatim strings `=` (without their `txt:` tag).
    case bulk(Bytes)
    /// `$-1`, `*-1` and RESP3's `_`.
    case null
    /// `*` arrays and RESP3's sets `~`.
    case array([RESPValue])
    /// RESP3 `%` maps, in the order sent.
    case map([Pair])
    /// RESP3 `>` out-of-band pushes (pub/sub, client tracking).
    case push([RESPValue])
    case double(Double)
    case boolean(Bool)
    /// RESP3 `(` big numbers, kept as their digits.
    case bigNumber(String)

    public struct Pair: Sendable, Equatable {
        public var key: RESPValue
        public var value: RESPValue
    }

    /// Simple, bulk and big-number replies as text.
    public var text: String? {
        switch self {
        case .simple(let s), .bigNumber(let s): return s
        case .bulk(let b): return String(decoding: b, as: UTF8.self)
        case .integer(let i): return String(i)
        default: return nil
        }
    }

    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    public var elements: [RESPValue]? {
        switch self {
        case .array(let a), .push(let a): return a
        case .map(let pairs): return pairs.flatMap { [$0.key, $0.value] }
        default: return nil
        }
    }
}

extension RESPValue: CustomStringConvertible {
    /// As redis-cli shows it, on one line.
    public var description: String {
        switch self {
        case .simple(let s): return s
        case .error(let s): return "(error) " + s
        case .integer(let i): return "(integer) \(i)"
        case .bulk(let b): return "\"" + String(decoding: b, as: UTF8.self) + "\""
        case .null: return "(nil)"
        case .array(let a), .push(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .map(let pairs): return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .double(let d): return "(double) \(d)"
        case .boolean(let b): return b ? "(true)" : "(false)"
        case .bigNumber(let s): return "(big number) " + s
        }
    }
}
