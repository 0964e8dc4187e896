/// How Redis 8.8 turns an array element's text into a tagged value and back (sparsearray.c
/// arEncode / arDecode / arFormatFloat, 64-bit build), so that what we write is what a server
/// that loaded the same elements would save.
public enum ArrayEncoding {
    /// sparsearray.h: the longest inline string on 64-bit builds.
    public static let AR_SMALLSTR_MAXLEN = 7
    /// sparsearray.h: "No insert performed yet"; cannot be stored, so the file has a flag instead.
    public static let AR_INSERT_IDX_NONE = UInt64.max
    /// sparsearray.h AR_RDB_TAG_*: the tag before each element in the file.
    public static let AR_RDB_TAG_SDS: UInt64 = 0
    public static let AR_RDB_TAG_INT: UInt64 = 1
    public static let AR_RDB_TAG_FLOAT: UInt64 = 2
    public static let AR_RDB_TAG_SMALLSTR: UInt64 = 3
    /// sparsearray.h AR_TAG_MASK: the low bits a double loses to the pointer tag.
    static let AR_TAG_MASK: UInt64 = 3

    /// arIntFits (64-bit): the 62-bit immediate integer range.
    static func intFits(_ v: Int64) -> Bool { v >= -(1 << 61) && v <= (1 << 61) - 1 }

    /// arEncode: an integer if string2ll accepts the text and it fits 62 bits, else a float if the
    /// text is digits with one dot that d2string gives back exactly (with ".0" restored), else a
    /// small string up to 7 bytes, else a heap string.
    public static func encode(_ text: UnsafeRawBufferPointer) -> StoredArrayElement {
        if let v = canonicalInt64(text), intFits(v) { return .int(v) }
        if let d = tryFloat(text) { return .double(d) }
        return text.count <= AR_SMALLSTR_MAXLEN ? .smallString(Bytes(text)) : .string(Bytes(text))
    }

    /// What a 64-bit server holds after loading an element with this tag (arValueFromRdb*):
    /// integers outside 62 bits and heap strings go through arEncode-equivalent promotion.
    public static func loaded(_ element: ArrayElement) -> StoredArrayElement {
        switch element {
        case .int(let v): return intFits(v) ? .int(v) : .string(Array(String(v).utf8))
        case .double(let d): return .double(Double(bitPattern: d.bitPattern & ~AR_TAG_MASK))
        case .smallString(let s): return s.withBytes { $0.count <= AR_SMALLSTR_MAXLEN ? .smallString(Bytes($0)) : .string(Bytes($0)) }
        case .string(let s): return s.withBytes { encode($0) }
        }
    }

    /// arTryEncodeFloat (64-bit).
    private static func tryFloat(_ s: UnsafeRawBufferPointer) -> Double? {
        guard s.count > 0, s.count < 64 else { return nil }
        var i = 0
        if s[0] == UInt8(ascii: "-") {
            guard s.count > 1 else { return nil }
            i = 1
        }
        var dotSeen = false
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: ".") {
                if dotSeen { return nil }
                dotSeen = true
            } else if c < UInt8(ascii: "0") || c > UInt8(ascii: "9") {
                return nil
            }
            i += 1
        }
        guard dotSeen, let d = Double(String(decoding: s, as: UTF8.self)), d.isFinite else { return nil }
        let truncated = Double(bitPattern: d.bitPattern & ~AR_TAG_MASK)
        let text = RedisDoubleText.d2string(truncated)
        let input = String(decoding: s, as: UTF8.self)
        return text == input || text + ".0" == input ? truncated : nil
    }

    /// arFormatFloat: d2string, then ".0" after an integer-looking finite value.
    public static func formatFloat(_ d: Double) -> String {
        let text = RedisDoubleText.d2string(d)
        if d.isFinite && !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return text + ".0" }
        return text
    }
}

/// util.c d2string as Redis 7.2+ formats a double: "nan", "inf"/"-inf", "0"/"-0", integers that
/// double2ll converts exactly as integers, else fpconv_dtoa's shortest digits laid out by its
/// emit_digits rules (plain up to 7 extra zeros, scientific "1.5e+300" beyond).
public enum RedisDoubleText {
    public static func d2string(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // double2ll: integral values within ±LLONG_MAX/2 print as integers.
        if value == value.rounded(), abs(value) <= 4_611_686_018_427_387_904 { return String(Int64(value)) }
        let (digits, pointExponent) = shortestDigits(abs(value))
        return (value < 0 ? "-" : "") + emitDigits(digits, k: pointExponent - digits.count, negative: value < 0)
    }

    /// Shortest round-trip decimal digits of a positive finite double and the position of the
    /// decimal point relative to them (value = 0.d1d2... × 10^pointExponent).
    private static func shortestDigits(_ v: Double) -> ([UInt8], Int) {
        let text = Array("\(v)".utf8)
        var mantissa: [UInt8] = []
        var exponent = 0
        var dotPosition: Int?
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: ".") {
                dotPosition = mantissa.count
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exponent = Int(String(decoding: text[(i + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                mantissa.append(c)
            }
            i += 1
        }
        var point = (dotPosition ?? mantissa.count) + exponent
        while mantissa.first == UInt8(ascii: "0") && mantissa.count > 1 {
            mantissa.removeFirst()
            point -= 1
        }
        while mantissa.last == UInt8(ascii: "0") && mantissa.count > 1 { mantissa.removeLast() }
        return (mantissa, point)
    }

    /// fpconv_dtoa.c emit_digits: `k` is the power of ten of the last digit.
    private static func emitDigits(_ digits: [UInt8], k: Int, negative: Bool) -> String {
        var ndigits = digits.count
        let exp = abs(k + ndigits - 1)
        if k >= 0 && exp < ndigits + 7 {
            return String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: k)
        }
        if k < 0 && (k > -7 || exp < 4) {
            let offset = ndigits - abs(k)
            if offset <= 0 {
                return "0." + String(repeating: "0", count: -offset) + String(decoding: digits, as: UTF8.self)
            }
            return String(decoding: digits[..<offset], as: UTF8.self) + "." + String(decoding: digits[offset...], as: UTF8.self)
        }
        ndigits = min(ndigits, 18 - (negative ? 1 : 0))
        var out = String(UnicodeScalar(digits[0]))
        if ndigits > 1 { out += "." + String(decoding: digits[1..<ndigits], as: UTF8.self) }
        out += k + ndigits - 1 < 0 ? "e-" : "e+"
        return out + String(exp)
    }
}
