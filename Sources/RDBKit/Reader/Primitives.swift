#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The RDB primitives (rdb.c: rdbLoadLen, rdbGenericLoadStringObject, rdbLoadDoubleValue, ...)
/// read from the input window. Lengths are big-endian; every other multi-byte value little-endian.
extension InputWindow {
    /// A length (rdbLoadLenByRef), or, for a first byte 11xxxxxx, the string encoding it announces.
    @inline(__always)
    func readLengthOrEncoding() throws(RDBError) -> (value: UInt64, isEncoding: Bool) {
        let b = try readByte()
        switch b >> 6 {
        case 0:  // RDB_6BITLEN
            return (UInt64(b & 0x3F), false)
        case 1:  // RDB_14BITLEN
            return ((UInt64(b & 0x3F) << 8) | UInt64(try readByte()), false)
        case 2:
            if b == 0x80 {  // RDB_32BITLEN
                return (UInt64(UInt32(bigEndian: try take(4).loadUnaligned(as: UInt32.self))), false)
            }
            if b == 0x81 {  // RDB_64BITLEN
                return (UInt64(bigEndian: try take(8).loadUnaligned(as: UInt64.self)), false)
            }
            throw RDBError(.badEncoding("unknown length encoding \(b)"), offset: offset - 1)
        default:  // RDB_ENCVAL
            return (UInt64(b & 0x3F), true)
        }
    }

    @inline(__always)
    func readLength() throws(RDBError) -> UInt64 {
        let (value, isEncoding) = try readLengthOrEncoding()
        if isEncoding {
            throw RDBError(.badEncoding("a string encoding byte where a length was expected"), offset: offset - 1)
        }
        return value
    }

    /// A length that sizes bytes to come: checked against what the input can still hold.
    @inline(__always)
    func checkedByteCount(_ length: UInt64, at lengthOffset: Int64) throws(RDBError) -> Int {
        if let left = remainingKnown {
            if length > UInt64(clamping: left) {
                throw RDBError(.pastEndOfFile(claimed: length, left: UInt64(clamping: left)), offset: lengthOffset)
            }
            return Int(length)
        }
        let limit = UInt64(Int32.max) * 1024
        if length > limit {
            throw RDBError(.lyingLength(claimed: length, limit: limit), offset: lengthOffset)
        }
        return Int(length)
    }

    /// A length used as a count or an id: it must fit an Int.
    func readLengthAsInt() throws(RDBError) -> Int {
        let at = offset
        let v = try readLength()
        guard v <= UInt64(Int.max) else {
            throw RDBError(.lyingLength(claimed: v, limit: UInt64(Int.max)), offset: at)
        }
        return Int(v)
    }

    /// How a string is stored, read up to its bytes (rdbGenericLoadStringObject's first step).
    enum StringHeader {
        case plain(count: Int)
        case int(Int64)
        case lzf(compressed: Int, expanded: Int)

        /// Whether the string is longer than `pieceSize` once expanded (an integer never is).
        @inline(__always)
        func isLonger(than pieceSize: Int) -> Bool {
            switch self {
            case .plain(let count): count > pieceSize
            case .lzf(_, let expanded): expanded > pieceSize
            case .int: false
            }
        }
    }

    /// A string's length or encoding, with the integer itself for INT8/16/32; the bytes of a
    /// plain or LZF string follow.
    @inline(__always)
    func readStringHeader() throws(RDBError) -> StringHeader {
        let at = offset
        let (value, isEncoding) = try readLengthOrEncoding()
        if !isEncoding {
            return .plain(count: try checkedByteCount(value, at: at))
        }
        switch UInt8(value) {
        case RDBStringEncoding.RDB_ENC_INT8:
            return .int(Int64(Int8(bitPattern: try readByte())))
        case RDBStringEncoding.RDB_ENC_INT16:
            return .int(Int64(Int16(littleEndian: try take(2).loadUnaligned(as: Int16.self))))
        case RDBStringEncoding.RDB_ENC_INT32:
            return .int(Int64(Int32(littleEndian: try take(4).loadUnaligned(as: Int32.self))))
        case RDBStringEncoding.RDB_ENC_LZF:
            let (compressed, expanded) = try readLZFLengths()
            return .lzf(compressed: compressed, expanded: expanded)
        default:
            throw RDBError(.badEncoding("unknown RDB string encoding type \(value)"), offset: at)
        }
    }

