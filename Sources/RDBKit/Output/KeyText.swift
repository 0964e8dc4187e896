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
