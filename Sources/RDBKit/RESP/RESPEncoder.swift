/// Writes commands as RESP arrays of bulk strings (the AOF format, and what `redis-cli --pipe`
/// sends), buffered in about 1 MiB writes. A command can be given whole, or as a count followed
/// by its arguments, so elements go out without being gathered first.
public final class RESPEncoder {
    private let file: ByteSink
    private let out: WriteBuffer
    private let buffer: ScratchBuffer
    public private(set) var commands = 0

    public init(output: ByteSink) {
        file = output
        out = WriteBuffer(sink: output)
        buffer = out.bytes
    }

    public func command(_ args: [Bytes]) throws(RDBError) {
        begin(count: args.count)
        for a in args { a.withUnsafeBytes { argument($0) } }
        try end()
    }

    /// Starts a command of `count` arguments (the name included).
    public func begin(count: Int) {
        text("*\(count)\r\n")
    }

    public func argument(_ bytes: UnsafeRawBufferPointer) {
        text("$\(bytes.count)\r\n")
        buffer.append(bytes)
        text("\r\n")
    }

    public func argument(_ string: RDBString) {
        string.withBytes { argument($0) }
    }

    /// A string value, long ones copied through piece by piece (its length is known up front).
    public func argument(_ value: StringValue) throws(RDBError) {
        if let whole = value.whole { return argument(whole) }
        text("$\(value.count)\r\n")
        try value.forEachPiece { (piece) throws(RDBError) in
            buffer.append(piece)
            if out.isFull { try flush() }
        }
        text("\r\n")
    }

    /// A staged argument (a RESTORE payload), copied out piece by piece.
    func argument(_ staged: StagedBytes) throws(RDBError) {
        text("$\(staged.count)\r\n")
        try staged.forEachPiece { (piece) throws(RDBError) in
            buffer.append(piece)
            if buffer.count >= 1 << 20 { try flush() }
        }
        text("\r\n")
    }

    public func argument(_ word: String) {
        var word = word
        word.withUTF8 { argument(UnsafeRawBufferPointer($0)) }
    }

    /// Ends a command begun with `begin(count:)`.
    public func end() throws(RDBError) {
        commands += 1
        if out.isFull { try flush() }
    }

    /// Annotation lines (`#TS:`) between commands.
    public func annotation(_ line: String) {
        text("#" + line + "\r\n")
    }

    private func text(_ s: String) {
        var s = s
        s.withUTF8 { buffer.append(UnsafeRawBufferPointer($0)) }
    }

    /// Writes what is buffered (whole commands only, when called between them).
    public func flush() throws(RDBError) { try out.flush() }

    public func finish() throws(RDBError) {
        try flush()
        try file.commit()
    }

    public func abandon() { file.abandon() }
}
