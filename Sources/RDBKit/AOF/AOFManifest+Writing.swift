extension AOFManifest {
    /// The manifest as Redis writes it (aof.c getAofManifestAsString): the base, the history
    /// files, then the incremental files, one `file <name> seq <n> type <b|h|i>` line each, a
    /// name quoted like sdscatrepr when it holds spaces, quotes or unprintable bytes.
    public func rendered() -> [UInt8] {
        var text: [UInt8] = []
        for entry in (base.map { [$0] } ?? []) + history + incrementals {
            text += Array("file ".utf8) + Self.quotedIfNeeded(Array(entry.name.utf8))
            text += Array(" seq \(entry.sequence) type \(entry.type.rawValue)".utf8)
            for (key, value) in entry.extra.sorted(by: { $0.key < $1.key }) {
                text += [0x20] + Self.quotedIfNeeded(Array(key.utf8)) + [0x20] + Self.quotedIfNeeded(Array(value.utf8))
            }
            text.append(0x0A)
        }
        return text
    }

    /// sdsneedsrepr + sdscatrepr: plain when the name splits back to itself, else double-quoted.
    static func quotedIfNeeded(_ name: [UInt8]) -> [UInt8] {
        let plain = !name.isEmpty && name.allSatisfy { b in
            b > 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: "'") && b != UInt8(ascii: "\\")
        }
        if plain { return name }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        let hex = Array("0123456789abcdef".utf8)
        for b in name {
            switch b {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), b]
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x07: out += Array("\\a".utf8)
            case 0x08: out += Array("\\b".utf8)
            case 0x20...0x7E: out.append(b)
            default: out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}
