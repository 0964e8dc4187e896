#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An unlinked temporary file (in `$TMPDIR`, else /tmp) for what would not fit in memory until
/// it is read back: it costs disk, not RAM, and disappears with its descriptor.
final class SpillFile {
    private var descriptor: Int32 = -1
    /// What is kept, for error messages ("a large hash").
    private let purpose: String
    /// Set by `readBack`: the file's position is then the reader's, and an append goes to the end.
    private var rewound = false

    init(purpose: String) {
        self.purpose = purpose
    }

    deinit { discard() }

    var isOpen: Bool { descriptor >= 0 }

    func append(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        if descriptor < 0 { try create() }
        if rewound {
            lseek(descriptor, 0, SEEK_END)
            rewound = false
        }
        var p = bytes.baseAddress
        var left = bytes.count
        while left > 0 {
            let n = write(descriptor, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw RDBError(.io("cannot write \(purpose) to a temporary file: \(errnoText())"))
            }
            p = p! + n
            left -= n
        }
    }

    func append(_ bytes: ArraySlice<UInt8>) throws(RDBError) {
        var failure: RDBError?
        bytes.withUnsafeBytes { raw in
            do throws(RDBError) { try append(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Everything appended so far, read from the start.
    func readBack() -> InputWindow {
        lseek(descriptor, 0, SEEK_SET)
        rewound = true
        return InputWindow(source: FileSource(borrowing: descriptor), checksummed: false)
    }

    /// Calls `body` with the first `count` bytes, read back a piece (at most `pieceSize`) at a time.
    func forEachPiece(count: Int, pieceSize: Int = 1 << 20,
                      _ body: (UnsafeRawBufferPointer) throws(RDBError) -> Void) throws(RDBError) {
        guard count > 0 else { return }
        let window = readBack()
        var left = count
        while left > 0 {
            let piece = try window.take(min(left, pieceSize))
            left -= piece.count
            try body(piece)
        }
    }

    /// Forgets the content (the file goes away).
    func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    private func create() throws(RDBError) {
        var directory = "/tmp"
        if let dir = getenv("TMPDIR") { directory = String(cString: dir) }
        var template = Array((directory + "/rdbkit-spill-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw RDBError(.io("cannot create a temporary file for \(purpose): \(errnoText())"))
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }
}

/// Bytes whose count must be known before they are written (a RESP argument: a RESTORE
/// payload made as its value is copied): held in memory up to `threshold`, beyond it moved to
/// a spill file, so memory holds at most that much whatever the total. Reused from key to key.
final class StagedBytes: ByteSink {
    static let threshold = 1 << 20

    private let memory = ScratchBuffer()
    private let file: SpillFile
    private var spilled = false
    private(set) var count = 0

    init(purpose: String) {
        file = SpillFile(purpose: purpose)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        if !spilled && memory.count + bytes.count > StagedBytes.threshold {
            try file.append(memory.bytes)
            memory.removeAll()
            spilled = true
        }
        if spilled { try file.append(bytes) } else { memory.append(bytes) }
        count += bytes.count
    }

    /// Calls `body` with the bytes, a piece (at most `threshold`) at a time.
    func forEachPiece(_ body: (UnsafeRawBufferPointer) throws(RDBError) -> Void) throws(RDBError) {
        guard spilled else { return try body(memory.bytes) }
        try file.forEachPiece(count: count, pieceSize: StagedBytes.threshold, body)
    }

    func commit() throws(RDBError) {}

    /// Empties the stage for the next value (a spill file goes away).
    func abandon() {
        memory.removeAll()
        file.discard()
        spilled = false
        count = 0
    }
}
