/// Reads a ziplist (ziplist.c), the compact encoding of Redis 2.6-6.2, checking it as
/// ziplistValidateIntegrity does: header sizes, tail offset, prevlen chain and entry bounds.
///
///     <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE, 65535 = unknown> <entry>... <0xFF>
///     entry = <prevlen: 1 byte < 254, or 0xFE + u32 LE> <encoding> <data>
public struct ZiplistReader {
    static let ZIPLIST_HEADER_SIZE = 10
    static let ZIP_END: UInt8 = 0xFF
    static let ZIP_BIG_PREVLEN: UInt8 = 0xFE

    private let blob: UnsafeRawBufferPointer
    private var position = ZiplistReader.ZIPLIST_HEADER_SIZE
    private var previousEntrySize = 0
    private var lastEntryStart = ZiplistReader.ZIPLIST_HEADER_SIZE
    private let declaredCount: Int
    private let tail: Int
    public private(set) var entriesRead = 0

    public init(_ blob: UnsafeRawBufferPointer) throws(ContainerError) {
        guard blob.count >= ZiplistReader.ZIPLIST_HEADER_SIZE + 1 else {
            throw ContainerError("ziplist of \(blob.count) bytes is shorter than its header", at: 0)
        }
        let total = Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        guard total == blob.count else {
            throw ContainerError("ziplist header says \(total) bytes, its string holds \(blob.count)", at: 0)
        }
        guard blob[blob.count - 1] == ZiplistReader.ZIP_END else {
            throw ContainerError("ziplist does not end with 0xFF", at: blob.count - 1)
        }
        tail = Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        guard tail < blob.count else {
            throw ContainerError("ziplist tail offset \(tail) is past its end", at: 4)
        }
        declaredCount = Int(UInt16(littleEndian: blob.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
        self.blob = blob
    }

    public var headerCount: Int? { declaredCount == 65535 ? nil : declaredCount }

    @inline(__always)
    public mutating func next() throws(ContainerError) -> RDBString? {
        let p = position
        let limit = blob.count - 1
        if blob[p] == ZiplistReader.ZIP_END {
            guard p == limit else { throw ContainerError("ziplist end marker before its last byte", at: p) }
            let expectedTail = entriesRead == 0 ? ZiplistReader.ZIPLIST_HEADER_SIZE : lastEntryStart
            guard tail == expectedTail else {
                throw ContainerError("ziplist tail offset is \(tail), the last entry starts at \(expectedTail)", at: 4)
            }
            if declaredCount != 65535 && declaredCount != entriesRead {
                throw ContainerError("ziplist header counts \(declaredCount) entries, found \(entriesRead)", at: p)
            }
            return nil
        }
        var q = p
        let prevlen: Int
        if blob[q] == ZiplistReader.ZIP_BIG_PREVLEN {
            try need(q, 5, limit)
            prevlen = Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: q + 1, as: UInt32.self)))
            q += 5
        } else {
            prevlen = Int(blob[q])
            q += 1
        }
        guard prevlen == previousEntrySize else {
            throw ContainerError("ziplist entry says the previous one is \(prevlen) bytes, it is \(previousEntrySize)", at: p)
        }
        try need(q, 1, limit)
        let e = blob[q]
        let value: RDBString
        switch e >> 6 {
        case 0:  // ZIP_STR_06B
            let n = Int(e & 0x3F)
            try need(q, 1 + n, limit)
            value = .bytes(UnsafeRawBufferPointer(rebasing: blob[(q + 1)..<(q + 1 + n)]))
            q += 1 + n
        case 1:  // ZIP_STR_14B, big-endian
            try need(q, 2, limit)
            let n = (Int(e & 0x3F) << 8) | Int(blob[q + 1])
            try need(q, 2 + n, limit)
            value = .bytes(UnsafeRawBufferPointer(rebasing: blob[(q + 2)..<(q + 2 + n)]))
            q += 2 + n
        case 2:  // ZIP_STR_32B, big-endian
            try need(q, 5, limit)
            let n = Int(UInt32(bigEndian: blob.loadUnaligned(fromByteOffset: q + 1, as: UInt32.self)))
            try need(q, 5 + n, limit)
            value = .bytes(UnsafeRawBufferPointer(rebasing: blob[(q + 5)..<(q + 5 + n)]))
            q += 5 + n
        default:
            switch e {
            case 0xC0:  // ZIP_INT_16B
                try need(q, 3, limit)
                value = .int(Int64(Int16(littleEndian: blob.loadUnaligned(fromByteOffset: q + 1, as: Int16.self))))
                q += 3
            case 0xD0:  // ZIP_INT_32B
                try need(q, 5, limit)
                value = .int(Int64(Int32(littleEndian: blob.loadUnaligned(fromByteOffset: q + 1, as: Int32.self))))
                q += 5
            case 0xE0:  // ZIP_INT_64B
                try need(q, 9, limit)
                value = .int(Int64(littleEndian: blob.loadUnaligned(fromByteOffset: q + 1, as: Int64.self)))
                q += 9
            case 0xF0:  // ZIP_INT_24B
                try need(q, 4, limit)
                let raw = UInt32(blob[q + 1]) | UInt32(blob[q + 2]) << 8 | UInt32(blob[q + 3]) << 16
                value = .int(Int64(Int32(bitPattern: raw << 8) >> 8))
                q += 4
            case 0xFE:  // ZIP_INT_8B
                try need(q, 2, limit)
                value = .int(Int64(Int8(bitPattern: blob[q + 1])))
                q += 2
            case 0xF1...0xFD:  // ZIP_INT_IMM: 4-bit immediate 0-12
                value = .int(Int64(e & 0x0F) - 1)
                q += 1
            default:
                throw ContainerError("ziplist entry has the invalid encoding byte \(e)", at: q)
            }
        }
        lastEntryStart = p
        previousEntrySize = q - p
        position = q
        entriesRead += 1
        return value
    }

    @inline(__always)
    private func need(_ p: Int, _ size: Int, _ limit: Int) throws(ContainerError) {
        if size > limit - p {
            throw ContainerError("ziplist entry runs past the end of the ziplist", at: p)
        }
    }
}

