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
