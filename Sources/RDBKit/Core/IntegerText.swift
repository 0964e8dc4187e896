/// Redis stores a string as an integer only when the text is the integer's canonical decimal form
/// (util.c string2ll, listpack.c lpStringToInt64): an optional minus, no leading zeros, no "-0",
/// no spaces or plus sign, within int64. Anything else stays text, so it reads back byte for byte.
public func canonicalInt64(_ text: UnsafeRawBufferPointer) -> Int64? {
    let n = text.count
    guard n > 0, n <= 20 else { return nil }
    if n == 1 && text[0] == UInt8(ascii: "0") { return 0 }
    var i = 0
    let negative = text[0] == UInt8(ascii: "-")
    if negative { i = 1 }
    guard i < n, text[i] >= UInt8(ascii: "1"), text[i] <= UInt8(ascii: "9") else { return nil }
    var magnitude: UInt64 = 0
    while i < n {
        let c = text[i]
        guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
        let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
        if o1 || o2 { return nil }
        magnitude = s
        i += 1
    }
    if negative {
        guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
        return Int64(truncatingIfNeeded: 0 &- magnitude)
    }
    guard magnitude <= UInt64(Int64.max) else { return nil }
    return Int64(magnitude)
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
