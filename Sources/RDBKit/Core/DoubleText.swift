/// util.c d2string as Redis 7.2+ formats a double: "nan", "inf"/"-inf", "0"/"-0", integers that
/// double2ll converts exactly as integers, else fpconv_dtoa's shortest digits laid out by its
/// emit_digits rules (plain up to 7 extra zeros, scientific "1.5e+300" beyond).
public enum RedisDoubleText {
    /// arFormatFloat: d2string, then ".0" after an integer-looking finite value.
    public static func arrayFloat(_ d: Double) -> String {
        let text = d2string(d)
        if d.isFinite && !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return text + ".0" }
        return text
    }

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

/// How a score is written inside a listpack or ziplist.
enum RDBWriterScore {
    /// d2string: integral scores as integers, infinities as "inf"/"-inf", else the shortest text
    /// that reads back as the same double.
    static func text(_ d: Double) -> String {
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d == d.rounded() && abs(d) < 9.007_199_254_740_992e15 && !(d == 0 && d.sign == .minus) {
            return String(Int64(d))
        }
        return "\(d)"
    }
}

/// A score as ZADD parses it back (strtod): Swift's shortest round-trip text; infinities as Redis spells them.
func scoreText(_ score: Double) -> String {
    if score.isInfinite { return score < 0 ? "-inf" : "inf" }
    return "\(score)"
}
