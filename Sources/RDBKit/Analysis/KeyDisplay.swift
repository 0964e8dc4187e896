/// A key name as the human outputs (inspect's text, the HTML report) show it: as `KeyText`
/// writes it, cut to `displayedKeyCharacters` characters with the full length noted, so a 1 MB
/// key name stays one readable line. JSON outputs keep keys whole.
let displayedKeyCharacters = 120

func displayedKey(_ key: Bytes) -> String {
    // Encoding only a head keeps a huge key's cost bounded; 4 bytes per character covers UTF-8.
    let head = key.count > displayedKeyCharacters * 4 ? Array(key[..<(displayedKeyCharacters * 4)]) : key
    var text = String(decoding: KeyText.encode(head), as: UTF8.self)
    if head.count == key.count && text.count <= displayedKeyCharacters { return text }
    // A head cut inside a UTF-8 sequence ends in U+FFFD; it is cut off below anyway.
    text = String(text.prefix(displayedKeyCharacters))
    return text + "… (\(key.count) bytes)"
}
