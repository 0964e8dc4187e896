import Foundation
@testable import RDBKit

/// Compares our export of a dump with what a real server read back from it (`server_to_jsonl.py`
/// output), allowing only for what a server cannot know or does not keep: the order of set members
/// and hash fields, LRU/LFU metadata, fields the server derives for old streams, times it does not
/// show, and keys that had already expired when it loaded the dump.
struct ExpectedContent {
    /// Allowed difference between expiries (older servers only report a relative TTL).
    var expiryTolerance: Int64 = 0
    /// The RDB version of the dump, for the stream fields that only v10+ files hold.
    var fileVersion: Int

    /// The tolerance for a server named as the fixture folders are (`redis-6.2`): servers before 7.0
    /// have no PEXPIRETIME, so the oracle adds a PTTL to its own clock (1 ms off, or more when the
    /// expected file was captured while the server was slow).
    static func expiryTolerance(forServer name: String) -> Int64 {
        name.hasPrefix("redis-6") ? 5_000 : 0
    }

    /// Returns a description of each difference; empty when the contents agree.
    func differences(ours: [[String: Any]], expected: [[String: Any]], now: Int64) -> [String] {
        var problems: [String] = []
        var ourByKey: [String: [String: Any]] = [:]
        for record in ours where record["meta"] == nil {
            ourByKey[identity(record)] = record
        }
        var seen = Set<String>()
        for e in expected.map(normalizedExpected) {
            let id = identity(e)
            seen.insert(id)
            guard let o = ourByKey[id] else {
                problems.append("missing key \(id)")
                continue
            }
            problems += compare(o, e, id)
        }
        for (id, o) in ourByKey where !seen.contains(id) {
            let expire = (o["expire_at_ms"] as? NSNumber)?.int64Value
            if expire == nil || expire! > now {
                problems.append("key \(id) is in our export but the server does not have it")
            }
        }
        return problems
    }

    private func identity(_ r: [String: Any]) -> String {
        "\(r["db"] ?? "?")/\(canonical(r["key"] ?? NSNull()))"
    }

    private func compare(_ o: [String: Any], _ e: [String: Any], _ id: String) -> [String] {
        var problems: [String] = []
        let type = e["type"] as? String ?? "?"
        if (o["type"] as? String) != type {
            return ["\(id): type \(o["type"] ?? "nil") vs \(type)"]
        }
        let oe = (o["expire_at_ms"] as? NSNumber)?.int64Value
        let ee = (e["expire_at_ms"] as? NSNumber)?.int64Value
        if (oe == nil) != (ee == nil) || (oe != nil && abs(oe! - ee!) > expiryTolerance) {
            problems.append("\(id): expiry \(String(describing: oe)) vs \(String(describing: ee))")
        }
        if type == "module" { return problems }
        let ov = normalizedValue(o["value"] ?? NSNull(), type: type, expected: e["value"])
        let ev = normalizedValue(e["value"] ?? NSNull(), type: type, expected: e["value"])
        if canonical(ov) != canonical(ev) {
            problems.append("\(id): value differs\n  ours:     \(canonical(ov).prefix(800))\n  expected: \(canonical(ev).prefix(800))")
        }
        let of = o["field_expire_at_ms"].map(canonical) ?? ""
        let ef = e["field_expire_at_ms"].map(canonical) ?? ""
        if of != ef {
            problems.append("\(id): field expiries differ\n  ours:     \(of.prefix(800))\n  expected: \(ef.prefix(800))")
        }
        return problems
    }

    private func normalizedValue(_ v: Any, type: String, expected: Any?) -> Any {
        switch type {
        case "set":
            return ((v as? [Any]) ?? []).sorted { canonical($0) < canonical($1) }
        case "zset":
            return ((v as? [Any]) ?? []).compactMap { $0 as? [Any] }.sorted { a, b in
                let sa = score(a[1]), sb = score(b[1])
                return sa != sb ? sa < sb : canonical(a[0]) < canonical(b[0])
            }.map { [$0[0], score($0[1])] as [Any] }
        case "hash":
            if let pairs = v as? [Any] { return pairs.sorted { canonical($0) < canonical($1) } }
            return v
        case "stream":
            return projectStream(v, onto: expected)
        default:
            return v
        }
    }

