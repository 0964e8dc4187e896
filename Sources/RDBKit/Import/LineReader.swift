/// Lines of a byte source, each handed over without its newline, with its starting offset.
final class LineReader {
    private let source: ByteSource
    private let buffer = ScratchBuffer(capacity: 1 << 20)
    private var start = 0
    private var exhausted = false
    private(set) var offset: Int64 = 0
    private(set) var lineNumber = 0

    init(source: ByteSource) {
        self.source = source
    }

    /// The next line (a `\r` before the newline is dropped), or nil at the end.
    func next() throws(RDBError) -> [UInt8]? {
        while true {
            let bytes = buffer.bytes
            if let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                let line = [UInt8](bytes[start..<end])
                offset += Int64(newline + 1 - start)
                start = newline + 1
                lineNumber += 1
                return line
            }
            if exhausted {
                guard start < bytes.count else { return nil }
                let line = [UInt8](bytes[start...])
                offset += Int64(bytes.count - start)
                start = bytes.count
                lineNumber += 1
                return line
            }
            // Keep the unfinished line, then read more after it.
            let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
            let carry = [UInt8](rest)
            buffer.removeAll()
            carry.withUnsafeBytes { buffer.append($0) }
            start = 0
            let room = buffer.reserve(1 << 20)
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: room, count: 1 << 20))
            if n == 0 { exhausted = true } else { buffer.commit(n) }
        }
    }
}
