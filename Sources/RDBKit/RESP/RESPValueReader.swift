/// Reads server replies with the RESP rules the AOF reader uses (`RESPSyntax`), for every
/// RESP2 and RESP3 type (resp.c / RESP3 spec). Memory follows what arrived: a claimed element
/// count reserves at most a few slots, and nesting is bounded.
public enum RESPValueReader {
    /// Status and error lines: Redis's own inline limit (PROTO_INLINE_MAX_SIZE).
    public static let maximumLineLength = 64 * 1024
    /// Replies nest a few levels (XINFO STREAM FULL, CLUSTER SHARDS); more is damage.
    public static let maximumDepth = 32

    public static func read<Input: RESPInput>(_ input: Input) throws(RDBError) -> RESPValue {
        try read(input, depth: 0)
    }

    private static func read<Input: RESPInput>(_ input: Input, depth: Int) throws(RDBError) -> RESPValue {
        let start = input.offset
        guard depth < maximumDepth else {
            throw RDBError(.corrupt("reply nested more than \(maximumDepth) levels"), offset: start)
        }
        let line = try RESPSyntax.readLine(input, at: start, limit: maximumLineLength)
        guard let type = line.first else {
            throw RDBError(.corrupt("empty line where a reply was expected"), offset: start)
        }
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch type {
        case UInt8(ascii: "+"): return .simple(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"): return .integer(try number(line, at: start))
        case UInt8(ascii: "_"): return .null
        case UInt8(ascii: "#"): return .boolean(rest == "t")
        case UInt8(ascii: ","): return .double(Double(rest) ?? .nan)
        case UInt8(ascii: "("): return .bigNumber(rest)
        case UInt8(ascii: "$"):
            if rest == "-1" { return .null }
            return .bulk(try RESPSyntax.bulkBody(input, length: RESPSyntax.bulkLength(line, at: start)))
        case UInt8(ascii: "!"), UInt8(ascii: "="):
            let body = try RESPSyntax.bulkBody(input, length: RESPSyntax.bulkLength([UInt8(ascii: "$")] + line.dropFirst(), at: start))
            if type == UInt8(ascii: "!") { return .error(String(decoding: body, as: UTF8.self)) }
            // Verbatim strings start with a three-letter format and a colon ("txt:").
            return .bulk(body.count >= 4 ? Bytes(body.dropFirst(4)) : body)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            let count = try number(line, at: start)
            if count == -1 { return .null }
            let items = try elements(input, count: count, at: start, depth: depth)
            return type == UInt8(ascii: ">") ? .push(items) : .array(items)
        case UInt8(ascii: "%"):
            let count = try number(line, at: start)
            let items = try elements(input, count: count.multipliedReportingOverflow(by: 2).partialValue, at: start, depth: depth)
            return .map(stride(from: 0, to: items.count, by: 2).map { RESPValue.Pair(key: items[$0], value: items[$0 + 1]) })
        default:
            throw RDBError(.corrupt("unknown reply type \(displayKey([type]))"), offset: start)
        }
    }

    private static func number(_ line: [UInt8], at start: Int64) throws(RDBError) -> Int64 {
        guard let value = RESPSyntax.integer(after: line) else {
            throw RDBError(.corrupt("bad number \"\(String(decoding: line, as: UTF8.self))\""), offset: start)
        }
        return value
    }

    private static func elements<Input: RESPInput>(_ input: Input, count: Int64, at start: Int64,
                                                  depth: Int) throws(RDBError) -> [RESPValue] {
        guard count >= 0, count <= Int64(Int32.max) else {
            throw RDBError(.corrupt("bad element count \(count)"), offset: start)
        }
        var items: [RESPValue] = []
        items.reserveCapacity(Int(min(count, 64)))
        for _ in 0..<count { items.append(try read(input, depth: depth + 1)) }
        return items
    }
}
