/// A string too long to hold: a bulk of an AOF command over `RESPSyntax.bulkPiece`, or a
/// replayed string value that grew past it. Its bytes are in an unlinked temporary file (disk,
/// not memory), appended to and read back in pieces; whether they are UTF-8 is known at once
/// (export's choice between text and base64). Used by one thread at a time.
public final class SpilledString: @unchecked Sendable {
    private let file = SpillFile(purpose: "a long string")
    public private(set) var count = 0
    private var utf8 = UTF8Check()

    public init() {}

    public var isUTF8: Bool { utf8.isValid }

    func append(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        try file.append(bytes)
        utf8.update(bytes)
        count += bytes.count
    }

    func append(_ bytes: [UInt8]) throws(RDBError) {
        var failure: RDBError?
        bytes.withUnsafeBytes { raw in
            do throws(RDBError) { try append(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func append(_ other: SpilledString) throws(RDBError) {
        try other.forEachPiece { (piece) throws(RDBError) in try append(piece) }
    }

    /// Calls `body` with the bytes, a piece (at most `RESPSyntax.bulkPiece`) at a time.
    public func forEachPiece(_ body: (UnsafeRawBufferPointer) throws(RDBError) -> Void) throws(RDBError) {
        try file.forEachPiece(count: count, pieceSize: RESPSyntax.bulkPiece, body)
    }

    /// The bytes as a string value in pieces, for the writers (`KeySink.write(_:longString:)`);
    /// valid while this string lives and is not appended to.
    public var value: StringValue { StringValue(staged: file, count: count) }

    /// The bytes as a JSON string, in the form `JSONWriter.string` gives them (text or base64),
    /// written a piece at a time.
    func write(to json: JSONWriter) throws(RDBError) {
        try json.string(staged: file.readBack(), count: count, isUTF8: isUTF8)
    }

    /// The bytes read back whole, for a command that needs them so (memory: their length).
    public func bytes() throws(RDBError) -> Bytes {
        var whole: Bytes = []
        whole.reserveCapacity(count)
        try forEachPiece { whole.append(contentsOf: $0) }
        return whole
    }

    /// A second string with the same bytes (a copy on disk).
    func copy() throws(RDBError) -> SpilledString {
        let copy = SpilledString()
        try copy.append(self)
        return copy
    }
}
