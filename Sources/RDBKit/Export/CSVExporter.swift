/// The key-level report spreadsheets and DuckDB read (the columns of redis-rdb-tools' memory
/// report): `database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry`.
/// RFC 4180 quoting. `size_in_bytes` is `MemoryEstimate`'s figure; `encoding` the one Redis 7.0
/// uses once the key is loaded; `expiry` ISO 8601 UTC with milliseconds, empty without one.
/// Keys are written by `KeyText`, which keeps binary keys reversible.
final class CSVExporter {
    let out: JSONWriter
    /// Behind a pointer: a stored `var` would be checked for exclusive access on every row.
    private let written = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    var rows: Int { written.pointee }

    init(writer: JSONWriter) {
        out = writer
        written.initialize(to: 0)
        out.raw("database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry\n")
    }

    deinit { written.deallocate() }

    func write(_ s: KeyStats) throws(RDBError) {
        out.int(Int64(s.db))
        out.byte(UInt8(ascii: ","))
        out.typeName(s.type, quoted: false)
        out.byte(UInt8(ascii: ","))
        s.key.withUnsafeBytes { key in
            // The base64 form never needs quoting.
            KeyText.isPlain(key, forSpreadsheet: true) ? csvField(key) : KeyText.writeEncoded(key, to: out)
        }
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
        written.pointee += 1
        try out.flushIfFull()
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
    private func csvField(_ text: UnsafeRawBufferPointer) {
        var needsQuotes = false
        for b in text where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return out.buffer.append(text) }
        out.byte(UInt8(ascii: "\""))
        for b in text {
            if b == UInt8(ascii: "\"") { out.byte(b) }
            out.byte(b)
        }
        out.byte(UInt8(ascii: "\""))
    }
}
