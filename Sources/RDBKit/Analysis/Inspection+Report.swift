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
        let r = JSONReport()
        r.object {
            r.field("path", path)
            if let header {
                r.field("family", header.family.rawValue)
                r.field("version", header.version)
            }
            r.field("bytes", bytes)
            r.field("replayed_aof", replayedAOF)
            r.name("aux")
            r.object { for a in aux { r.field(a.name, a.value) } }
            r.name("checksum")
            switch checksum {
            case .verified(let v)?: r.string(hex(v))
            case .disabled?: r.string("disabled")
            case .absent?: r.string("absent")
            case nil: r.null()
            }
            r.field("keys", keys)
            r.field("memory", memory)
            r.field("functions", functions)
            r.name("modules")
            r.array { for name in Set(modules.keys).union(moduleAux).sorted() { r.string(name) } }
            r.name("databases")
            r.object {
                for (db, d) in databases.sorted(by: { $0.key < $1.key }) {
                    r.name(String(db))
                    r.object {
                        r.field("keys", d.keys)
                        r.field("expires", d.withExpiry)
                        r.field("already_expired", d.alreadyExpired)
                        if let hint = d.resizeHintKeys {
                            r.field("resize_hint_keys", hint)
                            r.field("resize_hint_expires", d.resizeHintExpires ?? 0)
                        }
                    }
                }
            }
            r.name("types")
            r.object {
                for (type, t) in types.sorted(by: { $0.key.ordinal < $1.key.ordinal }) {
                    r.name(type.rawValue)
                    r.object {
                        r.field("keys", t.keys)
                        r.field("serialized_bytes", t.serializedBytes)
                        r.field("memory", t.memory)
                        for (label, counts) in [("stored_encodings", t.storedEncodings), ("encodings", t.serverEncodings)] {
                            r.name(label)
                            r.object { for (name, n) in counts.sorted(by: { $0.key < $1.key }) { r.field(name, n) } }
                        }
                    }
                }
            }
            r.name("streams")
            r.object {
                r.field("with_idmp", streams.withIdmp)
                r.field("idmp_producers", streams.idmpProducers)
                r.field("idmp_iids", streams.idmpIids)
                r.field("nacked_entries", streams.nackedEntries)
            }
            r.name("biggest_keys")
            r.array {
                for k in biggestKeys {
                    r.object {
                        r.field("db", k.db)
                        r.field("key", k.key)
                        r.field("type", k.type.rawValue)
                        r.field("encoding", k.encoding)
                        r.field("elements", k.elements)
                        r.field("memory", k.memory)
                    }
                }
            }
            r.name("prefixes")
            r.array {
                for p in prefixes {
                    r.object {
                        r.field("prefix", p.prefix)
                        r.field("keys", p.keys)
                        r.field("memory", p.memory)
                        r.field("overcount", p.overcount)
                    }
                }
            }
            r.field("keys_without_prefix", keysWithoutPrefix)
            r.name("ttl")
            r.object { for (i, name) in Inspection.ttlBucketNames.enumerated() { r.field(name, ttlBuckets[i]) } }
            r.field("now_ms", nowMs)
        }
        return r.text
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
