/// The diff verb: which keys are only in one dump, and which changed (type, value, expiry).
/// The smaller file (by size) is read first and kept as one digest per key; the other is streamed
/// against it. Memory: the smaller side's key names plus 40 bytes a key, never values.
public enum Diff {
    public enum Change: String, Sendable {
        case onlyInA = "only_in_a"
        case onlyInB = "only_in_b"
        case changed
    }

    public struct Difference: Sendable {
        public var change: Change
        public var db: Int
        public var key: [UInt8]
        /// For `changed`: any of "type", "value", "expiry".
        public var what: [String]
        /// With values: the key in A and in B in the export schema, or a summary when larger
        /// than the limit.
        public var old: String?
        public var new: String?
    }

    public struct Summary: Sendable {
        public var keysInA = 0
        public var keysInB = 0
        public var onlyInA = 0
        public var onlyInB = 0
        public var changed = 0
        public var isEqual: Bool { onlyInA == 0 && onlyInB == 0 && changed == 0 }
    }

    struct KeyID: Hashable {
        var db: Int
        var key: [UInt8]
    }

    /// Compares two dumps, reporting each difference to `report` as it is found.
    /// `valueLimit`: when given, changed keys are reported after both passes with their old and
    /// new values (read again from each file, only those keys decoded), each cut to a summary past
    /// that many bytes of JSON; a changed key is then held whole while it is read.
    public static func run(_ a: String, _ b: String, filter: KeyFilter? = nil, options: ReaderOptions = ReaderOptions(),
                           valueLimit: Int? = nil,
                           report: @escaping (Difference) throws(RDBError) -> Void) throws(RDBError) -> Summary {
        guard let valueLimit else { return try compare(a, b, filter: filter, options: options, report: report) }
        var changed: [Difference] = []
        let summary = try compare(a, b, filter: filter, options: options) { (d) throws(RDBError) in
            if d.change == .changed { changed.append(d) } else { try report(d) }
        }
        guard !changed.isEmpty else { return summary }
        let wanted = Set(changed.map { KeyID(db: $0.db, key: $0.key) })
        let old = try ValueCapture.values(of: wanted, in: a, filter: filter, options: options, limit: valueLimit)
        let new = try ValueCapture.values(of: wanted, in: b, filter: filter, options: options, limit: valueLimit)
        for var d in changed {
            d.old = old[KeyID(db: d.db, key: d.key)]
            d.new = new[KeyID(db: d.db, key: d.key)]
            try report(d)
        }
        return summary
    }

    private static func compare(_ a: String, _ b: String, filter: KeyFilter?, options: ReaderOptions,
                                report: @escaping (Difference) throws(RDBError) -> Void) throws(RDBError) -> Summary {
        let aFirst = (fileSize(a) ?? 0) <= (fileSize(b) ?? 0)
        let (first, second) = aFirst ? (a, b) : (b, a)
        var kept: [KeyID: KeyDigest] = [:]
        var summary = Summary()
        var firstCount = 0
        try read(first, filter, options) { (db, key, digest) throws(RDBError) in
            kept[KeyID(db: db, key: key)] = digest
            firstCount += 1
        }
        var secondCount = 0
        try read(second, filter, options) { (db, key, digest) throws(RDBError) in
            secondCount += 1
            let id = KeyID(db: db, key: key)
            guard let other = kept.removeValue(forKey: id) else {
                summary.count(aFirst ? .onlyInB : .onlyInA)
                return try report(Difference(change: aFirst ? .onlyInB : .onlyInA, db: db, key: key, what: []))
            }
            var what: [String] = []
            if other.type != digest.type { what.append("type") }
            if other.value != digest.value && other.type == digest.type { what.append("value") }
            if other.expireAtMs != digest.expireAtMs { what.append("expiry") }
            if !what.isEmpty {
                summary.count(.changed)
                try report(Difference(change: .changed, db: db, key: key, what: what))
            }
        }
        for id in kept.keys.sorted(by: { $0.db != $1.db ? $0.db < $1.db : $0.key.lexicographicallyPrecedes($1.key) }) {
            summary.count(aFirst ? .onlyInA : .onlyInB)
            try report(Difference(change: aFirst ? .onlyInA : .onlyInB, db: id.db, key: id.key, what: []))
        }
        summary.keysInA = aFirst ? firstCount : secondCount
        summary.keysInB = aFirst ? secondCount : firstCount
        return summary
    }

    private static func read(_ path: String, _ filter: KeyFilter?, _ options: ReaderOptions,
                             _ onKey: @escaping (Int, [UInt8], KeyDigest) throws(RDBError) -> Void) throws(RDBError) {
        try RDBReader.read(path: path, visitor: DigestingVisitor(onKey: onKey), filter: filter, options: options)
    }

    private static func fileSize(_ path: String) -> Int64? {
        path == "-" ? nil : (try? FileSource(path: path))?.knownSize
    }
}

extension Diff.Summary {
    mutating func count(_ change: Diff.Change) {
        switch change {
        case .onlyInA: onlyInA += 1
        case .onlyInB: onlyInB += 1
        case .changed: changed += 1
        }
    }
}

extension Diff.Difference {
    /// `{"change":"changed","db":0,"key":K,"what":["value"]}`
    public var jsonLine: String {
        let w = JSONWriter(output: nil)
        w.raw("{\"change\":\"")
        w.text(change.rawValue)
        w.raw("\",\"db\":")
        w.int(Int64(db))
        w.raw(",\"key\":")
        w.string(key)
        if !what.isEmpty {
            w.raw(",\"what\":[")
            w.text(what.map { "\"\($0)\"" }.joined(separator: ","))
            w.byte(UInt8(ascii: "]"))
        }
        if let old {
            w.raw(",\"old\":")
            w.text(old)
        }
        if let new {
            w.raw(",\"new\":")
            w.text(new)
        }
        w.byte(UInt8(ascii: "}"))
        return String(decoding: w.pending, as: UTF8.self)
    }
}

extension Diff.Summary {
    /// One line for people.
    public var line: String {
        isEqual ? "equal: \(keysInA) keys"
            : "different: \(keysInA) keys in A, \(keysInB) in B; \(onlyInA) only in A, \(onlyInB) only in B, \(changed) changed"
    }
}