/// Builds a ziplist as ziplist.c writes one (for targets before RDB 10): integer-looking strings
/// in the smallest integer encoding, each entry prefixed by the previous entry's length.
public struct ZiplistBuilder {
    private var bytes = [UInt8](repeating: 0, count: ZiplistReader.ZIPLIST_HEADER_SIZE)
    private var previousSize = 0
    private var lastEntryStart = ZiplistReader.ZIPLIST_HEADER_SIZE
    public private(set) var count = 0

    public init() {}

    public var totalBytes: Int { bytes.count + 1 }

    public mutating func append(_ s: UnsafeRawBufferPointer) {
        let start = beginEntry()
        if s.count <= 31, let v = canonicalInt64(s) {  // zipTryEncoding
            appendInteger(v)
        } else {
            let n = s.count
            if n <= 63 {  // ZIP_STR_06B
                bytes.append(UInt8(n))
            } else if n <= 16383 {  // ZIP_STR_14B, big-endian
                bytes.append(0x40 | UInt8(n >> 8))
                bytes.append(UInt8(n & 0xFF))
            } else {  // ZIP_STR_32B, big-endian
                bytes.append(0x80)
                withUnsafeBytes(of: UInt32(n).bigEndian) { bytes.append(contentsOf: $0) }
            }
            bytes.append(contentsOf: s)
        }
        endEntry(start)
    }

    public mutating func append(_ b: [UInt8]) {
        b.withUnsafeBytes { append($0) }
    }

    public mutating func append(_ v: Int64) {
        let start = beginEntry()
        appendInteger(v)
        endEntry(start)
    }

    private mutating func beginEntry() -> Int {
        let start = bytes.count
        if previousSize < Int(ZiplistReader.ZIP_BIG_PREVLEN) {
            bytes.append(UInt8(previousSize))
        } else {
            bytes.append(ZiplistReader.ZIP_BIG_PREVLEN)
            withUnsafeBytes(of: UInt32(previousSize).littleEndian) { bytes.append(contentsOf: $0) }
        }
        return start
    }

    private mutating func endEntry(_ start: Int) {
        lastEntryStart = start
        previousSize = bytes.count - start
        count += 1
    }

    private mutating func appendInteger(_ v: Int64) {
        switch v {
        case 0...12:  // ZIP_INT_IMM
            bytes.append(0xF1 + UInt8(v))
        case Int64(Int8.min)...Int64(Int8.max):  // ZIP_INT_8B
            bytes.append(0xFE)
            bytes.append(UInt8(bitPattern: Int8(v)))
        case Int64(Int16.min)...Int64(Int16.max):  // ZIP_INT_16B
            bytes.append(0xC0)
            withUnsafeBytes(of: Int16(v).littleEndian) { bytes.append(contentsOf: $0) }
        case -(1 << 23)...((1 << 23) - 1):  // ZIP_INT_24B
            bytes.append(0xF0)
            let u = UInt32(bitPattern: Int32(v))
            bytes.append(contentsOf: [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF)])
        case Int64(Int32.min)...Int64(Int32.max):  // ZIP_INT_32B
            bytes.append(0xD0)
            withUnsafeBytes(of: Int32(v).littleEndian) { bytes.append(contentsOf: $0) }
        default:  // ZIP_INT_64B
            bytes.append(0xE0)
            withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
        }
    }

    public func finished() -> [UInt8] {
        var out = bytes
        out.append(ZiplistReader.ZIP_END)
        withUnsafeBytes(of: UInt32(out.count).littleEndian) { out.replaceSubrange(0..<4, with: $0) }
        let tail = count == 0 ? ZiplistReader.ZIPLIST_HEADER_SIZE : lastEntryStart
        withUnsafeBytes(of: UInt32(tail).littleEndian) { out.replaceSubrange(4..<8, with: $0) }
        withUnsafeBytes(of: UInt16(min(count, 65535)).littleEndian) { out.replaceSubrange(8..<10, with: $0) }
        return out
    }
}
