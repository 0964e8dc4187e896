/// A value as the replay engine changes it: collections in forms that make Redis's commands
/// cheap (a deque for lists, hashed sets and maps), converted from and to `RedisValue` at the
/// edges. Order inside sets and hashes is not kept: Redis does not promise one either.
enum ReplayValue: Sendable {
    case string(Bytes)
    /// A string longer than `ReplayValue.longStringThreshold`, kept on disk (see `Keyspace`).
    case longString(SpilledString)
    case list(ListDeque)
    case set(Set<Bytes>)
    case zset([Bytes: Double])
    case hash([Bytes: HashEntry])
    case stream(StreamValue)
    case module(ModuleValue)
    case array(ReplayArray)

    struct HashEntry: Sendable, Equatable {
        var value: Bytes
        var expireAtMs: Int64?
    }

    init(_ value: RedisValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .list(let l): self = .list(ListDeque(l))
        case .set(let s): self = .set(Set(s))
        case .sortedSet(let z): self = .zset(Dictionary(z.map { ($0.member, $0.score) }, uniquingKeysWith: { _, last in last }))
        case .hash(let h): self = .hash(Dictionary(h.map { ($0.field, HashEntry(value: $0.value, expireAtMs: $0.expireAtMs)) }, uniquingKeysWith: { _, last in last }))
        case .stream(let s): self = .stream(s)
        case .module(let m): self = .module(m)
        case .array(let a): self = .array(ReplayArray(a))
        }
    }

    /// Strings longer than this are kept in a temporary file, not in memory (an AOF's bulk
    /// arrives in pieces of this size, and a dump's string value too).
    static let longStringThreshold = RESPSyntax.bulkPiece

    /// The model's form; sorted sets in score order, as Redis iterates them. A long string's
    /// bytes stay apart (its record's value is empty; see `Keyspace.forEachRecord`).
    var redisValue: RedisValue {
        switch self {
        case .string(let s): return .string(s)
        case .longString: return .string([])
        case .list(let l): return .list(l.elements)
        case .set(let s): return .set(Array(s))
        case .zset(let z): return .sortedSet(sortedMembers(z).map { SortedSetMember(member: $0.member, score: $0.score) })
        case .hash(let h): return .hash(h.map { HashField(field: $0.key, value: $0.value.value, expireAtMs: $0.value.expireAtMs) })
        case .stream(let s): return .stream(s)
        case .module(let m): return .module(m)
        case .array(let a): return .array(a.arrayValue)
        }
    }

    var type: RedisType {
        switch self {
        case .string, .longString: return .string
        case .list: return .list
        case .set: return .set
        case .zset: return .zset
        case .hash: return .hash
        case .stream: return .stream
        case .module: return .module
        case .array: return .array
        }
    }

    // Each case's payload, or nil for another type (see `ReplayEngine.modifyValue`).
    var string: Bytes? { if case .string(let v) = self { v } else { nil } }
    var list: ListDeque? { if case .list(let v) = self { v } else { nil } }
    var set: Set<Bytes>? { if case .set(let v) = self { v } else { nil } }
    var zset: [Bytes: Double]? { if case .zset(let v) = self { v } else { nil } }
    var hash: [Bytes: HashEntry]? { if case .hash(let v) = self { v } else { nil } }
    var stream: StreamValue? { if case .stream(let v) = self { v } else { nil } }
    var array: ReplayArray? { if case .array(let v) = self { v } else { nil } }

    /// A string's length in bytes (0 for other types).
    var stringCount: Int {
        switch self {
        case .string(let s): return s.count
        case .longString(let long): return long.count
        default: return 0
        }
    }

    /// Collections that became empty are deleted, as Redis deletes them.
    var isEmptyCollection: Bool {
        switch self {
        case .list(let l): return l.isEmpty
        case .set(let s): return s.isEmpty
        case .zset(let z): return z.isEmpty
        case .hash(let h): return h.isEmpty
        case .array(let a): return a.elements.isEmpty
        default: return false
        }
    }
}

/// Members in Redis's zset order: by score, then by member bytes (memcmp).
func sortedMembers(_ z: [Bytes: Double]) -> [(member: Bytes, score: Double)] {
    z.map { (member: $0.key, score: $0.value) }.sorted { a, b in
        a.score != b.score ? a.score < b.score : a.member.lexicographicallyPrecedes(b.member)
    }
}