    /// Keeps only what the server shows of a stream; for files older than v10 the server invents
    /// entries_added, max_deleted_id and entries_read, which the file does not hold.
    private func projectStream(_ v: Any, onto expected: Any?) -> Any {
        guard var s = v as? [String: Any], let e = expected as? [String: Any] else { return v }
        let derived: Set<String> = fileVersion < 10 ? ["entries_added", "max_deleted_id"] : []
        s = s.filter { e[$0.key] != nil && !derived.contains($0.key) }
        if let groups = s["groups"] as? [[String: Any]] {
            let expectedGroups = e["groups"] as? [[String: Any]] ?? []
            s["groups"] = groups.enumerated().map { (i, g) -> [String: Any] in
                let eg = i < expectedGroups.count ? expectedGroups[i] : [:]
                var out = g.filter { eg[$0.key] != nil && !(fileVersion < 10 && $0.key == "entries_read") }
                // The server lists NACKed entries in ID order; the file keeps NACK-zone order.
                if let nacked = out["nacked"] as? [String] { out["nacked"] = nacked.sorted(by: streamIDOrder) }
                out["pending"] = (g["pending"] as? [[String: Any]] ?? []).map {
                    $0.filter { ["id", "consumer", "delivery_count"].contains($0.key) }
                }
                out["consumers"] = (g["consumers"] as? [[String: Any]] ?? []).map {
                    $0.filter { ["name", "pending"].contains($0.key) }
                }
                return out
            }
        }
        // A server shows IDMP counters only, not the producers' iids.
        if let idmp = s["idmp"] as? [String: Any], let eidmp = e["idmp"] as? [String: Any] {
            s["idmp"] = idmp.filter { eidmp[$0.key] != nil }
        }
        return s
    }

    private func streamIDOrder(_ a: String, _ b: String) -> Bool {
        func parts(_ s: String) -> (UInt64, UInt64) {
            let p = s.split(separator: "-")
            return (UInt64(p.first ?? "") ?? 0, UInt64(p.last ?? "") ?? 0)
        }
        return parts(a) < parts(b)
    }

    func normalizedExpected(_ e: [String: Any]) -> [String: Any] {
        guard fileVersion < 10, e["type"] as? String == "stream", var v = e["value"] as? [String: Any] else { return e }
        v["entries_added"] = nil
        v["max_deleted_id"] = nil
        if let groups = v["groups"] as? [[String: Any]] {
            v["groups"] = groups.map { g -> [String: Any] in var g = g; g["entries_read"] = nil; return g }
        }
        var out = e
        out["value"] = v
        return out
    }

    private func score(_ s: Any) -> Double {
        if let n = s as? NSNumber { return n.doubleValue }
        switch s as? String {
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return .nan
        }
    }
}

/// A canonical text for JSON values: sorted object keys, numbers as shortest doubles.
func canonical(_ v: Any) -> String {
    switch v {
    case let d as [String: Any]:
        return "{" + d.keys.sorted().map { "\(canonical($0)):\(canonical(d[$0]!))" }.joined(separator: ",") + "}"
    case let a as [Any]:
        return "[" + a.map(canonical).joined(separator: ",") + "]"
    case let s as String:
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    case let n as NSNumber:
        let d = n.doubleValue
        if d.isInfinite { return d > 0 ? "\"inf\"" : "\"-inf\"" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    case is NSNull:
        return "null"
    default:
        return "\(v)"
    }
}

/// Parses JSON Lines into objects.
func parseJSONLines(_ data: Data) throws -> [[String: Any]] {
    try data.split(separator: UInt8(ascii: "\n")).map { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) as? [String: Any] else {
            throw NSError(domain: "jsonl", code: 1, userInfo: [NSLocalizedDescriptionKey: "a line is not an object"])
        }
        return object
    }
}

/// Exports a dump through the library into memory, as JSON Lines.
func exportToMemory(_ path: String, withMeta: Bool = false) throws -> Data {
    let writer = JSONWriter(output: nil)
    let exporter = JSONExporter(writer: writer, format: .jsonl, withMeta: withMeta)
    try RDBReader.read(path: path, visitor: exporter)
    return Data(writer.pending)
}
