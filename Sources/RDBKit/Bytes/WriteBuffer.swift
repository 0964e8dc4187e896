/// A writer's buffer and where it goes: filled by the writer, handed to `sink` in writes of about
/// `flushSize`, kept whole when there is no sink (a writer to memory). The JSON, RDB and RESP
/// writers each hold one, so the flush rule is written here once.
final class WriteBuffer {
    static let flushSize = 1 << 20
    let bytes = ScratchBuffer(capacity: WriteBuffer.flushSize)
    private let sink: ByteSink?

    init(sink: ByteSink?) {
        self.sink = sink
    }

    /// Whether enough is buffered for one large write.
    @inline(__always)
    var isFull: Bool { bytes.count >= Self.flushSize }

    /// Writes what is buffered; `beforeWrite` sees each batch first (the RDB writer's CRC64).
    func flush(_ beforeWrite: (UnsafeRawBufferPointer) -> Void = { _ in }) throws(RDBError) {
        guard let sink, bytes.count > 0 else { return }
        beforeWrite(bytes.bytes)
        try sink.write(bytes.bytes)
        bytes.removeAll()
    }
}
