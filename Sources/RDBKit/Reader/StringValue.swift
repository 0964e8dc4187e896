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

    /// Calls `body` with the value as one string, gathered first when it arrives in pieces (for
    /// visitors that need an element whole: memory is its length).
    public func withWhole(_ body: (RDBString) throws(RDBError) -> Void) throws(RDBError) {
        if let whole { return try body(whole) }
        let gathered = ScratchBuffer()
        try forEachPiece { gathered.append($0) }
        try body(.bytes(gathered.bytes))
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

/// The parser's side of a `StringValue` that arrives in pieces: a string read in order (plain
/// bytes from a window — the input, or a copy staged in a spill file — or LZF data expanded as it
/// is read). The value handed out is the whole string, or, for a container walked as a stream
/// (`StreamedListpack`), one of its entries: the parser asks for the rest with `next(atMost:)`.
final class StringPieceReader {
    private enum Source {
        case plain(InputWindow)
        case lzf(compressed: Int, expanded: Int, at: Int64)
    }

    private let input: InputWindow
    let pieceSize: Int
    private var source: Source
    /// Bytes of the string not yet taken.
    private(set) var left = 0
    /// Expanded bytes not yet taken (a piece is taken in parts when fewer bytes are asked for).
    private var ready = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Bytes of the value handed out that it has not read yet; nil when no value is pending.
    private var valueLeft: Int?
    /// The value pending is the whole string (its end is checked once it is read).
    private var valueIsWhole = false
    private lazy var decoder = LZFStreamDecoder(pieceSize: pieceSize)

    /// Pieces of at least 21 bytes: an integer's text (20 at most) always comes whole.
    static let smallestPiece = 21

    init(input: InputWindow, pieceSize: Int) {
        self.input = input
        source = .plain(input)
        self.pieceSize = max(pieceSize, StringPieceReader.smallestPiece)
    }

    /// A plain string of `count` bytes in `window` (the input unless staged), the value pending.
    func expectPlain(count: Int, in window: InputWindow? = nil) {
        startPlain(count: count, in: window)
        valueLeft = count
        valueIsWhole = true
    }

    func expectLZF(compressed: Int, expanded: Int, at: Int64) {
        startLZF(compressed: compressed, expanded: expanded, at: at)
        valueLeft = expanded
        valueIsWhole = true
    }

    /// Starts a string whose bytes the parser takes itself (`next`), handing out parts as values.
    func startPlain(count: Int, in window: InputWindow? = nil) {
        source = .plain(window ?? input)
        left = count
    }

    func startLZF(compressed: Int, expanded: Int, at: Int64) {
        source = .lzf(compressed: compressed, expanded: expanded, at: at)
        decoder.begin(compressedLength: compressed, expandedLength: expanded)
        ready = UnsafeRawBufferPointer(start: nil, count: 0)
        left = expanded
    }

    /// The next `count` bytes of the string as the value pending (an entry of a streamed container).
    func expectPart(count: Int) {
        valueLeft = count
        valueIsWhole = false
    }

    /// The next bytes of the string, at most `n` (and at least one while any are left); valid
    /// until the next call.
    func next(atMost n: Int) throws(RDBError) -> UnsafeRawBufferPointer {
        switch source {
        case .plain(let window):
            let piece = try window.take(min(n, left))
            left -= piece.count
            return piece
        case .lzf(let compressed, let expanded, let at):
            if ready.isEmpty {
                guard case .piece(let bytes) = try decoder.nextPiece(from: input) else {
                    throw RDBError.invalidLZF(compressed, expanded, at: at)
                }
                ready = bytes
            }
            let piece = UnsafeRawBufferPointer(rebasing: ready.prefix(min(n, left)))
            ready = UnsafeRawBufferPointer(rebasing: ready.dropFirst(piece.count))
            left -= piece.count
            return piece
        }
    }

    /// Passes over the next `count` bytes of the string (LZF data is still expanded, so checked).
    func skip(_ count: Int) throws(RDBError) {
        if case .plain(let window) = source {
            try window.skip(Int64(count))
            left -= count
            return
        }
        var n = count
        while n > 0 { n -= try next(atMost: n).count }
    }

    /// After the string's last byte is taken: LZF data must end there, exactly.
    func end() throws(RDBError) {
        guard case .lzf(let compressed, let expanded, let at) = source else { return }
        guard case .done = try decoder.nextPiece(from: input) else {
            throw RDBError.invalidLZF(compressed, expanded, at: at)
        }
    }

    /// Reads the value pending, handing it to `body`.
    func read(into body: (UnsafeRawBufferPointer) throws(RDBError) -> Void) throws(RDBError) {
        guard var count = valueLeft else {
            preconditionFailure("a string value read twice, or after its call")
        }
        valueLeft = nil
        while count > 0 {
            let piece = try next(atMost: min(count, pieceSize))
            count -= piece.count
            try body(piece)
        }
        if valueIsWhole { try end() }
    }

    /// Consumes what the visitor left unread of the value: plain bytes are skipped, LZF data is
    /// still expanded, so a damaged string fails whoever reads the file.
    func finish() throws(RDBError) {
        guard let count = valueLeft else { return }
        valueLeft = nil
        try skip(count)
        if valueIsWhole { try end() }
    }
}

extension RDBError {
    /// An LZF string that does not expand to the length it states (Redis refuses it the same way).
    static func invalidLZF(_ compressed: Int, _ expanded: Int, at offset: Int64) -> RDBError {
        RDBError(.corrupt("invalid LZF compressed string (\(compressed) bytes do not expand to \(expanded))"), offset: offset)
    }
}
