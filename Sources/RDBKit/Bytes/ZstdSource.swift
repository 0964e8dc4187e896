import CZstd

/// zstd frames (`dump.rdb.zst`) through the system libzstd; concatenated frames are one stream.
final class ZstdDecoder: FrameDecoder {
    static let formatName = "zstd"
    private let stream: OpaquePointer

    init() throws(RDBError) {
        guard let stream = ZSTD_createDStream() else { throw RDBError(.io("zstd could not start")) }
        self.stream = stream
        ZSTD_initDStream(stream)
    }

    deinit { ZSTD_freeDStream(stream) }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(RDBError) -> (consumed: Int, produced: Int, frameEnded: Bool) {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        // ZSTD_decompressStream returns 0 once a frame is decoded and flushed whole.
        let hint = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
        if ZSTD_isError(hint) != 0 {
            throw RDBError(.corrupt("zstd data is damaged: \(String(cString: ZSTD_getErrorName(hint)))"))
        }
        return (inBuffer.pos, outBuffer.pos, hint == 0)
    }
}
