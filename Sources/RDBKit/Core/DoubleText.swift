#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Doubles as text, each form once and named by what it is for (JSON's number form is
/// `JSONWriter.double`, the one writer of JSON numbers). They differ on purpose: each is what its
/// reader reads back as the same double, in the bytes the outputs have always had.
public enum DoubleText {
    /// util.c d2string as Redis 7.2+ formats a double: "nan", "inf"/"-inf", "0"/"-0", integers that
    /// double2ll converts exactly as integers, else fpconv_dtoa's shortest digits laid out by its
    /// emit_digits rules (plain up to 7 extra zeros, scientific "1.5e+300" beyond).
    public static func d2string(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // double2ll: integral values within ±LLONG_MAX/2 print as integers.
        if value == value.rounded(), abs(value) <= 4_611_686_018_427_387_904 { return String(Int64(value)) }
        let (digits, pointExponent) = shortestDigits(abs(value))
        return (value < 0 ? "-" : "") + emitDigits(digits, k: pointExponent - digits.count, negative: value < 0)
    }

    /// An array element's float as ARGET returns it (arFormatFloat): d2string, then ".0" after an
    /// integer-looking finite value.
    public static func arrayElement(_ d: Double) -> String {
        let text = d2string(d)
        if d.isFinite && !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return text + ".0" }
        return text
    }

    /// A score inside a listpack or ziplist as this writer stores it (and the memory estimate
    /// sizes it): integral scores below 2^53 as integers, infinities as "inf"/"-inf", else the
    /// shortest text that reads back as the same double (zzlStrtod).
    static func listpackScore(_ d: Double) -> String {
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d == d.rounded() && abs(d) < 9.007_199_254_740_992e15 && !(d == 0 && d.sign == .minus) {
            return String(Int64(d))
        }
        return "\(d)"
    }

    /// The text of rdbSaveDoubleValue's old string form (type 3 zsets before RDB 8), NaN and the
    /// infinities aside (they have length bytes of their own): integral values below 1e17 as
    /// integers, else the shortest text that reads back the same.
    static func rdbStringDouble(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e17 ? String(Int64(d)) : "\(d)"
    }

    /// A score as an AOF command's argument (ZADD), which the server reads with strtod: the
    /// shortest round-trip text, infinities as Redis spells them.
    static func commandScore(_ score: Double) -> String {
        if score.isInfinite { return score < 0 ? "-inf" : "inf" }
        return "\(score)"
    }

    /// INCRBYFLOAT's and HINCRBYFLOAT's text (util.c ld2string, LD_STR_HUMAN): "%.17Lf", then
    /// trailing zeros and a trailing dot removed.
    static func humanFriendly(_ value: LongDouble) -> String {
        var buffer = [CChar](repeating: 0, count: MAX_LONG_DOUBLE_CHARS)
        #if arch(x86_64)
        let length = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.17Lf", $0) }
        #else
        let length = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.17f", $0) }
        #endif
        var text = String(decoding: buffer.prefix(Int(max(0, length))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
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

// MARK: reading

/// server.h MAX_LONG_DOUBLE_CHARS: the longest number text string2ld reads (and ld2string writes).
let MAX_LONG_DOUBLE_CHARS = 5 * 1024

#if arch(x86_64)
/// Redis does float increments in C's long double, which is 80-bit here.
typealias LongDouble = Float80
#else
typealias LongDouble = Double
#endif

/// The one number reader: C's `strtod` (or `strtold`) over all of `text`, nil when any of it is
/// left over; the callers below add the rules of what they read.
private func wholeNumber<T>(_ text: UnsafeRawBufferPointer,
                            _ convert: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T? {
    guard text.count > 0 else { return nil }
    return withUnsafeTemporaryAllocation(byteCount: text.count + 1, alignment: 1) { buffer -> T? in
        let p = buffer.baseAddress!
        p.copyMemory(from: text.baseAddress!, byteCount: text.count)
        p.storeBytes(of: 0, toByteOffset: text.count, as: UInt8.self)
        let cString = UnsafePointer(p.assumingMemoryBound(to: CChar.self))
        var end: UnsafeMutablePointer<CChar>?
        let v = convert(cString, &end)
        guard let end, UnsafePointer(end) == cString + text.count else { return nil }
        return v
    }
}

/// A double stored as text in a file (an RDB string double, a listpack score, an export's
/// number): strtod's forms, all of the text; at most 255 bytes, what a length byte allows.
func parseDouble(_ text: UnsafeRawBufferPointer) -> Double? {
    guard text.count < 256 else { return nil }
    return wholeNumber(text) { strtod($0, $1) }
}

/// A command's double argument as Redis reads it (util.c string2d): all of the text, no space
/// at either end, not NaN.
func parseDoubleArgument(_ bytes: [UInt8]) -> Double? {
    guard let first = bytes.first, let last = bytes.last, !isCSpace(first), !isCSpace(last),
          let value = bytes.withUnsafeBytes({ wholeNumber($0) { strtod($0, $1) } }), !value.isNaN else { return nil }
    return value
}

/// C's isspace in the C locale.
private func isCSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

extension LongDouble {
    /// A command's long double argument as Redis reads it (util.c string2ld, for
    /// INCRBYFLOAT): strtold over all of it, shorter than MAX_LONG_DOUBLE_CHARS, no space at
    /// either end, not NaN.
    init?(_ bytes: [UInt8]) {
        guard let first = bytes.first, let last = bytes.last, first > 0x20, last > 0x20, bytes.count < MAX_LONG_DOUBLE_CHARS,
              let value = bytes.withUnsafeBytes({ (text) -> LongDouble? in
                  #if arch(x86_64)
                  return wholeNumber(text) { strtold($0, $1) }
                  #else
                  return wholeNumber(text) { strtod($0, $1) }
                  #endif
              }), !value.isNaN else { return nil }
        self = value
    }
}
