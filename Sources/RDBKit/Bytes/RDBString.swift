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
