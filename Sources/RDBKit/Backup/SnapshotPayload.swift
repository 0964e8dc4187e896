/// The RDB of a full resynchronization as a `ByteSource` over the replica connection, handing
/// out exactly the snapshot's bytes (never the stream after it) and copying each to `sink`
/// as it goes, so the file on disk is what the reader checked.
///
/// Disk-based transfers say their length (`$<len>`). Diskless ones end with the 40-byte mark
/// of their `$EOF:<mark>` header; the master sends nothing after it until the replica's first
/// ACK (replication.c: a diskless replica goes online on its first ACK), so the last 40 bytes
/// received are held back until the reader finishes, then checked against the mark.
public final class SnapshotPayload: ByteSource {
    public static let eofMarkLength = 40 // RDB_EOF_MARK_SIZE

    public enum Framing: Sendable, Equatable {
        case length(Int64)
        case endMark([UInt8])
    }

    private let input: ConnectionInput
    private let framing: Framing
    private let sink: (UnsafeRawBufferPointer) throws(RDBError) -> Void
    /// Snapshot bytes handed out so far.
    public private(set) var delivered: Int64 = 0
    public var onProgress: ((Int64) -> Void)?
    public var knownSize: Int64? {
        if case .length(let n) = framing { return n }
        return nil
    }

    public init(input: ConnectionInput, framing: Framing, sink: @escaping (UnsafeRawBufferPointer) throws(RDBError) -> Void) {
        self.input = input
        self.framing = framing
        self.sink = sink
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int {
        var wanted = buffer.count
        switch framing {
        case .length(let total):
            wanted = Int(min(Int64(wanted), total - delivered))
            guard wanted > 0 else { return 0 }
            try input.require(1)
            wanted = min(wanted, input.buffered)
        case .endMark:
            // Hold back what could be the mark until more arrives.
            try input.require(SnapshotPayload.eofMarkLength + 1)
            wanted = min(wanted, input.buffered - SnapshotPayload.eofMarkLength)
        }
        let view = try input.take(wanted)
        buffer.baseAddress!.copyMemory(from: view.baseAddress!, byteCount: wanted)
        try sink(view)
        delivered += Int64(wanted)
        onProgress?(delivered)
        return wanted
    }

    /// After the reader reached the RDB's end: the rest of a `$<len>` payload (normally none,
    /// kept in the file as Redis would) or the diskless end mark, which must match.
    public func finish() throws(RDBError) -> Int64 {
        switch framing {
        case .length(let total):
            var extra: Int64 = 0
            while delivered < total {
                let n = Int(min(Int64(1 << 20), total - delivered))
                try sink(try input.take(n))
                delivered += Int64(n)
                extra += Int64(n)
            }
            return extra
        case .endMark(let mark):
            let at = input.offset
            let seen = Array(try input.take(SnapshotPayload.eofMarkLength))
            guard seen == mark else {
                throw RDBError(.corrupt("the snapshot does not end with its $EOF mark (\(delivered) bytes read)"), offset: at)
            }
            return 0
        }
    }
}
