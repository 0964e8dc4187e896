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
            let w = JSONWriter(output: nil)
            w.raw("{\"path\":")
            w.string(Array(point.path.utf8))
            w.raw(",\"kind\":")
            w.string(Array(point.kind.rawValue.utf8))
            w.raw(",\"valid\":")
            point.isValid ? w.raw("true") : w.raw("false")
            if let first = point.first {
                w.raw(",\"first\":")
                w.int(first)
            }
            if let last = point.last {
                w.raw(",\"last\":")
                w.int(last)
            }
            w.raw(",\"files\":")
            w.int(Int64(point.files))
            w.raw(",\"bytes\":")
            w.int(point.bytes)
            w.raw(",\"keys\":")
            w.int(Int64(point.keys))
            w.raw(",\"commands\":")
            w.int(Int64(point.commands))
            if let error = point.error {
                w.raw(",\"error\":")
                w.string(Array(error.description.utf8))
            }
            w.byte(UInt8(ascii: "}"))
            lines.append(String(decoding: w.pending, as: UTF8.self))
        }
        for gap in gaps { lines.append("{\"gap\":{\"from\":\(gap.from),\"to\":\(gap.to)}}") }
        for path in interrupted {
            let w = JSONWriter(output: nil)
            w.raw("{\"interrupted\":")
            w.string(Array(path.utf8))
            w.byte(UInt8(ascii: "}"))
            lines.append(String(decoding: w.pending, as: UTF8.self))
        }
        return lines
    }
}
