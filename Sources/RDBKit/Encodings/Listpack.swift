/// Reads a listpack (listpack.c) entry by entry, checking every entry against the header:
///
///     <total-bytes u32 LE> <num-elements u16 LE, 65535 = unknown> <entry>... <0xFF>
///     entry = <encoding+data> <backlen: length of encoding+data, 1-5 bytes, read right to left>
public struct ListpackReader {
    static let LP_HDR_SIZE = 6
    static let LP_EOF: UInt8 = 0xFF
    static let LP_HDR_NUMELE_UNKNOWN = 65535

    private let blob: UnsafeRawBufferPointer
    private var position = ListpackReader.LP_HDR_SIZE
    private let declaredCount: Int
    public private(set) var entriesRead = 0

    public init(_ blob: UnsafeRawBufferPointer) throws(ContainerError) {
        guard blob.count >= ListpackReader.LP_HDR_SIZE + 1 else {
            throw ContainerError("listpack of \(blob.count) bytes is shorter than its header", at: 0)
        }
        let total = Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        guard total == blob.count else {
            throw ContainerError("listpack header says \(total) bytes, its string holds \(blob.count)", at: 0)
        }
        guard blob[blob.count - 1] == ListpackReader.LP_EOF else {
            throw ContainerError("listpack does not end with 0xFF", at: blob.count - 1)
        }
        self.blob = blob
        declaredCount = Int(UInt16(littleEndian: blob.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
    }

    /// The count from the header, unless it says "unknown" (65535).
    public var headerCount: Int? {
        declaredCount == ListpackReader.LP_HDR_NUMELE_UNKNOWN ? nil : declaredCount
    }

    /// The next entry, or nil after the last one (then the count has been checked).
    @inline(__always)
    public mutating func next() throws(ContainerError) -> RDBString? {
        let p = position
        let b = blob[p]
        if b == ListpackReader.LP_EOF {
            guard p == blob.count - 1 else { throw ContainerError("listpack end marker before its last byte", at: p) }
            if declaredCount != ListpackReader.LP_HDR_NUMELE_UNKNOWN && declaredCount != entriesRead {
                throw ContainerError("listpack header counts \(declaredCount) entries, found \(entriesRead)", at: p)
            }
            return nil
        }
        let limit = blob.count - 1  // entries end before the terminator
        let value: RDBString
        let size: Int
        switch b {
        case 0x00...0x7F:  // LP_ENCODING_7BIT_UINT
            value = .int(Int64(b)); size = 1
        case 0x80...0xBF:  // LP_ENCODING_6BIT_STR
            let n = Int(b & 0x3F)
            size = 1 + n
            try need(p, size, limit)
            value = .bytes(UnsafeRawBufferPointer(rebasing: blob[(p + 1)..<(p + 1 + n)]))
        case 0xC0...0xDF:  // LP_ENCODING_13BIT_INT
            size = 2
            try need(p, size, limit)
            var v = (Int64(b & 0x1F) << 8) | Int64(blob[p + 1])
            if v >= 1 << 12 { v -= 1 << 13 }
            value = .int(v)
        case 0xE0...0xEF:  // LP_ENCODING_12BIT_STR
            try need(p, 2, limit)
            let n = (Int(b & 0x0F) << 8) | Int(blob[p + 1])
            size = 2 + n
            try need(p, size, limit)
            value = .bytes(UnsafeRawBufferPointer(rebasing: blob[(p + 2)..<(p + 2 + n)]))
        case 0xF0:  // LP_ENCODING_32BIT_STR
            try need(p, 5, limit)
            let n = Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: p + 1, as: UInt32.self)))
            size = 5 + n
            try need(p, size, limit)
            value = .bytes(UnsafeRawBufferPointer(rebasing: blob[(p + 5)..<(p + 5 + n)]))
        case 0xF1:  // LP_ENCODING_16BIT_INT
            size = 3
            try need(p, size, limit)
            value = .int(Int64(Int16(littleEndian: blob.loadUnaligned(fromByteOffset: p + 1, as: Int16.self))))
        case 0xF2:  // LP_ENCODING_24BIT_INT
            size = 4
            try need(p, size, limit)
            let raw = UInt32(blob[p + 1]) | UInt32(blob[p + 2]) << 8 | UInt32(blob[p + 3]) << 16
            value = .int(Int64(Int32(bitPattern: raw << 8) >> 8))
        case 0xF3:  // LP_ENCODING_32BIT_INT
            size = 5
            try need(p, size, limit)
            value = .int(Int64(Int32(littleEndian: blob.loadUnaligned(fromByteOffset: p + 1, as: Int32.self))))
        case 0xF4:  // LP_ENCODING_64BIT_INT
            size = 9
            try need(p, size, limit)
            value = .int(Int64(littleEndian: blob.loadUnaligned(fromByteOffset: p + 1, as: Int64.self)))
        default:
            throw ContainerError("listpack entry has the unused encoding byte \(b)", at: p)
        }
        let backlenSize = ListpackEntrySize.backlen(size)
        try need(p, size + backlenSize, limit)
        try ListpackReader.checkBacklen(UnsafeRawBufferPointer(rebasing: blob[(p + size)..<(p + size + backlenSize)]),
                                        size: size, entryAt: p)
        position = p + size + backlenSize
        entriesRead += 1
        return value
    }

    /// lpDecodeBacklen: `backlen` (the bytes after an entry of `size` bytes found at `entryAt`)
    /// read right to left, 7 bits a byte, high bit set on all but the first byte.
    @inline(__always)
    static func checkBacklen(_ backlen: UnsafeRawBufferPointer, size: Int, entryAt p: Int) throws(ContainerError) {
        var decoded = 0
        var shift = 0
        var q = backlen.count - 1
        while true {
            let byte = backlen[q]
            decoded |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            q -= 1
            if q < 0 {
                throw ContainerError("listpack entry back-length runs into its entry", at: p)
            }
        }
        guard decoded == size, q == 0 else {
            throw ContainerError("listpack entry back-length says \(decoded), entry is \(size) bytes", at: p + size)
        }
    }

    @inline(__always)
    private func need(_ p: Int, _ size: Int, _ limit: Int) throws(ContainerError) {
        if size > limit - p {
            throw ContainerError("listpack entry of \(size) bytes runs past the end of the listpack", at: p)
        }
    }
}

