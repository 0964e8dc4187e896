/// The type of a key as Redis reports it with `TYPE`.
public enum RedisType: String, Sendable, Codable, CaseIterable {
    case string, list, set, zset, hash, stream, module, array

    /// Position in `allCases`, for counting per type in an array.
    public var ordinal: Int {
        switch self {
        case .string: return 0
        case .list: return 1
        case .set: return 2
        case .zset: return 3
        case .hash: return 4
        case .stream: return 5
        case .module: return 6
        case .array: return 7
        }
    }
}

/// Names for the RDB type bytes, as redis-check-rdb prints them (`rdb_type_string[]`), plus the
/// encoding a server uses in memory once it has loaded the key (`OBJECT ENCODING`).
public enum RDBTypeInfo {
    public static func redisType(of rdbType: UInt8, family: RDBFamily) -> RedisType? {
        switch rdbType {
        case 0: return .string
        case 1, 10, 14, 18: return .list
        case 2, 11, 20: return .set
        case 3, 5, 12, 17: return .zset
        case 4, 9, 13, 16, 22, 23, 24, 25: return .hash
        case 15, 19, 21, 26, 27: return .stream
        case 6, 7: return .module
        case 28: return .array
        default: return nil
        }
    }

    public static func name(of rdbType: UInt8, family: RDBFamily) -> String {
        if family == .valkey && rdbType == RDBType.VALKEY_RDB_TYPE_HASH_2 { return "hash-2" }
        return Int(rdbType) < names.count ? names[Int(rdbType)] : "type-\(rdbType)"
    }

    /// Built once: summaries ask for a name on every key.
    private static let names = [
        "string", "list-linked", "set-hashtable", "zset-v1", "hash-hashtable", "zset-v2",
        "module-pre-release", "module-value", "", "hash-zipmap", "list-ziplist", "set-intset",
        "zset-ziplist", "hash-ziplist", "quicklist", "stream", "hash-listpack", "zset-listpack",
        "quicklist-v2", "stream-v2", "set-listpack", "stream-v3", "hash-hashtable-md-pre-release",
        "hash-listpack-md-pre-release", "hash-hashtable-md", "hash-listpack-md", "stream-v4",
        "stream-v5", "array",
    ]
}
