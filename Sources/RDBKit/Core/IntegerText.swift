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
