/// `rdbkit report`: the inspect summary as one self-contained HTML page (inline CSS and SVG
/// charts, no scripts, nothing fetched): summary, databases, memory by type and by key prefix,
/// the biggest keys and the time-to-live histogram.
public enum HTMLReport {
    public static func render(_ r: Inspection) -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>RDBKit report: \(escape(r.path))</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
            h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
            table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #eee}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
            svg text{font:12px system-ui,sans-serif}code{font-size:12px;overflow-wrap:anywhere}
            </style></head><body>
            <h1>\(escape(r.path))</h1>

            """
        let writer = r.aux.first { $0.name == "valkey-ver" }.map { "Valkey " + $0.value }
            ?? r.aux.first { $0.name == "redis-ver" }.map { "Redis " + $0.value } ?? "unknown"
        var summary: [(String, String)] = [
            ("format", (r.replayedAOF ? "AOF, replayed as merge replays it, as " : "")
                + "\(r.header?.family == .valkey ? "Valkey RDB" : "RDB") version \(r.header?.version ?? 0)"),
            ("written by", r.replayedAOF ? "rdbkit's replay" : writer),
            ("file size", bytes(r.bytes)),
            ("keys", String(r.keys)),
            ("estimated memory", bytes(r.memory) + " (as Redis 7.0 would use)"),
        ]
        if let ctime = r.aux.first(where: { $0.name == "ctime" }).flatMap({ Int64($0.value) }) {
            summary.append(("created", isoTime(ctime * 1000)))
        }
        if let used = r.aux.first(where: { $0.name == "used-mem" }).flatMap({ Int64($0.value) }) {
            summary.append(("used-mem when saved", bytes(used)))
        }
        switch r.checksum {
        case .verified(let v)?: summary.append(("checksum", "\(hex(v)) verified"))
        case .disabled?: summary.append(("checksum", "disabled"))
        case .absent?: summary.append(("checksum", "none (version < 5)"))
        case nil: break
        }
        if r.functions > 0 { summary.append(("functions", "\(r.functions) libraries")) }
        let modules = Set(r.modules.keys).union(r.moduleAux).sorted()
        if !modules.isEmpty { summary.append(("modules", modules.joined(separator: ", "))) }
        h += table(["", ""], summary.map { [$0.0, $0.1] }, numeric: [])

        h += "<h2>Databases</h2>\n"
        h += table(["db", "keys", "with expiry", "already expired", "resize hint"],
                   r.databases.sorted { $0.key < $1.key }.map { db, d in
                       [String(db), String(d.keys), String(d.withExpiry), String(d.alreadyExpired), d.resizeHintKeys.map(String.init) ?? ""]
                   }, numeric: [1, 2, 3, 4])

        h += "<h2>Memory by type</h2>\n"
        let types = r.types.sorted { $0.value.memory > $1.value.memory }
        h += bars(types.map { ($0.key.rawValue, Double($0.value.memory), bytes($0.value.memory) + " · " + plural($0.value.keys, "key")) })
        h += table(["type", "keys", "in the file", "estimated memory", "encodings"],
                   types.map { t, s in
                       [t.rawValue, String(s.keys), bytes(s.serializedBytes), bytes(s.memory),
                        s.serverEncodings.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")]
                   }, numeric: [1, 2, 3])

        h += "<h2>Memory by key prefix</h2>\n"
        if r.prefixCountError > 0 {
            h += "<p>Counted in bounded memory: counts may be over by up to \(r.prefixCountError).</p>\n"
        }
        if r.keysWithoutPrefix > 0 {
            h += "<p>Keys without the separator (no prefix): \(r.keysWithoutPrefix).</p>\n"
        }
        h += bars(r.prefixes.map { (displayedKey($0.prefix), Double($0.memory), bytes($0.memory) + " · " + plural($0.keys, "key")) })

        h += "<h2>Biggest keys</h2>\n"
        h += table(["key", "db", "type", "encoding", "elements", "estimated memory"],
                   r.biggestKeys.map { [displayedKey($0.key), String($0.db), $0.type.rawValue, $0.encoding, String($0.elements), bytes(Int64($0.memory))] },
                   numeric: [1, 4, 5], code: [0])

        h += "<h2>Time to live</h2>\n"
        h += bars(Inspection.ttlBucketNames.enumerated().map { ($0.element, Double(r.ttlBuckets[$0.offset]), plural(r.ttlBuckets[$0.offset], "key")) })
        h += "<p>Relative to \(isoTime(r.nowMs)).</p>\n</body></html>\n"
        return h
    }

    /// A horizontal bar chart in inline SVG.
    private static func bars(_ rows: [(label: String, value: Double, text: String)]) -> String {
        guard !rows.isEmpty else { return "<p>None.</p>\n" }
        let maximum = max(rows.map(\.value).max() ?? 1, 1)
        let rowHeight = 22, labelWidth = 260, barWidth = 520
        var svg = "<svg width=\"\(labelWidth + barWidth + 220)\" height=\(rowHeight * rows.count + 4) role=\"img\">\n"
        for (i, row) in rows.enumerated() {
            let y = i * rowHeight + 2
            let w = max(1, Int(Double(barWidth) * row.value / maximum))
            let label = row.label.count > 36 ? String(row.label.prefix(35)) + "…" : row.label
            svg += "<text x=\"0\" y=\"\(y + 15)\">\(escape(label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"15\" fill=\"#4a7fd4\"/>"
            svg += "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 15)\">\(escape(row.text))</text>\n"
        }
        return svg + "</svg>\n"
    }

    private static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int>, code: Set<Int> = []) -> String {
        var t = "<table>"
        if header.contains(where: { !$0.isEmpty }) {
            t += "<tr>" + header.enumerated().map { "<th\(numeric.contains($0.offset) ? " class=\"n\"" : "")>\(escape($0.element))</th>" }.joined() + "</tr>"
        }
        for row in rows {
            t += "<tr>" + row.enumerated().map { i, cell in
                let content = code.contains(i) ? "<code>\(escape(cell))</code>" : escape(cell)
                return "<td\(numeric.contains(i) ? " class=\"n\"" : "")>\(content)</td>"
            }.joined() + "</tr>"
        }
        return t + "</table>\n"
    }

    private static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }


    private static func bytes(_ n: Int64) -> String { humanBytes(n) }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
