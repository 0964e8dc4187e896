/// Keys as text lines (CSV, `--format keys`): printable UTF-8 as it is; anything else (control
/// characters, invalid UTF-8, or text that itself starts with "base64:") as "base64:" + base64,
/// so every key maps back to its exact bytes.
public enum KeyText {
    private static let marker: StaticString = "base64:"
    public static let prefix = [UInt8](UnsafeRawBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount))

    /// Whether `key` is written as it is. `forSpreadsheet`: a key a spreadsheet would take for a
    /// formula (first byte = + - @, or a tab or CR, which the control-byte rule already covers)
    /// is not. One pass over the borrowed key; UTF-8 is checked only when a byte above 0x7F appears.
    public static func isPlain(_ key: UnsafeRawBufferPointer, forSpreadsheet: Bool = false) -> Bool {
        if forSpreadsheet, let first = key.first {
            switch first {
            case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"): return false
            default: break
            }
        }
        var ascii = true
        for b in key {
            if b < 0x20 || b == 0x7F { return false }
            if b >= 0x80 { ascii = false }
        }
        if !ascii && !isValidUTF8(key) { return false }
        let n = marker.utf8CodeUnitCount
        guard key.count >= n else { return true }
        for i in 0..<n where key[i] != marker.utf8Start[i] { return true }
        return false
    }

    /// `key` as a text line's field: as it is when `isPlain`, else in the base64 form.
    public static func write(_ key: UnsafeRawBufferPointer, to out: JSONWriter, forSpreadsheet: Bool = false) {
        isPlain(key, forSpreadsheet: forSpreadsheet) ? out.buffer.append(key) : writeEncoded(key, to: out)
    }

    /// The base64 form, whatever the key (it never holds a comma, a quote or a line break).
    public static func writeEncoded(_ key: UnsafeRawBufferPointer, to out: JSONWriter) {
        out.raw(marker)
        out.base64(key)
    }

    public static func encode(_ key: Bytes, forSpreadsheet: Bool = false) -> [UInt8] {
        if key.withUnsafeBytes({ isPlain($0, forSpreadsheet: forSpreadsheet) }) { return key }
        let w = JSONWriter(output: nil)
        key.withUnsafeBytes { writeEncoded($0, to: w) }
        return [UInt8](w.pending)
    }

    public static func decode(_ text: [UInt8]) -> Bytes? {
        guard text.starts(with: prefix) else { return text }
        return Base64.decode(Array(text.dropFirst(prefix.count)))
    }
}
