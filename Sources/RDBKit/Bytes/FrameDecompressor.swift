/// One step of a streaming decompressor that reads concatenated frames (zstd, lz4).
protocol FrameDecoder: AnyObject {
    /// What the format is called in messages.
    static var formatName: String { get }
    /// Decodes from `input` into `output`: how much was consumed and produced, and whether the
    /// input so far ends exactly at the end of a frame.
    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(RDBError) -> (consumed: Int, produced: Int, frameEnded: Bool)
}

/// The bytes a `FrameDecoder` produces from a compressed source; an input that ends inside a
/// frame is reported as truncated, with the offset in the compressed file.
final class DecompressingSource<Decoder: FrameDecoder>: ByteSource {
    private let compressed: ByteSource
    private let decoder: Decoder
    private let inputBuffer: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var inputExhausted = false
    private var frameEnded = false
    private var compressedOffset: Int64 = 0
    var knownSize: Int64? { nil }

    init(compressed: ByteSource, decoder: Decoder) {
        self.compressed = compressed
        self.decoder = decoder
        inputBuffer = .allocate(byteCount: 256 * 1024, alignment: 16)
    }

    deinit { inputBuffer.deallocate() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if inputStart == inputEnd && !inputExhausted {
                let n = try compressed.read(into: inputBuffer)
                inputStart = 0
                inputEnd = n
                compressedOffset += Int64(n)
                inputExhausted = n == 0
            }
            let input = UnsafeRawBufferPointer(rebasing: inputBuffer[inputStart..<inputEnd])
            let step: (consumed: Int, produced: Int, frameEnded: Bool)
            do throws(RDBError) {
                step = try decoder.decode(input, into: buffer)
            } catch var error {
                error.offset = compressedOffset - Int64(inputEnd - inputStart)
                error.context = "offset in the compressed file"
                throw error
            }
            inputStart += step.consumed
            if step.consumed > 0 || step.produced > 0 { frameEnded = step.frameEnded }
            if step.produced > 0 { return step.produced }
            if inputStart == inputEnd && inputExhausted {
                if frameEnded { return 0 }
                throw RDBError(.truncated(needed: 1), offset: compressedOffset,
                               context: "the \(Decoder.formatName) stream ends inside a frame")
            }
        }
    }
}
