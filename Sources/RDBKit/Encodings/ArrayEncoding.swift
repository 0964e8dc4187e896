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
        guard dotSeen, let d = parseDouble(s), d.isFinite else { return nil }
        let truncated = Double(bitPattern: d.bitPattern & ~AR_TAG_MASK)
        // Only the text ARGET would give back is stored as a float.
        return DoubleText.arrayElement(truncated).utf8.elementsEqual(s) ? truncated : nil
    }
}
