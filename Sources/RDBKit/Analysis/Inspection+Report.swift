extension Inspection {
    private func auxValue(_ name: String) -> String? { aux.first { $0.name == name }?.value }

    private func size(_ bytes: Int64) -> String { humanBytes(bytes) }


    /// The human summary.
    public var text: String {
        var lines: [String] = []
        let family = header?.family == .valkey ? "Valkey RDB" : "RDB"
        let writer = auxValue("valkey-ver").map { "Valkey \($0)" } ?? auxValue("redis-ver").map { "Redis \($0)" } ?? "unknown"
        if replayedAOF {
            lines.append("\(path): AOF, replayed as merge replays it (the dataset as \(family) v\(header?.version ?? 0): \(size(bytes)))")
        } else {
            lines.append("\(path): \(family) v\(header?.version ?? 0), written by \(writer), \(size(bytes))")
        }
        if let ctime = auxValue("ctime").flatMap(Int64.init) { lines.append("  created      \(isoTime(ctime * 1000))") }
        if let used = auxValue("used-mem").flatMap(Int64.init) { lines.append("  used-mem     \(size(used))") }
        if let id = auxValue("repl-id") { lines.append("  repl-id      \(id) offset \(auxValue("repl-offset") ?? "?")") }
        if let base = auxValue("aof-base") ?? auxValue("aof-preamble") { lines.append("  aof-base     \(base)") }
        switch checksum {
        case .verified(let v)?: lines.append("  checksum     \(hex(v)) verified")
        case .disabled?: lines.append("  checksum     disabled (stored as 0)")
        case .absent?: lines.append("  checksum     none (version < 5)")
        case nil: break
        }
        lines.append("  keys         \(keys), estimated memory \(size(memory)) (as Redis 7.0 would use)")
        if functions > 0 { lines.append("  functions    \(functions) librar\(functions == 1 ? "y" : "ies")") }
        if !modules.isEmpty || !moduleAux.isEmpty {
            lines.append("  modules      " + (Set(modules.keys).union(moduleAux)).sorted().joined(separator: ", "))
        }
        lines.append("")
        lines.append("databases")
        for (db, d) in databases.sorted(by: { $0.key < $1.key }) {
            var line = "  db\(db): \(d.keys) keys, \(d.withExpiry) with expiry, \(d.alreadyExpired) already expired"
            if let hint = d.resizeHintKeys { line += " (resize hint: \(hint) keys, \(d.resizeHintExpires ?? 0) expires)" }
            lines.append(line)
        }
        lines.append("")
        lines.append("types")
        for (type, t) in types.sorted(by: { $0.value.memory > $1.value.memory }) {
            let encodings = t.serverEncodings.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  \(type.rawValue.padded(to: 7)) \(t.keys) keys, \(size(t.serializedBytes)) in the file, ~\(size(t.memory)) in memory; \(encodings)")
        }
        if streams.withIdmp > 0 || streams.nackedEntries > 0 {
            lines.append("  streams: \(streams.withIdmp) with IDMP state (\(streams.idmpProducers) producers, \(streams.idmpIids) iids), \(streams.nackedEntries) NACKed pending entries")
        }
        if !biggestKeys.isEmpty {
            lines.append("")
            lines.append("biggest keys (estimated memory)")
            for k in biggestKeys {
                lines.append("  \(size(Int64(k.memory)).padded(to: 10)) db\(k.db) \(displayedKey(k.key)) (\(k.type.rawValue), \(k.encoding), \(k.elements) element\(k.elements == 1 ? "" : "s"))")
            }
        }
        if !prefixes.isEmpty || keysWithoutPrefix > 0 {
            lines.append("")
            lines.append("top prefixes (keys, estimated memory)" + (prefixCountError > 0 ? "; counts may be over by up to \(prefixCountError)" : ""))
            for p in prefixes {
                lines.append("  \(String(p.keys).padded(to: 8)) \(size(p.memory).padded(to: 10)) \(displayedKey(p.prefix))")
            }
            if keysWithoutPrefix > 0 { lines.append("  \(keysWithoutPrefix) key\(keysWithoutPrefix == 1 ? "" : "s") without the separator (no prefix)") }
        }
        lines.append("")
        lines.append("time to live")
        for (i, name) in Inspection.ttlBucketNames.enumerated() where ttlBuckets[i] > 0 {
            lines.append("  \(name.padded(to: 10)) \(ttlBuckets[i])")
        }
        return lines.joined(separator: "\n")
    }

    /// The same as one JSON object.
    public var json: String {
        let w = JSONWriter(output: nil)
        w.raw("{\"path\":")
        w.string(Array(path.utf8))
        if let header {
            w.raw(",\"family\":\"")
            w.text(header.family.rawValue)
            w.raw("\",\"version\":")
            w.int(Int64(header.version))
        }
        w.raw(",\"bytes\":")
        w.int(bytes)
        w.raw(",\"replayed_aof\":")
        w.raw(replayedAOF ? "true" : "false")
        w.raw(",\"aux\":{")
        for (i, a) in aux.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            Array(a.name.utf8).withUnsafeBytes { w.quoted($0) }
            w.byte(UInt8(ascii: ":"))
            w.string(Array(a.value.utf8))
        }
        w.raw("},\"checksum\":")
        switch checksum {
        case .verified(let v)?: w.raw("\""); w.text(hex(v)); w.raw("\"")
        case .disabled?: w.raw("\"disabled\"")
        case .absent?: w.raw("\"absent\"")
        case nil: w.raw("null")
        }
        w.raw(",\"keys\":")
        w.int(Int64(keys))
        w.raw(",\"memory\":")
        w.int(memory)
        w.raw(",\"functions\":")
        w.int(Int64(functions))
        w.raw(",\"modules\":[")
        w.text(Set(modules.keys).union(moduleAux).sorted().map { "\"\($0)\"" }.joined(separator: ","))
        w.raw("],\"databases\":{")
        for (i, (db, d)) in databases.sorted(by: { $0.key < $1.key }).enumerated() {
            w.raw(i == 0 ? "\"" : ",\"")
            w.int(Int64(db))
            w.raw("\":{\"keys\":")
            w.int(Int64(d.keys))
            w.raw(",\"expires\":")
            w.int(Int64(d.withExpiry))
            w.raw(",\"already_expired\":")
            w.int(Int64(d.alreadyExpired))
            if let hint = d.resizeHintKeys {
                w.raw(",\"resize_hint_keys\":")
                w.uint(hint)
                w.raw(",\"resize_hint_expires\":")
                w.uint(d.resizeHintExpires ?? 0)
            }
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("},\"types\":{")
        for (i, (type, t)) in types.sorted(by: { $0.key.ordinal < $1.key.ordinal }).enumerated() {
            w.raw(i == 0 ? "\"" : ",\"")
            w.text(type.rawValue)
            w.raw("\":{\"keys\":")
            w.int(Int64(t.keys))
            w.raw(",\"serialized_bytes\":")
            w.int(t.serializedBytes)
            w.raw(",\"memory\":")
            w.int(t.memory)
            for (label, counts) in [("stored_encodings", t.storedEncodings), ("encodings", t.serverEncodings)] {
                w.raw(",\"")
                w.text(label)
                w.raw("\":{")
                for (j, (name, n)) in counts.sorted(by: { $0.key < $1.key }).enumerated() {
                    w.raw(j == 0 ? "\"" : ",\"")
                    w.text(name)
                    w.raw("\":")
                    w.int(Int64(n))
                }
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("},\"streams\":{\"with_idmp\":")
        w.int(Int64(streams.withIdmp))
        w.raw(",\"idmp_producers\":")
        w.int(Int64(streams.idmpProducers))
        w.raw(",\"idmp_iids\":")
        w.int(Int64(streams.idmpIids))
        w.raw(",\"nacked_entries\":")
        w.int(Int64(streams.nackedEntries))
        w.raw("},\"biggest_keys\":[")
        for (i, k) in biggestKeys.enumerated() {
            w.raw(i == 0 ? "{\"db\":" : ",{\"db\":")
            w.int(Int64(k.db))
            w.raw(",\"key\":")
            w.string(k.key)
            w.raw(",\"type\":\"")
            w.text(k.type.rawValue)
            w.raw("\",\"encoding\":\"")
            w.text(k.encoding)
            w.raw("\",\"elements\":")
            w.int(Int64(k.elements))
            w.raw(",\"memory\":")
            w.int(Int64(k.memory))
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"prefixes\":[")
        for (i, p) in prefixes.enumerated() {
            w.raw(i == 0 ? "{\"prefix\":" : ",{\"prefix\":")
            w.string(p.prefix)
            w.raw(",\"keys\":")
            w.int(Int64(p.keys))
            w.raw(",\"memory\":")
            w.int(p.memory)
            w.raw(",\"overcount\":")
            w.int(Int64(p.overcount))
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"keys_without_prefix\":")
        w.int(Int64(keysWithoutPrefix))
        w.raw(",\"ttl\":{")
        for (i, name) in Inspection.ttlBucketNames.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(Array(name.utf8))
            w.byte(UInt8(ascii: ":"))
            w.int(Int64(ttlBuckets[i]))
        }
        w.raw("},\"now_ms\":")
        w.int(nowMs)
        w.byte(UInt8(ascii: "}"))
        return String(decoding: w.pending, as: UTF8.self)
    }
}

/// "1.5 MiB": binary units, one decimal.
func humanBytes(_ n: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n)
    var u = 0
    while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
    if u == 0 { return "\(n) B" }
    let tenths = Int((v * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[u])"
}
