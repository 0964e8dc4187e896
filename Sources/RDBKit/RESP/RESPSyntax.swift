/// What the RESP rules read from: an AOF file's `InputWindow` or a server connection's input.
/// Views returned by `take` stay valid until the next read.
public protocol RESPInput: AnyObject {
    var offset: Int64 { get }
    func readByte() throws(RDBError) -> UInt8
    func take(_ n: Int) throws(RDBError) -> UnsafeRawBufferPointer
}

extension InputWindow: RESPInput {}

/// The framing rules of RESP, written once for the AOF reader and the network reader:
/// `\r\n`-terminated lines of bounded length, `$<len>` bulk headers and their bodies.
public enum RESPSyntax {
    /// proto-max-bulk-len's default (config.c): a longer bulk is a damaged length.
    public static let maximumBulkLength = 512 * 1024 * 1024

    /// A line up to `\r\n` (not included), at most `limit` bytes; `start` is where errors point.
    public static func readLine<Input: RESPInput>(_ input: Input, at start: Int64, limit: Int) throws(RDBError) -> [UInt8] {
        var line: [UInt8] = []
        while true {
            let b = try input.readByte()
            if b == 0x0A {
                guard line.last == 0x0D else {
                    throw RDBError(.corrupt("line ends with \\n without \\r"), offset: start)
                }
                line.removeLast()
                return line
            }
            line.append(b)
            if line.count > limit {
                throw RDBError(.corrupt("line longer than \(limit) bytes"), offset: start)
            }
        }
    }

    /// The number after a line's type byte (`*3`, `$5`, `:-1`), or nil when it is not one.
    public static func integer(after line: [UInt8]) -> Int64? {
        Int64(String(decoding: line.dropFirst(), as: UTF8.self))
    }

    /// The length of a `$<len>` header line: 0 ... `maximum` (a snapshot's header may say more).
    public static func bulkLength(_ line: [UInt8], at start: Int64, maximum: Int = maximumBulkLength) throws(RDBError) -> Int {
        guard line.first == UInt8(ascii: "$") else {
            throw RDBError(.corrupt("expected prefix '$', got '\(line.first.map { String(UnicodeScalar($0)) } ?? "")'"), offset: start)
        }
        guard let value = integer(after: line), value >= 0, value <= Int64(maximum) else {
            throw RDBError(.corrupt("bad bulk length \"\(String(decoding: line, as: UTF8.self))\""), offset: start)
        }
        return Int(value)
    }

    /// Bodies longer than this are copied out in pieces of it.
    static let bulkPiece = 1 << 20

    /// A bulk body of `length` bytes (copied out) and the `\r\n` after it. A long body is copied
    /// in pieces, so the input's window never holds it as well: it is held once. Its room is
    /// reserved whole, which costs address space only: pages are touched as bytes arrive, so a
    /// length the input does not back costs nothing before it fails.
    public static func bulkBody<Input: RESPInput>(_ input: Input, length: Int) throws(RDBError) -> Bytes {
        var bytes: Bytes
        if length <= bulkPiece {
            bytes = Bytes(try input.take(length))
        } else {
            bytes = []
            bytes.reserveCapacity(length)
            var left = length
            while left > 0 {
                let piece = try input.take(min(left, bulkPiece))
                bytes.append(contentsOf: piece)
                left -= piece.count
            }
        }
        try crlf(after: length, input)
        return bytes
    }

    /// A bulk body of `length` bytes copied in pieces into a temporary file (`SpilledString`),
    /// and the `\r\n` after it: memory holds one piece of it.
    public static func spilledBulkBody<Input: RESPInput>(_ input: Input, length: Int) throws(RDBError) -> SpilledString {
        let spilled = SpilledString()
        var left = length
        while left > 0 {
            let piece = try input.take(min(left, bulkPiece))
            try spilled.append(piece)
            left -= piece.count
        }
        try crlf(after: length, input)
        return spilled
    }

    /// Passes over a bulk body of `length` bytes in pieces, holding none of it, and the `\r\n` after it.
    public static func skipBulkBody<Input: RESPInput>(_ input: Input, length: Int) throws(RDBError) {
        var left = length
        while left > 0 {
            left -= try input.take(min(left, bulkPiece)).count
        }
        try crlf(after: length, input)
    }

    private static func crlf<Input: RESPInput>(after length: Int, _ input: Input) throws(RDBError) {
        let crlfAt = input.offset
        let crlf = try input.take(2)
        guard crlf[0] == 0x0D, crlf[1] == 0x0A else {
            throw RDBError(.corrupt("expected \\r\\n after \(length) bytes"), offset: crlfAt)
        }
    }
}
