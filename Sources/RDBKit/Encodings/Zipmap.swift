/// Reads a zipmap (zipmap.c), the hash encoding of Redis 2.4 (RDB 2-3).
///
///     <zmlen u8, 254+ = unknown> { <len> <key> <len> <free u8> <value> <free bytes> }... <0xFF>
///     len = 1 byte 0-253, or 0xFE + u32 LE
public struct ZipmapReader {
    static let ZIPMAP_BIGLEN: UInt8 = 254
    static let ZIPMAP_END: UInt8 = 255

    private let blob: UnsafeRawBufferPointer
    private var position = 1
    public private(set) var pairsRead = 0
    private let declaredCount: Int

    public init(_ blob: UnsafeRawBufferPointer) throws(ContainerError) {
        guard blob.count >= 2 else {
            throw ContainerError("zipmap of \(blob.count) bytes is too short", at: 0)
        }
        guard blob[blob.count - 1] == ZipmapReader.ZIPMAP_END else {
            throw ContainerError("zipmap does not end with 0xFF", at: blob.count - 1)
        }
        declaredCount = Int(blob[0])
        self.blob = blob
    }

    /// The next field and value, or nil after the last pair.
    public mutating func next() throws(ContainerError) -> (field: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        if blob[position] == ZipmapReader.ZIPMAP_END {
            guard position == blob.count - 1 else { throw ContainerError("zipmap end marker before its last byte", at: position) }
            if declaredCount < Int(ZipmapReader.ZIPMAP_BIGLEN) && declaredCount != pairsRead {
                throw ContainerError("zipmap header counts \(declaredCount) pairs, found \(pairsRead)", at: 0)
            }
            return nil
        }
        let field = try readString()
        let valueLength = try readLength()
        try need(1)
        let free = Int(blob[position])
        position += 1
        try need(valueLength)
        let value = UnsafeRawBufferPointer(rebasing: blob[position..<(position + valueLength)])
        position += valueLength
        try need(free)
        position += free
        pairsRead += 1
        return (field, value)
    }

    private mutating func readString() throws(ContainerError) -> UnsafeRawBufferPointer {
        let n = try readLength()
        try need(n)
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: blob[position..<(position + n)])
    }

    private mutating func readLength() throws(ContainerError) -> Int {
        try need(1)
        let b = blob[position]
        if b < ZipmapReader.ZIPMAP_BIGLEN {
            position += 1
            return Int(b)
        }
        guard b == ZipmapReader.ZIPMAP_BIGLEN else {
            throw ContainerError("zipmap length byte \(b) where a length was expected", at: position)
        }
        try need(5)
        let n = Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: position + 1, as: UInt32.self)))
        position += 5
        return n
    }

    /// Entries must end before the final 0xFF.
    private func need(_ n: Int) throws(ContainerError) {
        if n > blob.count - 1 - position {
            throw ContainerError("zipmap entry runs past the end of the zipmap", at: position)
        }
    }
}
