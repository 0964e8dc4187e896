/// A byte string as the reader hands it out: borrowed bytes (valid only during the callback that
/// receives them) or an integer that Redis stored in integer form and that reads as its decimal text.
public enum RDBString {
    case bytes(UnsafeRawBufferPointer)
    case int(Int64)

    /// Runs `body` over the string's bytes, rendering an integer as decimal text first.
    @inline(__always)
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .bytes(let b): return try body(b)
        case .int(let v):
            return try withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { buffer in
                let n = writeDecimal(v, to: buffer.baseAddress!)
                return try body(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n))
            }
        }
    }

    /// An owned copy.
    public var array: [UInt8] {
        withBytes { [UInt8]($0) }
    }

    public var count: Int {
        switch self {
        case .bytes(let b): return b.count
        case .int(let v): return decimalLength(v)
        }
    }
}

/// Writes the decimal form of `v` at `p` (up to 20 bytes); returns the length.
@inline(__always)
public func writeDecimal(_ v: Int64, to p: UnsafeMutableRawPointer) -> Int {
    var magnitude = v.magnitude
    var length = 0
    var position = 20
    withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { scratch in
        let s = scratch.baseAddress!
        repeat {
            position -= 1
            s.storeBytes(of: UInt8(truncatingIfNeeded: 48 + magnitude % 10), toByteOffset: position, as: UInt8.self)
            magnitude /= 10
        } while magnitude > 0
        var out = p
        if v < 0 {
            out.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
            out += 1
            length = 1
        }
        let n = 20 - position
        out.copyMemory(from: s + position, byteCount: n)
        length += n
    }
    return length
}

@inline(__always)
func decimalLength(_ v: Int64) -> Int {
    var magnitude = v.magnitude
    var n = v < 0 ? 2 : 1
    while magnitude >= 10 {
        magnitude /= 10
        n += 1
    }
    return n
}
