/// Lines of a byte source, each handed over without its newline, with its starting offset.
final class LineReader {
    private let source: ByteSource
    private let buffer = ScratchBuffer(capacity: 1 << 20)
    private var start = 0
    /// Bytes from `start` to here hold no newline.
    private var scanned = 0
    private var exhausted = false
    private(set) var offset: Int64 = 0
    /// Where the line `next()` returned last starts in the input.
    private(set) var lineStart: Int64 = 0
    private(set) var lineNumber = 0

    init(source: ByteSource) {
        self.source = source
    }

    /// The next line (a `\r` before the newline is dropped), or nil at the end. Linear in the
    /// input: an unfinished line is searched once and moved to the front once, however many
    /// reads it spans.
    func next() throws(RDBError) -> [UInt8]? {
        while true {
            let bytes = buffer.bytes
            if let newline = bytes[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                let line = [UInt8](bytes[start..<end])
                lineStart = offset
                offset += Int64(newline + 1 - start)
                start = newline + 1
                scanned = start
                lineNumber += 1
                return line
            }
            scanned = bytes.count
            if exhausted {
                guard start < bytes.count else { return nil }
                let line = [UInt8](bytes[start...])
                lineStart = offset
                offset += Int64(bytes.count - start)
                start = bytes.count
                lineNumber += 1
                return line
            }
            if start > 0 { keepUnfinishedLine() }
            let room = buffer.reserve(LineReader.readSize)
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: room, count: LineReader.readSize))
            if n == 0 { exhausted = true } else { buffer.commit(n) }
        }
    }

    private static let readSize = 1 << 20

    /// Moves the unfinished line to the front (and gives back the room a long line needed).
    private func keepUnfinishedLine() {
        let rest = buffer.count - start
        if rest > 0 { buffer.base.copyMemory(from: buffer.base + start, byteCount: rest) }
        buffer.removeAll()
        buffer.commit(rest)
        scanned -= start
        start = 0
        buffer.shrink(to: 4 * LineReader.readSize)
    }
}
