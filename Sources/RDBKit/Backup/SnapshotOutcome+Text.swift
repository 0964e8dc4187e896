extension SnapshotOutcome {
    /// `OK DIR/dump-….rdb: 1200 keys, 48213 bytes from redis 7.0.15 (diskless), checksum verified, 0.4 s`
    public var summaryLine: String {
        var line = "OK \(path): \(report.keys) keys, \(payloadBytes) bytes from \(server)"
        line += diskless ? " (diskless)" : " (from the master's disk)"
        if fileBytes != payloadBytes { line += ", \(fileBytes) bytes gzipped" }
        switch report.checksum {
        case .verified?: line += ", checksum verified"
        case .disabled?: line += ", no checksum (the server has rdbchecksum no)"
        default: break
        }
        return line + ", taken at \(utcStamp(takenAt)) in " + format1(seconds) + " s"
    }

    public var jsonLine: String {
        let w = JSONWriter(output: nil)
        w.raw("{\"path\":")
        w.string(Array(path.utf8))
        w.raw(",\"valid\":true,\"keys\":")
        w.int(Int64(report.keys))
        w.raw(",\"bytes\":")
        w.int(payloadBytes)
        w.raw(",\"file_bytes\":")
        w.int(fileBytes)
        w.raw(",\"server\":")
        w.string(Array(server.utf8))
        w.raw(",\"diskless\":")
        diskless ? w.raw("true") : w.raw("false")
        if case .fullResync(let id, let offset) = start {
            w.raw(",\"replication_id\":")
            w.string(Array(id.utf8))
            w.raw(",\"offset\":")
            w.int(offset)
        }
        w.raw(",\"taken_at\":")
        w.int(takenAt)
        w.raw(",\"seconds\":")
        w.double((seconds * 1000).rounded() / 1000)
        w.byte(UInt8(ascii: "}"))
        return String(decoding: w.pending, as: UTF8.self)
    }
}

/// One decimal: 0.4, 12.0.
func format1(_ value: Double) -> String {
    let tenths = Int64((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}
