/// One command of an append-only file, with where it starts and the `#TS:` time before it.
public struct AOFCommand: Sendable, Equatable {
    /// Byte offset of the command's `*` in its file.
    public var offset: Int64
    /// Unix seconds of the latest `#TS:` annotation before the command (aof-timestamp-enabled).
    public var timestamp: Int64?
    public let arguments: [Bytes]
    /// The arguments a reader spilled (`RESPCommandReader.LongArguments.spilled`), by index;
    /// their places in `arguments` are empty.
    public let spilled: [Int: SpilledString]
    /// The command's name, lowercased (how the command table and the replay look it up): made
    /// once, with the command, for every check and handler that asks.
    public let name: String

    public init(offset: Int64, timestamp: Int64?, arguments: [Bytes], spilled: [Int: SpilledString] = [:]) {
        self.offset = offset
        self.timestamp = timestamp
        self.arguments = arguments
        self.spilled = spilled
        name = String(decoding: arguments.first ?? [], as: UTF8.self).lowercased()
    }

    public static func == (a: AOFCommand, b: AOFCommand) -> Bool {
        a.offset == b.offset && a.timestamp == b.timestamp && a.arguments == b.arguments
            && a.spilled.keys.sorted() == b.spilled.keys.sorted() && a.spilled.allSatisfy { b.spilled[$0.key] === $0.value }
    }

    /// The arguments with the spilled ones read back whole, for a reader that needs them so
    /// (memory: their length).
    public func heldArguments() throws(RDBError) -> [Bytes] {
        guard !spilled.isEmpty else { return arguments }
        var held = arguments
        for (index, long) in spilled { held[index] = try long.bytes() }
        return held
    }
}

/// What a command reader does with an argument longer than a piece (`RESPSyntax.bulkPiece`).
public enum LongArguments: Sendable {
    /// Read into memory whole.
    case held
    /// Checked for framing and given empty, never held: for readers that judge commands (a
    /// value that long is no number and no option name), not ones that apply them.
    case elided
    /// Copied into a temporary file (`AOFCommand.spilled`): for readers that apply or export them.
    case spilled
}

/// Reads the commands of an AOF stream (aof.c loadSingleAppendOnlyFile): RESP arrays of bulk
/// strings (`*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` each), with `#` annotation lines between
/// them. Errors name the offset; the offset after the last whole command is kept for repairs.
public final class RESPCommandReader {
    /// AOF_ANNOTATION_LINE_MAX_LEN: header and annotation lines are read into 1024 bytes.
    static let maximumLineLength = 1024

    private let input: InputWindow
    /// The latest `#TS:` time; set it to carry one over from the file loaded before.
    public var timestamp: Int64?
    /// Where the last whole command (or annotation) ended: everything before it is valid.
    public private(set) var validUpTo: Int64
    /// Commands after the first `#TS:` annotation later than this are not read (point in time).
    public var until: Int64?
    /// The offset of the annotation where `until` stopped the reading.
    public private(set) var stoppedByTimestampAt: Int64?
    public var longArguments = LongArguments.held

    public convenience init(source: ByteSource) {
        self.init(input: InputWindow(source: source, checksummed: false))
    }

    /// Reads commands from `input`'s current offset (after an RDB preamble, say); offsets are
    /// the window's, that is the file's.
    public init(input: InputWindow) {
        self.input = input
        validUpTo = input.offset
    }

    private var position: Int64 { input.offset }

    /// The next command, or nil at a clean end of the input (or at the `until` time).
    public func next() throws(RDBError) -> AOFCommand? {
        guard stoppedByTimestampAt == nil else { return nil }
        return try readCommand()
    }

    private func readCommand() throws(RDBError) -> AOFCommand? {
        while true {
            guard let first = try peekByte() else { return nil }
            let start = position
            if first == UInt8(ascii: "#") {
                let line = try readLine(at: start)
                if line.starts(with: Array("#TS:".utf8)) {
                    guard let ts = Int64(String(decoding: line.dropFirst(4), as: UTF8.self)) else {
                        throw RDBError(.corrupt("invalid timestamp annotation"), offset: start)
                    }
                    if let until, ts > until {
                        stoppedByTimestampAt = start
                        return nil
                    }
                    timestamp = ts
                }
                validUpTo = position
                continue
            }
            guard first == UInt8(ascii: "*") else {
                throw RDBError(.corrupt("bad file format: expected '*' or '#', found byte \(first)"), offset: start)
            }
            let header = try readLine(at: start)
            // Redis holds argc in an int; a larger count would have every later argument in the
            // file gathered into one command before the input ran out.
            guard let argc = RESPSyntax.integer(after: header).map(Int.init), argc >= 1, argc <= Int(Int32.max) else {
                throw RDBError(.corrupt("bad argument count \"\(String(decoding: header, as: UTF8.self))\""), offset: start)
            }
            // Each argument takes at least "$0\r\n\r\n": a count the rest cannot hold is damage.
            if let left = input.remainingKnown, Int64(argc) > left / 6 {
                throw RDBError(.corrupt("argument count \(argc) cannot fit in the \(left) bytes left"), offset: start)
            }
            var arguments: [Bytes] = []
            var spilled: [Int: SpilledString] = [:]
            arguments.reserveCapacity(min(argc, 64))
            for index in 0..<argc {
                let at = position
                let lengthLine = try readLine(at: at)
                let length = try RESPSyntax.bulkLength(lengthLine, at: at)
                switch longArguments {
                case .elided where length > RESPSyntax.bulkPiece:
                    try RESPSyntax.skipBulkBody(input, length: length)
                    arguments.append([])
                case .spilled where length > RESPSyntax.bulkPiece:
                    spilled[index] = try RESPSyntax.spilledBulkBody(input, length: length)
                    arguments.append([])
                default:
                    arguments.append(try RESPSyntax.bulkBody(input, length: length))
                }
            }
            validUpTo = position
            return AOFCommand(offset: start, timestamp: timestamp, arguments: arguments, spilled: spilled)
        }
    }

    private func peekByte() throws(RDBError) -> UInt8? {
        do {
            let b = try input.take(1)
            // Put it back: the window keeps the byte; re-reading is cheaper than tracking state.
            input.unread(1)
            return b[0]
        } catch {
            if case .truncated = error.kind { return nil }
            throw error
        }
    }

    /// A line as Redis reads AOF lines: at most 1024 bytes.
    private func readLine(at start: Int64) throws(RDBError) -> [UInt8] {
        try RESPSyntax.readLine(input, at: start, limit: RESPCommandReader.maximumLineLength)
    }
}
