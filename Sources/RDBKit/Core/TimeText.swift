/// "2033-05-18T03:33:20.000Z" for a unix time in milliseconds (proleptic Gregorian, UTC).
func isoTime(_ ms: Int64) -> String {
    withUnsafeTemporaryAllocation(byteCount: ISOTimeMaxLength, alignment: 1) { buffer in
        let n = writeISOTime(ms, to: buffer.baseAddress!)
        return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n), as: UTF8.self)
    }
}

/// The most `writeISOTime` writes: a year of up to 20 characters and 20 more.
let ISOTimeMaxLength = 40

/// Writes `isoTime(ms)` at `p`; returns its length.
func writeISOTime(_ ms: Int64, to p: UnsafeMutableRawPointer) -> Int {
    let (seconds, millis) = ms.quotientAndRemainder(dividingBy: 1000)
    let adjustedSeconds = millis < 0 ? seconds - 1 : seconds
    let milli = millis < 0 ? millis + 1000 : millis
    let (days, secondOfDay) = adjustedSeconds.quotientAndRemainder(dividingBy: 86_400)
    let day = secondOfDay < 0 ? days - 1 : days
    let sod = secondOfDay < 0 ? secondOfDay + 86_400 : secondOfDay
    // Howard Hinnant's civil_from_days.
    let z = day + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    var o = writeDecimal(y, to: p)
    func put(_ c: UInt8) {
        p.storeBytes(of: c, toByteOffset: o, as: UInt8.self)
        o += 1
    }
    func digits(_ v: Int64, _ width: Int) {
        var divisor: Int64 = width == 3 ? 100 : 10
        while divisor > 0 {
            put(UInt8(48 + v / divisor % 10))
            divisor /= 10
        }
    }
    put(UInt8(ascii: "-")); digits(m, 2); put(UInt8(ascii: "-")); digits(d, 2); put(UInt8(ascii: "T"))
    digits(sod / 3600, 2); put(UInt8(ascii: ":")); digits(sod % 3600 / 60, 2); put(UInt8(ascii: ":"))
    digits(sod % 60, 2); put(UInt8(ascii: ".")); digits(milli, 3); put(UInt8(ascii: "Z"))
    return o
}

/// 2026-12-01T22:35:39Z
public func isoSeconds(_ seconds: Int64) -> String {
    let ms = isoTime(seconds * 1000)
    return ms.hasSuffix(".000Z") ? String(ms.dropLast(5)) + "Z" : ms
}