    /// A string in any of its encodings (plain, INT8/16/32, LZF). LZF output goes to `scratch`;
    /// plain bytes are borrowed from the window until the next read.
    @inline(__always)
    func readString(lzfInto scratch: ScratchBuffer) throws(RDBError) -> RDBString {
        let at = offset
        return try readString(try readStringHeader(), at: at, lzfInto: scratch)
    }

    /// The rest of a string whose header (read at `at`) is known.
    @inline(__always)
    func readString(_ header: StringHeader, at: Int64, lzfInto scratch: ScratchBuffer) throws(RDBError) -> RDBString {
        switch header {
        case .plain(let count):
            return .bytes(try take(count))
        case .int(let v):
            return .int(v)
        case .lzf(let compressedLength, let expandedLength):
            let compressed = try take(compressedLength)
            guard LZF.decompress(compressed, expectedLength: expandedLength, into: scratch) else {
                throw RDBError.invalidLZF(compressedLength, expandedLength, at: at)
            }
            return .bytes(scratch.bytes)
        }
    }

    /// The two lengths after RDB_ENC_LZF: compressed (checked against the input) and expanded
    /// (checked against the most that many compressed bytes can expand to).
    func readLZFLengths() throws(RDBError) -> (compressed: Int, expanded: Int) {
        let compressedAt = offset
        let compressedLength = try checkedByteCount(try readLength(), at: compressedAt)
        let expandedAt = offset
        let expandedLength = try readLength()
        let expansionLimit = UInt64(compressedLength) * UInt64(LZF.maximumExpansion)
        if expandedLength > expansionLimit {
            throw RDBError(.lyingLength(claimed: expandedLength, limit: expansionLimit), offset: expandedAt,
                           context: "LZF string claims to expand beyond what \(compressedLength) compressed bytes can hold")
        }
        return (compressedLength, Int(expandedLength))
    }

    /// A string that stays valid until `scratch` is used again (not only until the next read).
    @inline(__always)
    func readStableString(into scratch: ScratchBuffer) throws(RDBError) -> RDBString {
        let s = try readString(lzfInto: scratch)
        if case .bytes(let b) = s, b.baseAddress != UnsafeRawPointer(scratch.base) || b.count == 0 {
            scratch.set(b)
            return .bytes(scratch.bytes)
        }
        return s
    }

    /// Consumes a string without decompressing or copying it.
    func skipString() throws(RDBError) {
        switch try readStringHeader() {
        case .plain(let count): try skip(Int64(count))
        case .int: break
        case .lzf(let compressed, _): try skip(Int64(compressed))
        }
    }

    /// A double in the old string form (rdbLoadDoubleValue): a length byte, then ASCII; 253, 254
    /// and 255 stand for NaN, +inf and -inf.
    func readStringDouble() throws(RDBError) -> Double {
        let at = offset
        let n = try readByte()
        switch n {
        case 253: return .nan
        case 254: return .infinity
        case 255: return -.infinity
        default:
            let text = try take(Int(n))
            guard let v = parseDouble(text) else {
                throw RDBError(.corrupt("score \"\(String(decoding: text, as: UTF8.self))\" is not a number"), offset: at)
            }
            return v
        }
    }

    /// An 8-byte little-endian IEEE double (ZSET_2 scores, module doubles).
    @inline(__always)
    func readBinaryDouble() throws(RDBError) -> Double {
        Double(bitPattern: try readUInt64LE())
    }

    /// An 8-byte little-endian millisecond time (rdbLoadMillisecondTime).
    @inline(__always)
    func readMillisecondTime() throws(RDBError) -> Int64 {
        Int64(bitPattern: try readUInt64LE())
    }
}

extension RDBString {
    /// The value as a score: integers as is, text through strtod (zzlStrtod).
    func asDouble() -> Double? {
        switch self {
        case .int(let v): return Double(v)
        case .bytes(let b): return parseDouble(b)
        }
    }

    /// The value as an integer, for listpack fields Redis writes with lpAppendInteger.
    func asInt64() -> Int64? {
        switch self {
        case .int(let v): return v
        case .bytes(let b):
            guard b.count > 0, b.count <= 20 else { return nil }
            var negative = false
            var magnitude: UInt64 = 0
            for (i, c) in b.enumerated() {
                if i == 0 && c == UInt8(ascii: "-") && b.count > 1 { negative = true; continue }
                guard c >= 48 && c <= 57 else { return nil }
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(c - 48))
                if o1 || o2 { return nil }
                magnitude = s
            }
            if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
            return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
        }
    }
}
