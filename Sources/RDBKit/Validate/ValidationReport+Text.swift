extension ValidationReport {
    /// One line for people: `OK  path: ...` or `BAD path: at offset N (key K): reason`.
    public var summaryLine: String {
        if let error { return "BAD \(path): \(error) (\(keys) whole key\(keys == 1 ? "" : "s") read before it)" }
        var parts: [String] = []
        if let header {
            parts.append("\(header.family == .valkey ? "Valkey RDB" : "RDB") v\(header.version)")
        }
        if let writtenBy { parts.append("written by \(writtenBy)") }
        parts.append("\(keys) key\(keys == 1 ? "" : "s")")
        parts.append(checksumText)
        var line = "OK  \(path): " + parts.joined(separator: ", ")
        for w in warnings { line += "; warning: \(w)" }
        return line
    }

    var checksumText: String {
        switch checksum {
        case .verified(let v): return "checksum \(hex(v)) verified"
        case .disabled: return "checksum disabled (stored as 0, not checked)"
        case .absent: return "no checksum (version < 5)"
        case nil: return "checksum not reached"
        }
    }

    /// One JSON object for machines.
    public var jsonLine: String {
        let w = JSONWriter(output: nil)
        w.raw("{\"path\":")
        w.string(Array(path.utf8))
        w.raw(",\"valid\":")
        isValid ? w.raw("true") : w.raw("false")
        if let header {
            w.raw(",\"family\":\"")
            w.text(header.family.rawValue)
            w.raw("\",\"version\":")
            w.int(Int64(header.version))
        }
        if let writtenBy {
            w.raw(",\"written_by\":")
            w.string(Array(writtenBy.utf8))
        }
        w.raw(",\"keys\":")
        w.int(Int64(keys))
        w.raw(",\"keys_by_type\":{")
        for (i, t) in RedisType.allCases.filter({ keysByType[$0] != nil }).enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.byte(UInt8(ascii: "\""))
            w.text(t.rawValue)
            w.raw("\":")
            w.int(Int64(keysByType[t]!))
        }
        w.raw("},\"checksum\":")
        switch checksum {
        case .verified(let v): w.raw("\""); w.text(hex(v)); w.raw("\"")
        case .disabled: w.raw("\"disabled\"")
        case .absent: w.raw("\"absent\"")
        case nil: w.raw("null")
        }
        w.raw(",\"bytes_read\":")
        w.int(bytesRead)
        if let trailingBytes {
            w.raw(",\"trailing_bytes\":{\"offset\":")
            w.int(trailingBytes.offset)
            w.raw(",\"count\":")
            w.int(trailingBytes.count)
            w.byte(UInt8(ascii: "}"))
        }
        if let error {
            w.validationError(error, afterKey: {
                if let context = error.context {
                    w.raw(",\"context\":")
                    w.string(Array(context.utf8))
                }
            })
        }
        w.byte(UInt8(ascii: "}"))
        return String(decoding: w.pending, as: UTF8.self)
    }
}

extension JSONWriter {
    /// `,"error":{"offset":N,…,"key":K,…,"reason":R,"message":M}`, the damage as the RDB and
    /// AOF validation reports both give it; `beforeKey` and `afterKey` add a report's own fields.
    func validationError(_ error: RDBError, beforeKey: () -> Void = {}, afterKey: () -> Void) {
        raw(",\"error\":{\"offset\":")
        int(error.offset)
        beforeKey()
        if let key = error.key {
            raw(",\"key\":")
            string(key)
        }
        afterKey()
        raw(",\"reason\":")
        string(Array(error.reason.utf8))
        raw(",\"message\":")
        string(Array(error.description.utf8))
        byte(UInt8(ascii: "}"))
    }
}
