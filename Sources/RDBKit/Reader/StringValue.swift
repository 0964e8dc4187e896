/// A string value (RDB_TYPE_STRING) as the parser hands it to a visitor. Its length is known at
/// once. A value up to the reader's piece size comes `whole`; a longer one stays in the input
/// until the visitor reads it with `forEachPiece`, in pieces of about that size, so a 512 MiB
/// string costs one piece of memory. Like `RDBString`, valid only during the call that receives it,
/// and read at most once (what a visitor leaves unread is still checked, then passed over).
public struct StringValue {
    /// The value's length in bytes (of its decimal text, for an integer). For a value in pieces
    /// this is what the file claims; a claim the input cannot back fails while reading.
    public let count: Int
    /// The bytes, when the value fits one piece; nil for a value that arrives in pieces.
    public let whole: RDBString?
    private let pieces: StringPieceReader?

    /// A value given whole (records replayed from memory, tests).
    public init(_ whole: RDBString) {
        count = whole.count
        self.whole = whole
        pieces = nil
    }

    init(count: Int, pieces: StringPieceReader) {
        self.count = count
        whole = nil
        self.pieces = pieces
    }

    /// The first `count` bytes of a spill file, read back in pieces (the file must outlive the value).
    init(staged file: SpillFile, count: Int) {
        let pieces = StringPieceReader(input: file.readBack(), pieceSize: 1 << 20)
        pieces.expectPlain(count: count)
        self.init(count: count, pieces: pieces)
    }

    /// Calls `body` with the value's bytes: once for a whole value, piece by piece otherwise.
    public func forEachPiece(_ body: (UnsafeRawBufferPointer) throws(RDBError) -> Void) throws(RDBError) {
        switch whole {
        case .bytes(let b): try body(b)
        case .int(let v):
            var text = DecimalText()
            try body(text.render(v))
        case nil: try pieces!.read(into: body)
        }
    }

    /// The value gathered whole (for visitors that keep values anyway: memory is its length).
    public var array: [UInt8] {
        get throws(RDBError) {
            if let whole { return whole.array }
            // Grown as pieces arrive, never reserved: `count` may be a lie the input has yet to expose.
            var bytes: [UInt8] = []
            try forEachPiece { bytes.append(contentsOf: $0) }
            return bytes
        }
    }
}

/// Room for the decimal text of an Int64.
struct DecimalText {
    private var storage: (UInt64, UInt64, UInt64) = (0, 0, 0)

    mutating func render(_ v: Int64) -> UnsafeRawBufferPointer {
        withUnsafeMutableBytes(of: &storage) { raw in
            let n = writeDecimal(v, to: raw.baseAddress!)
            return UnsafeRawBufferPointer(start: raw.baseAddress!, count: n)
        }
    }
}

/// The parser's side of a `StringValue` that arrives in pieces: what is left of it in the input.
final class StringPieceReader {
    private enum Pending {
        case none
        case plain(left: Int)
        case lzf(compressed: Int, expanded: Int, at: Int64)
    }

    private let input: InputWindow
    let pieceSize: Int
    private var pending = Pending.none
    private lazy var decoder = LZFStreamDecoder(pieceSize: pieceSize)

    /// Pieces of at least 21 bytes: an integer's text (20 at most) always comes whole.
    static let smallestPiece = 21

    init(input: InputWindow, pieceSize: Int) {
        self.input = input
        self.pieceSize = max(pieceSize, StringPieceReader.smallestPiece)
    }

    func expectPlain(count: Int) { pending = .plain(left: count) }

    func expectLZF(compressed: Int, expanded: Int, at: Int64) {
        pending = .lzf(compressed: compressed, expanded: expanded, at: at)
    }

    /// Reads what is pending, handing it to `body`.
    func read(into body: (UnsafeRawBufferPointer) throws(RDBError) -> Void) throws(RDBError) {
        let what = pending
        pending = .none
        switch what {
        case .none:
            preconditionFailure("a string value read twice, or after its call")
        case .plain(var left):
            while left > 0 {
                let piece = try input.take(min(left, pieceSize))
                left -= piece.count
                try body(piece)
            }
        case .lzf(let compressed, let expanded, let at):
            guard try decoder.decode(from: input, compressedLength: compressed, expandedLength: expanded, into: body) else {
                throw RDBError.invalidLZF(compressed, expanded, at: at)
            }
        }
    }

    /// Consumes what the visitor left unread: plain bytes are skipped, LZF data is still expanded,
    /// so a damaged string fails whoever reads the file.
    func finish() throws(RDBError) {
        switch pending {
        case .none: return
        case .plain(let left):
            pending = .none
            try input.skip(Int64(left))
        case .lzf:
            try read { _ in }
        }
    }
}

extension RDBError {
    /// An LZF string that does not expand to the length it states (Redis refuses it the same way).
    static func invalidLZF(_ compressed: Int, _ expanded: Int, at offset: Int64) -> RDBError {
        RDBError(.corrupt("invalid LZF compressed string (\(compressed) bytes do not expand to \(expanded))"), offset: offset)
    }
}
