/// Expands an LZF string (the format of liblzf's lzf_d.c) piece by piece, so a 512 MiB string
/// costs one piece of memory instead of its length. liblzf has no streaming interface; this is
/// lzf_decompress's loop over a sliding window (a back-reference reaches at most 8 KiB back), and
/// the `lzf_stream` fuzz target checks it against liblzf on the same inputs. The decoder is
/// resumable (`begin`, then `nextPiece` until `.done`), so a reader can pull a string's bytes as
/// it needs them (a container walked as a stream); `decode` pushes them all.
final class LZFStreamDecoder {
    /// The farthest a back-reference reaches: ((0x1f << 8) | 0xff) + 1.
    static let history = 8192
    /// The most one token expands to: a back-reference of 7 + 255 + 2 bytes.
    private static let longestToken = 264

    enum Step {
        /// The next expanded bytes, valid until the next call.
        case piece(UnsafeRawBufferPointer)
        /// Everything expanded, to exactly the stated length.
        case done
        /// The data does not expand to the stated length (as `lzf_decompress` decides).
        case invalid
    }

    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    let pieceSize: Int

    // The string being expanded.
    private var inputLeft = 0
    private var expandedLength = 0
    private var produced = 0
    private var op = 0
    private var emitted = 0
    private var slideFirst = false

    init(pieceSize: Int) {
        self.pieceSize = max(pieceSize, 1)
        capacity = LZFStreamDecoder.history + self.pieceSize + LZFStreamDecoder.longestToken
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Starts a string of `compressedLength` bytes, to be read from the input by `nextPiece`.
    func begin(compressedLength: Int, expandedLength: Int) {
        inputLeft = compressedLength
        self.expandedLength = expandedLength
        produced = 0
        op = 0
        emitted = 0
        slideFirst = false
    }

    /// Expands the next piece (about `pieceSize` bytes) of the string begun, reading its data from
    /// `input`. After `.invalid` the input stops somewhere inside the string.
    func nextPiece(from input: InputWindow) throws(RDBError) -> Step {
        let flushAt = capacity - LZFStreamDecoder.longestToken
        if slideFirst {
            // Keep the history a back-reference may reach, at the front.
            buffer.copyMemory(from: buffer + (op - LZFStreamDecoder.history), byteCount: LZFStreamDecoder.history)
            op = LZFStreamDecoder.history
            emitted = op
            slideFirst = false
        }
        while inputLeft > 0 {
            if op > flushAt {
                slideFirst = true
                return .piece(UnsafeRawBufferPointer(start: buffer + emitted, count: op - emitted))
            }
            let ctrl = Int(try input.readByte())
            inputLeft -= 1
            if ctrl < 1 << 5 {  // literal run of ctrl + 1 bytes
                let n = ctrl + 1
                guard produced + n <= expandedLength, n <= inputLeft else { return .invalid }
                let literal = try input.take(n)
                (buffer + op).copyMemory(from: literal.baseAddress!, byteCount: n)
                inputLeft -= n
                op += n
                produced += n
            } else {  // back reference: length (ctrl >> 5) + 2, distance from the low bits and the next byte
                var length = ctrl >> 5
                guard inputLeft > 0 else { return .invalid }
                if length == 7 {
                    length += Int(try input.readByte())
                    inputLeft -= 1
                    guard inputLeft > 0 else { return .invalid }
                }
                let distance = ((ctrl & 0x1f) << 8) + Int(try input.readByte()) + 1
                inputLeft -= 1
                length += 2
                guard produced + length <= expandedLength, distance <= produced else { return .invalid }
                // Byte by byte: the reference may overlap what it produces (a run).
                let to = buffer.assumingMemoryBound(to: UInt8.self)
                var from = op - distance
                for i in op..<(op + length) {
                    to[i] = to[from]
                    from += 1
                }
                op += length
                produced += length
            }
        }
        if op > emitted {
            defer { emitted = op }
            return .piece(UnsafeRawBufferPointer(start: buffer + emitted, count: op - emitted))
        }
        return produced == expandedLength ? .done : .invalid
    }

    /// Reads `compressedLength` bytes from `input` and hands their expansion to `body` in pieces of
    /// about `pieceSize` bytes. Returns whether they expand to exactly `expandedLength` bytes, as
    /// `lzf_decompress` with an output of that size decides (pieces already handed out before a
    /// failure are not taken back). On failure the input stops somewhere inside the string.
    func decode(from input: InputWindow, compressedLength: Int, expandedLength: Int,
                into body: (UnsafeRawBufferPointer) throws(RDBError) -> Void) throws(RDBError) -> Bool {
        begin(compressedLength: compressedLength, expandedLength: expandedLength)
        while true {
            switch try nextPiece(from: input) {
            case .piece(let bytes): try body(bytes)
            case .done: return true
            case .invalid: return false
            }
        }
    }
}
