/// The data a replay works on: databases of keys with their values and expiries, and the
/// function libraries. As Redis does while loading, nothing expires during a replay: a key
/// past its time stays until the result is loaded (where a master then drops it).
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
            if let newValue, !newValue.value.isEmptyCollection {
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

    /// Every key, by database then key bytes (a stable order for output).
    func records() -> [KeyRecord] {
        databases.keys.sorted().flatMap { db in
            (databases[db] ?? [:]).sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { key, entry in
                KeyRecord(db: db, key: key, value: entry.value.redisValue, expireAtMs: entry.expireAtMs)
            }
        }
    }
}
