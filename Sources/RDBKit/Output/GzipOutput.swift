import CZlib

/// Bytes deflated into a gzip member on their way to an `OutputFile` (`--gzip`), so a
/// `.rdb.gz` reads back through `GzipSource` like any other input.
public final class GzipOutput {
    private let file: OutputFile
    private var stream = z_stream()
    private let outputBuffer: UnsafeMutableRawBufferPointer
    public private(set) var compressedBytes: Int64 = 0

    public init(file: OutputFile, level: Int32 = 6) throws(RDBError) {
        self.file = file
        outputBuffer = .allocate(byteCount: 256 * 1024, alignment: 16)
        // 15 window bits + 16: gzip framing; memLevel 8 is zlib's default.
        let status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            outputBuffer.deallocate()
            throw RDBError(.io("zlib could not start (status \(status))"))
        }
    }

    deinit {
        deflateEnd(&stream)
        outputBuffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        guard bytes.count > 0 else { return }
        try deflate(bytes, flush: Z_NO_FLUSH)
    }

    /// Ends the gzip member and makes the file visible under its name.
    public func commit() throws(RDBError) {
        try deflate(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        try file.commit()
    }

    public func abandon() { file.abandon() }

    private func deflate(_ bytes: UnsafeRawBufferPointer, flush: Int32) throws(RDBError) {
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        repeat {
            stream.next_out = outputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(outputBuffer.count)
            let status = CZlib.deflate(&stream, flush)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw RDBError(.io("zlib deflate failed (status \(status))"), offset: compressedBytes)
            }
            let produced = outputBuffer.count - Int(stream.avail_out)
            if produced > 0 {
                try file.write(UnsafeRawBufferPointer(rebasing: outputBuffer[0..<produced]))
                compressedBytes += Int64(produced)
            }
            if flush == Z_FINISH && status == Z_STREAM_END { return }
        } while stream.avail_out == 0 || (flush == Z_FINISH)
    }
}

extension GzipOutput: ByteSink {}