/// Builds a listpack the way listpack.c writes one: integer-looking strings in the smallest
/// integer encoding, strings with the smallest length prefix, each entry followed by its backlen.
public struct ListpackBuilder {
    public private(set) var bytes: [UInt8] = [0, 0, 0, 0, 0, 0]
    public private(set) var count = 0

    public init() {}

    /// Bytes the listpack would have with the terminator.
    public var totalBytes: Int { bytes.count + 1 }

    public mutating func append(_ s: UnsafeRawBufferPointer) {
        if let v = canonicalInt64(s) { return append(v) }
        let start = bytes.count
        let n = s.count
        switch ListpackEntrySize.string(length: n) - n {
        case 1:  // LP_ENCODING_6BIT_STR
            bytes.append(0x80 | UInt8(n))
        case 2:  // LP_ENCODING_12BIT_STR
            bytes.append(0xE0 | UInt8(n >> 8))
            bytes.append(UInt8(n & 0xFF))
        default:  // LP_ENCODING_32BIT_STR
            bytes.append(0xF0)
            withUnsafeBytes(of: UInt32(n).littleEndian) { bytes.append(contentsOf: $0) }
        }
        bytes.append(contentsOf: s)
        appendBacklen(bytes.count - start)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    public mutating func append(_ v: Int64) {
        let start = bytes.count
        switch ListpackEntrySize.integer(v) {
        case 1:  // LP_ENCODING_7BIT_UINT
            bytes.append(UInt8(v))
        case 2:  // LP_ENCODING_13BIT_INT
            let u = UInt16(bitPattern: Int16(v)) & 0x1FFF
            bytes.append(0xC0 | UInt8(u >> 8))
            bytes.append(UInt8(u & 0xFF))
        case 3:  // LP_ENCODING_16BIT_INT
            bytes.append(0xF1)
            withUnsafeBytes(of: Int16(v).littleEndian) { bytes.append(contentsOf: $0) }
        case 4:  // LP_ENCODING_24BIT_INT
            bytes.append(0xF2)
            let u = UInt32(bitPattern: Int32(v))
            bytes.append(contentsOf: [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF)])
        case 5:  // LP_ENCODING_32BIT_INT
            bytes.append(0xF3)
            withUnsafeBytes(of: Int32(v).littleEndian) { bytes.append(contentsOf: $0) }
        default:  // LP_ENCODING_64BIT_INT
            bytes.append(0xF4)
            withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
        }
        appendBacklen(bytes.count - start)
    }

    /// lpEncodeBacklen: the entry length, 7 bits a byte, most significant group first, the high
    /// bit set on every byte but the first.
    private mutating func appendBacklen(_ l: Int) {
        let size = ListpackEntrySize.backlen(l)
        bytes.append(UInt8(truncatingIfNeeded: l >> (7 * (size - 1))))
        for group in stride(from: size - 2, through: 0, by: -1) {
            bytes.append(UInt8((l >> (7 * group)) & 127) | 128)
        }
        count += 1
    }

