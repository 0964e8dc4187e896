import CLZ4

/// lz4 frames (`dump.rdb.lz4`, the lz4 tool's default format) through the system liblz4.
final class LZ4Decoder: FrameDecoder {
    static let formatName = "lz4"
    private var context: OpaquePointer?

    init() throws(RDBError) {
        let status = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(status) == 0, context != nil else { throw RDBError(.io("lz4 could not start")) }
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(RDBError) -> (consumed: Int, produced: Int, frameEnded: Bool) {
        var consumed = input.count
        var produced = output.count
        // LZ4F_decompress returns 0 at the end of a frame; the context then starts the next one.
        let hint = LZ4F_decompress(context, output.baseAddress, &produced, input.baseAddress, &consumed, nil)
        if LZ4F_isError(hint) != 0 {
            throw RDBError(.corrupt("lz4 data is damaged: \(String(cString: LZ4F_getErrorName(hint)))"))
        }
        return (consumed, produced, hint == 0)
    }
}
