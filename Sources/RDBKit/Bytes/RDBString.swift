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
            // 24 bytes on the stack for the 20 of Int64.min. Not withUnsafeTemporaryAllocation:
            // it was left generic here and looked up Result's metadata on every call, 600
            // instructions a key (a sixth of validating a dump of small keys).
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            return try withUnsafeMutableBytes(of: &digits) { buffer in
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
