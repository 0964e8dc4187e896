/// The key-level report spreadsheets and DuckDB read (the columns of redis-rdb-tools' memory
/// report): `database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry`.
/// RFC 4180 quoting. `size_in_bytes` is `MemoryEstimate`'s figure; `encoding` the one Redis 7.0
/// uses once the key is loaded; `expiry` ISO 8601 UTC with milliseconds, empty without one.
/// Keys are written by `KeyText`, which keeps binary keys reversible.
final class CSVExporter {
    let out: JSONWriter

    init(writer: JSONWriter) {
        out = writer
        out.raw("database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry\n")
    }

    func write(_ s: KeyStats) throws(RDBError) {
        out.int(Int64(s.db))
        out.byte(UInt8(ascii: ","))
        out.text(s.type.rawValue)
        out.byte(UInt8(ascii: ","))
        csvField(KeyText.encode(s.key, forSpreadsheet: true))
        out.byte(UInt8(ascii: ","))
        out.int(Int64(s.memory))
        out.byte(UInt8(ascii: ","))
        out.text(s.encoding)
        out.byte(UInt8(ascii: ","))
        out.int(Int64(s.elements))
        out.byte(UInt8(ascii: ","))
        out.int(Int64(s.largestElement))
        out.byte(UInt8(ascii: ","))
        if let e = s.expireAtMs { out.buffer.commit(writeISOTime(e, to: out.buffer.reserve(ISOTimeMaxLength))) }
        out.byte(UInt8(ascii: "\n"))
        try out.flushIfFull()
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
    private func csvField(_ text: [UInt8]) {
        guard text.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else {
            return text.withUnsafeBytes { out.buffer.append($0) }
        }
        out.byte(UInt8(ascii: "\""))
        for b in text {
            if b == UInt8(ascii: "\"") { out.byte(b) }
            out.byte(b)
        }
        out.byte(UInt8(ascii: "\""))
    }
}

/// Keys as text lines (CSV, `--format keys`): printable UTF-8 as it is; anything else (control
/// characters, invalid UTF-8, or text that itself starts with "base64:") as "base64:" + base64,
/// so every key maps back to its exact bytes.
public enum KeyText {
    public static let prefix = Array("base64:".utf8)
    private static let formulaLeads = Array("=+-@".utf8)

    /// `forSpreadsheet`: a key a spreadsheet would take for a formula (first byte = + - @, or a
    /// tab or CR, which the control-byte rule already covers) is written in the base64 form too.
    public static func encode(_ key: Bytes, forSpreadsheet: Bool = false) -> [UInt8] {
        let formula = forSpreadsheet && key.first.map { formulaLeads.contains($0) } == true
        let plain = key.withUnsafeBytes { isValidUTF8($0) } && !key.contains { $0 < 0x20 || $0 == 0x7F }
            && !key.starts(with: prefix) && !formula
        if plain { return key }
        let w = JSONWriter(output: nil)
        key.withUnsafeBytes { w.base64($0) }
        return prefix + [UInt8](w.pending)
    }

    public static func decode(_ text: [UInt8]) -> Bytes? {
        guard text.starts(with: prefix) else { return text }
        return Base64.decode(Array(text.dropFirst(prefix.count)))
    }
}

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
