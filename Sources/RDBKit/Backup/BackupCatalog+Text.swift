extension BackupCatalog {
    /// `OK chain    set-20261201T223539Z  2026-12-01T22:35:39Z … 2026-12-01T22:41:02Z  4 files, 71632 bytes, 2000 keys, 1202 commands`
    public var textLines: [String] {
        var lines: [String] = []
        for point in points {
            let name = point.path.split(separator: "/").last.map(String.init) ?? point.path
            let span = point.kind == .chain
                ? "\(point.first.map(isoSeconds) ?? "?") … \(point.last.map(isoSeconds) ?? "?")"
                : point.first.map(isoSeconds) ?? "?"
            var line = "\(point.isValid ? "OK " : "BAD") \(point.kind.rawValue.padded(to: 8, gap: 1))\(name)  \(span)  \(point.files) file\(point.files == 1 ? "" : "s"), \(point.bytes) bytes, \(point.keys) keys"
            if point.kind == .chain { line += ", \(point.commands) commands" }
            if let error = point.error { line += ": \(error)" }
            lines.append(line)
        }
        for gap in gaps { lines.append("gap  \(isoSeconds(gap.from)) … \(isoSeconds(gap.to)): no restore point") }
        for path in interrupted { lines.append("interrupted \(path): its snapshot never completed (ignored)") }
        if points.isEmpty { lines.append("no restore points in \(directory)") }
        return lines
    }

    public var jsonLines: [String] {
        var lines: [String] = []
        for point in points {
            let r = JSONReport()
            r.object {
                r.field("path", point.path)
                r.field("kind", point.kind.rawValue)
                r.field("valid", point.isValid)
                if let first = point.first { r.field("first", first) }
                if let last = point.last { r.field("last", last) }
                r.field("files", point.files)
                r.field("bytes", point.bytes)
                r.field("keys", point.keys)
                r.field("commands", point.commands)
                if let error = point.error { r.field("error", error.description) }
            }
            lines.append(r.text)
        }
        for gap in gaps {
            let r = JSONReport()
            r.object {
                r.name("gap")
                r.object {
                    r.field("from", gap.from)
                    r.field("to", gap.to)
                }
            }
            lines.append(r.text)
        }
        for path in interrupted {
            let r = JSONReport()
            r.object { r.field("interrupted", path) }
            lines.append(r.text)
        }
        return lines
    }
}
