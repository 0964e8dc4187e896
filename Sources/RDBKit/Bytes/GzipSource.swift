import CZlib

/// Inflates a gzip stream (`dump.rdb.gz`) through the system zlib, including concatenated members.
public final class GzipSource: ByteSource {
    private let compressed: ByteSource
    private var stream = z_stream()
    private let inputBuffer: UnsafeMutableRawBufferPointer
    private var inputExhausted = false
    private var finished = false
    private var compressedOffset: Int64 = 0
    public var knownSize: Int64? { nil }

    public init(compressed: ByteSource) throws(RDBError) {
        self.compressed = compressed
        inputBuffer = .allocate(byteCount: 256 * 1024, alignment: 16)
        // 15 window bits + 16: gzip framing only.
        let status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            inputBuffer.deallocate()
            throw RDBError(.io("zlib could not start (status \(status))"))
        }
    }

    deinit {
        inflateEnd(&stream)
        inputBuffer.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputExhausted {
                let n = try compressed.read(into: inputBuffer)
                if n == 0 {
                    inputExhausted = true
                } else {
                    stream.next_in = inputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = UInt32(n)
                    compressedOffset += Int64(n)
                }
            }
            let before = stream.avail_out
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_STREAM_END:
                // Another gzip member may follow (concatenated .gz files are valid gzip).
                if stream.avail_in == 0 {
                    let more = try compressed.read(into: inputBuffer)
                    if more == 0 {
                        finished = true
                        return buffer.count - Int(stream.avail_out)
                    }
                    stream.next_in = inputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = UInt32(more)
                    compressedOffset += Int64(more)
                }
                inflateReset(&stream)
            case Z_OK:
                break
            case Z_BUF_ERROR where inputExhausted:
                throw RDBError(.truncated(needed: 1), offset: compressedOffset,
                               context: "gzip stream ends before its trailer")
            case Z_BUF_ERROR:
                break
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw RDBError(.corrupt("gzip data is damaged: \(message)"),
                               offset: compressedOffset - Int64(stream.avail_in),
                               context: "offset in the compressed file")
            }
            if inputExhausted && stream.avail_out == before && stream.avail_in == 0 {
                throw RDBError(.truncated(needed: 1), offset: compressedOffset,
                               context: "gzip stream ends before its trailer")
            }
            if stream.avail_out < UInt32(min(buffer.count, Int(UInt32.max))) && stream.avail_in == 0 {
                break
            }
        }
        return buffer.count - Int(stream.avail_out)
    }
}
