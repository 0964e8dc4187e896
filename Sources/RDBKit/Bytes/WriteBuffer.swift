/// A writer's buffer and where it goes: filled by the writer, handed to `sink` in writes of about
/// `flushSize`, kept whole when there is no sink (a writer to memory). The JSON, RESP and RDB
/// writers each hold one, so their flush rule is written here once.
final class WriteBuffer {
    static let flushSize = 1 << 20
    let bytes = ScratchBuffer(capacity: WriteBuffer.flushSize)
    private let sink: ByteSink?
    /// Bytes handed to the sink so far.
    private(set) var flushedCount: Int64 = 0

    init(sink: ByteSink?) {
        self.sink = sink
    }

    /// Whether enough is buffered for one large write.
    @inline(__always)
    var isFull: Bool { bytes.count >= Self.flushSize }

    /// Writes what is buffered.
    func flush() throws(RDBError) {
        guard let sink, bytes.count > 0 else { return }
        try sink.write(bytes.bytes)
        flushedCount += Int64(bytes.count)
        bytes.removeAll()
    }
}
