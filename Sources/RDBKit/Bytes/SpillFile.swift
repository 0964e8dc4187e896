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

/// A spill file as a sink, counting what it holds (a value whose length must be known before it
/// is written, as a RESP argument's).
final class SpillSink: ByteSink {
    let file: SpillFile
    private(set) var count = 0

    init(purpose: String) {
        file = SpillFile(purpose: purpose)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        try file.append(bytes)
        count += bytes.count
    }

    func commit() throws(RDBError) {}
    func abandon() { file.discard() }
}