    /// Appends every entry of `other` (stream nodes build their entries before the master entry,
    /// whose counts are known only at the end).
    public mutating func append(entriesOf other: ListpackBuilder) {
        bytes.append(contentsOf: other.bytes[ListpackReader.LP_HDR_SIZE...])
        count += other.count
    }

    /// The finished listpack: header filled in, terminator appended.
    public func finished() -> [UInt8] {
        var out = bytes
        out.append(ListpackReader.LP_EOF)
        withUnsafeBytes(of: UInt32(out.count).littleEndian) { out.replaceSubrange(0..<4, with: $0) }
        let declared = UInt16(min(count, ListpackReader.LP_HDR_NUMELE_UNKNOWN))
        withUnsafeBytes(of: declared.littleEndian) { out.replaceSubrange(4..<6, with: $0) }
        return out
    }
}

/// listpack.c's entry sizes, stated once: an entry is its encoding and data, then a backlen that
/// holds their size. The reader checks entries by them, the builder writes them, and memory
/// estimates count with them.
public enum ListpackEntrySize {
    /// Bytes of lpEncodeBacklen's form of `size`: 7 bits a byte.
    @inline(__always)
    public static func backlen(_ size: Int) -> Int {
        size <= 127 ? 1 : size < 16383 ? 2 : size < 2_097_151 ? 3 : size < 268_435_455 ? 4 : 5
    }

    /// Encoding and data of an integer entry: LP_ENCODING_7BIT_UINT, 13BIT_INT, 16, 24, 32 or 64BIT_INT.
    @inline(__always)
    public static func integer(_ v: Int64) -> Int {
        switch v {
        case 0...127: 1
        case -4096...4095: 2
        case Int64(Int16.min)...Int64(Int16.max): 3
        case -(1 << 23)...((1 << 23) - 1): 4
        case Int64(Int32.min)...Int64(Int32.max): 5
        default: 9
        }
    }

    /// Encoding and data of a string entry: LP_ENCODING_6BIT_STR, 12BIT_STR or 32BIT_STR, then the bytes.
    @inline(__always)
    public static func string(length n: Int) -> Int { (n < 64 ? 1 : n < 4096 ? 2 : 5) + n }

    /// The whole entry holding `bytes`, stored as an integer when they are a canonical one.
    @inline(__always)
    public static func entry(_ bytes: UnsafeRawBufferPointer) -> Int {
        let size = canonicalInt64(bytes).map(integer) ?? string(length: bytes.count)
        return size + backlen(size)
    }

    /// The whole entry holding a string of `n` bytes that is not an integer's text.
    @inline(__always)
    public static func entry(stringLength n: Int) -> Int {
        let size = string(length: n)
        return size + backlen(size)
    }
}

/// An entry's size told from its first bytes, for a listpack read as a stream (`StreamedListpack`)
/// rather than from a blob held whole: the same encodings `ListpackReader.next` decodes.
extension ListpackReader {
    /// How many bytes of an entry's encoding tell its size: 2 for LP_ENCODING_12BIT_STR, 5 for
    /// LP_ENCODING_32BIT_STR, 1 for the others.
    static func encodingPrefix(_ first: UInt8) -> Int {
        switch first {
        case 0xE0...0xEF: 2
        case 0xF0: 5
        default: 1
        }
    }

    /// The entry's encoding and data, in bytes, from its first `encodingPrefix` bytes, and the
    /// length of its string data (0 for an integer); an unused encoding byte is an error.
    static func entrySize(_ prefix: UnsafeRawBufferPointer) throws(ContainerError) -> (size: Int, stringLength: Int) {
        let b = prefix[0]
        switch b {
        case 0x00...0x7F: return (1, 0)  // LP_ENCODING_7BIT_UINT
        case 0x80...0xBF: return (1 + Int(b & 0x3F), Int(b & 0x3F))  // LP_ENCODING_6BIT_STR
        case 0xC0...0xDF: return (2, 0)  // LP_ENCODING_13BIT_INT
        case 0xE0...0xEF:  // LP_ENCODING_12BIT_STR
            let n = (Int(b & 0x0F) << 8) | Int(prefix[1])
            return (2 + n, n)
        case 0xF0:  // LP_ENCODING_32BIT_STR
            let n = Int(UInt32(littleEndian: prefix.loadUnaligned(fromByteOffset: 1, as: UInt32.self)))
            return (5 + n, n)
        case 0xF1: return (3, 0)  // LP_ENCODING_16BIT_INT
        case 0xF2: return (4, 0)  // LP_ENCODING_24BIT_INT
        case 0xF3: return (5, 0)  // LP_ENCODING_32BIT_INT
        case 0xF4: return (9, 0)  // LP_ENCODING_64BIT_INT
        default: throw ContainerError("listpack entry has the unused encoding byte \(b)", at: 0)
        }
    }
}
