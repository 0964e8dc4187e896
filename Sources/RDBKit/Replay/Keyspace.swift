/// The data a replay works on: databases of keys with their values and expiries, and the
/// function libraries. As Redis does while loading, nothing expires during a replay: a key
/// past its time stays until the result is loaded (where a master then drops it). A string
/// longer than `ReplayValue.longStringThreshold` is stored on disk (`SpilledString`), so a
/// 512 MiB value costs a piece of memory, not its length.
final class Keyspace {
    struct Entry: Sendable {
        var value: ReplayValue
        var expireAtMs: Int64?
    }

    private(set) var databases: [Int: [Bytes: Entry]] = [:]
    /// Libraries by name, in load order (FUNCTION LOAD).
    var functions: [(name: Bytes, code: Bytes)] = []

    subscript(db: Int, key: Bytes) -> Entry? {
        get { databases[db]?[key] }
        set {
            if var newValue, !newValue.value.isEmptyCollection {
                if case .string(let bytes) = newValue.value, bytes.count > ReplayValue.longStringThreshold {
                    // Spilled where it grew (SETRANGE, a base key held whole); a temporary file
                    // that cannot be written leaves it in memory, which is still correct.
                    let long = SpilledString()
                    if (try? long.append(bytes)) != nil { newValue.value = .longString(long) }
                }
                databases[db, default: [:]][key] = newValue
            } else {
                databases[db]?[key] = nil
            }
        }
    }

    /// Removes and returns a key's entry, so that changing it copies nothing (see `ReplayEngine.modify`).
    func take(db: Int, key: Bytes) -> Entry? {
        databases[db]?.removeValue(forKey: key)
    }

    func insert(_ record: KeyRecord) {
        self[record.db, record.key] = Entry(value: ReplayValue(record.value), expireAtMs: record.expireAtMs)
    }

    /// A string key whose value arrives in pieces (`KeySink.write(_:longString:)`): copied to
    /// disk as it comes.
    func insert(_ record: KeyRecord, longString value: StringValue) throws(RDBError) {
        let long = SpilledString()
        try value.forEachPiece { (piece) throws(RDBError) in try long.append(piece) }
        self[record.db, record.key] = Entry(value: .longString(long), expireAtMs: record.expireAtMs)
    }

    func flush(db: Int) { databases[db] = nil }

    func flushAll() {
        databases = [:]
    }

    func swap(_ a: Int, _ b: Int) {
        let first = databases[a]
        databases[a] = databases[b]
        databases[b] = first
    }

    func keys(in db: Int) -> Int { databases[db]?.count ?? 0 }

    /// Every key, by database then key bytes (a stable order for output); a long string's
    /// bytes apart from its record (whose value is then empty), to be written in pieces.
    func forEachRecord(_ body: (KeyRecord, SpilledString?) throws(RDBError) -> Void) throws(RDBError) {
        for db in databases.keys.sorted() {
            for (key, entry) in (databases[db] ?? [:]).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                let record = KeyRecord(db: db, key: key, value: entry.value.redisValue, expireAtMs: entry.expireAtMs)
                if case .longString(let long) = entry.value { try body(record, long) } else { try body(record, nil) }
            }
        }
    }
}
