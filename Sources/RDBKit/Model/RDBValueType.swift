/// The value types of RDB files, one case per type byte and family, named as rdb.h names them
/// (Valkey's own meaning of a number with a `VALKEY_` prefix). This is the one place a type is
/// described (`row`); the parser, the skipper and the writer switch over these cases with no
/// `default:`, so a type added here does not compile until each of them reads, skips or writes it.
/// Numbers refused by name are `RDBRefusedType`; every other byte is an unknown type.
public enum RDBValueType: CaseIterable, Sendable, Hashable {
    case RDB_TYPE_STRING
    case RDB_TYPE_LIST
    case RDB_TYPE_SET
    case RDB_TYPE_ZSET
    case RDB_TYPE_HASH
    case RDB_TYPE_ZSET_2
    case RDB_TYPE_MODULE_PRE_GA
    case RDB_TYPE_MODULE_2
    case RDB_TYPE_HASH_ZIPMAP
    case RDB_TYPE_LIST_ZIPLIST
    case RDB_TYPE_SET_INTSET
    case RDB_TYPE_ZSET_ZIPLIST
    case RDB_TYPE_HASH_ZIPLIST
    case RDB_TYPE_LIST_QUICKLIST
    case RDB_TYPE_STREAM_LISTPACKS
    case RDB_TYPE_HASH_LISTPACK
    case RDB_TYPE_ZSET_LISTPACK
    case RDB_TYPE_LIST_QUICKLIST_2
    case RDB_TYPE_STREAM_LISTPACKS_2
    case RDB_TYPE_SET_LISTPACK
    case RDB_TYPE_STREAM_LISTPACKS_3
    case RDB_TYPE_HASH_METADATA_PRE_GA
    case RDB_TYPE_HASH_LISTPACK_EX_PRE_GA
    case RDB_TYPE_HASH_METADATA
    case RDB_TYPE_HASH_LISTPACK_EX
    case RDB_TYPE_STREAM_LISTPACKS_4
    case RDB_TYPE_STREAM_LISTPACKS_5
    case RDB_TYPE_ARRAY
    /// Valkey's RDB_TYPE_HASH_2 (VALKEY080): the number Redis gives RDB_TYPE_HASH_METADATA_PRE_GA.
    case VALKEY_RDB_TYPE_HASH_2

    /// One row of the table.
    public struct Row: Sendable {
        public let byte: UInt8
        /// What `TYPE` reports for the key.
        public let type: RedisType
        /// The stored encoding, as redis-check-rdb names the type (`rdb_type_string[]`).
        public let encoding: String
        /// The first RDB version of Redis's numbering with this type; nil when only Valkey has it.
        public let redisSince: Int?
        /// Whether files with the VALKEY magic (Valkey 9+) have it.
        public let inValkey: Bool
    }

    /// Since RDB versions and numbers: rdb.h, and the version history in
    /// ../shared/docs/rdb-aof-format.md §2–3 and rdb-after-8.2.md §2.
    public var row: Row {
        switch self {
        case .RDB_TYPE_STRING: Row(0, .string, "string", since: 1)
        case .RDB_TYPE_LIST: Row(1, .list, "list-linked", since: 1)
        case .RDB_TYPE_SET: Row(2, .set, "set-hashtable", since: 1)
        case .RDB_TYPE_ZSET: Row(3, .zset, "zset-v1", since: 1)
        case .RDB_TYPE_HASH: Row(4, .hash, "hash-hashtable", since: 1)
        case .RDB_TYPE_ZSET_2: Row(5, .zset, "zset-v2", since: 8)
        case .RDB_TYPE_MODULE_PRE_GA: Row(6, .module, "module-pre-release", since: 8)
        case .RDB_TYPE_MODULE_2: Row(7, .module, "module-value", since: 8)
        case .RDB_TYPE_HASH_ZIPMAP: Row(9, .hash, "hash-zipmap", since: 2)
        case .RDB_TYPE_LIST_ZIPLIST: Row(10, .list, "list-ziplist", since: 2)
        case .RDB_TYPE_SET_INTSET: Row(11, .set, "set-intset", since: 2)
        case .RDB_TYPE_ZSET_ZIPLIST: Row(12, .zset, "zset-ziplist", since: 2)
        case .RDB_TYPE_HASH_ZIPLIST: Row(13, .hash, "hash-ziplist", since: 4)
        case .RDB_TYPE_LIST_QUICKLIST: Row(14, .list, "quicklist", since: 7)
        case .RDB_TYPE_STREAM_LISTPACKS: Row(15, .stream, "stream", since: 9)
        case .RDB_TYPE_HASH_LISTPACK: Row(16, .hash, "hash-listpack", since: 10)
        case .RDB_TYPE_ZSET_LISTPACK: Row(17, .zset, "zset-listpack", since: 10)
        case .RDB_TYPE_LIST_QUICKLIST_2: Row(18, .list, "quicklist-v2", since: 10)
        case .RDB_TYPE_STREAM_LISTPACKS_2: Row(19, .stream, "stream-v2", since: 10)
        case .RDB_TYPE_SET_LISTPACK: Row(20, .set, "set-listpack", since: 11)
        case .RDB_TYPE_STREAM_LISTPACKS_3: Row(21, .stream, "stream-v3", since: 11)
        case .RDB_TYPE_HASH_METADATA_PRE_GA: Row(22, .hash, "hash-hashtable-md-pre-release", since: 12, inValkey: false)
        case .RDB_TYPE_HASH_LISTPACK_EX_PRE_GA: Row(23, .hash, "hash-listpack-md-pre-release", since: 12, inValkey: false)
        case .RDB_TYPE_HASH_METADATA: Row(24, .hash, "hash-hashtable-md", since: 12, inValkey: false)
        case .RDB_TYPE_HASH_LISTPACK_EX: Row(25, .hash, "hash-listpack-md", since: 12, inValkey: false)
        case .RDB_TYPE_STREAM_LISTPACKS_4: Row(26, .stream, "stream-v4", since: 13, inValkey: false)
        case .RDB_TYPE_STREAM_LISTPACKS_5: Row(27, .stream, "stream-v5", since: 14, inValkey: false)
        case .RDB_TYPE_ARRAY: Row(28, .array, "array", since: 14, inValkey: false)
        case .VALKEY_RDB_TYPE_HASH_2: Row(22, .hash, "hash-2", since: nil, inValkey: true)
        }
    }

    public var byte: UInt8 { row.byte }
    public var redisType: RedisType { row.type }
    public var name: String { row.encoding }

    /// Whether a file of `family` and `version` (or a server writing one) has this type.
    public func exists(family: RDBFamily, version: Int) -> Bool {
        switch family {
        case .valkey: return row.inValkey
        case .redis: return row.redisSince.map { version >= $0 } ?? false
        }
    }

    /// Redis loads every type it knows whatever the file's version (rdbLoadObject checks none),
    /// and so does the reader for the types of RDB 11 and before. From 22 on, one number meant
    /// different layouts in Redis's release candidates, Redis and Valkey, so those types are
    /// read only from a file whose version has them.
    static let versionCheckedSince = 12

    func isReadable(family: RDBFamily, version: Int) -> Bool {
        if family == .redis, let since = row.redisSince, since < Self.versionCheckedSince { return true }
        return exists(family: family, version: version)
    }

    /// The types a file of `family` and `version` may hold, indexed by type byte: the parser's
    /// lookup, made once per file.
    static func readable(family: RDBFamily, version: Int) -> [RDBValueType?] {
        var table = [RDBValueType?](repeating: nil, count: 256)
        for type in allCases where type.isReadable(family: family, version: version) {
            precondition(table[Int(type.byte)] == nil, "two types with byte \(type.byte) in one family")
            table[Int(type.byte)] = type
        }
        return table
    }

    /// The type `byte` means in a file of `family`, whatever its version; nil when none does.
    public init?(byte: UInt8, family: RDBFamily) {
        guard let type = Self.allCases.first(where: { $0.byte == byte && $0.isReadable(family: family, version: .max) }) else {
            return nil
        }
        self = type
    }
}

extension RDBValueType.Row {
    fileprivate init(_ byte: UInt8, _ type: RedisType, _ encoding: String, since: Int?, inValkey: Bool = true) {
        self.init(byte: byte, type: type, encoding: encoding, redisSince: since, inValkey: inValkey)
    }
}

/// Numbers newer Redis builds use whose layout no release confirms, refused by name rather than
/// taken for an unknown type: RDB 15's hash templates (their DUMP form changed during
/// development) and set member TTLs seen only in a fork (rdb-after-8.2.md §2b). Redis family only.
public enum RDBRefusedType: CaseIterable, Sendable {
    case RDB_TYPE_HASH_TMPL_LP
    case RDB_TYPE_HASH_TMPL_LP_REF
    case RDB_TYPE_HASH_TMPL_ARRAY
    case RDB_TYPE_HASH_TMPL_ARRAY_REF
    case RDB_TYPE_SET_LISTPACK_EX
    case RDB_TYPE_SET_METADATA

    public var byte: UInt8 {
        switch self {
        case .RDB_TYPE_HASH_TMPL_LP: 29
        case .RDB_TYPE_HASH_TMPL_LP_REF: 30
        case .RDB_TYPE_HASH_TMPL_ARRAY: 31
        case .RDB_TYPE_HASH_TMPL_ARRAY_REF: 32
        case .RDB_TYPE_SET_LISTPACK_EX: 34
        case .RDB_TYPE_SET_METADATA: 35
        }
    }

    /// Where the number comes from, for the message.
    var origin: String {
        switch self {
        case .RDB_TYPE_HASH_TMPL_LP, .RDB_TYPE_HASH_TMPL_LP_REF, .RDB_TYPE_HASH_TMPL_ARRAY, .RDB_TYPE_HASH_TMPL_ARRAY_REF:
            "Redis 8.10 hash template, RDB 15"
        case .RDB_TYPE_SET_LISTPACK_EX, .RDB_TYPE_SET_METADATA:
            "set member TTLs, no known release"
        }
    }

    init?(byte: UInt8) {
        guard let type = Self.allCases.first(where: { $0.byte == byte }) else { return nil }
        self = type
    }
}

/// What a stream type's layout holds (t_stream.c, rdb.c); each revision keeps the one before:
/// v2 (19) adds first/max-deleted IDs, entries-added and groups' entries-read, v3 (21) consumers'
/// active time, v4 (26, RDB 13) the IDMP trailer after the groups, v5 (27, RDB 14) each group's
/// NACK zone after its consumers.
public struct StreamLayout: Sendable, Equatable {
    public let revision: Int

    public var hasCounters: Bool { revision >= 2 }
    public var hasActiveTimes: Bool { revision >= 3 }
    public var hasIdmp: Bool { revision >= 4 }
    public var hasNackZones: Bool { revision >= 5 }
}

extension RDBValueType {
    /// The layout of a stream type; nil for the other types.
    public var streamLayout: StreamLayout? {
        switch self {
        case .RDB_TYPE_STREAM_LISTPACKS: StreamLayout(revision: 1)
        case .RDB_TYPE_STREAM_LISTPACKS_2: StreamLayout(revision: 2)
        case .RDB_TYPE_STREAM_LISTPACKS_3: StreamLayout(revision: 3)
        case .RDB_TYPE_STREAM_LISTPACKS_4: StreamLayout(revision: 4)
        case .RDB_TYPE_STREAM_LISTPACKS_5: StreamLayout(revision: 5)
        case .RDB_TYPE_STRING, .RDB_TYPE_LIST, .RDB_TYPE_SET, .RDB_TYPE_ZSET, .RDB_TYPE_HASH, .RDB_TYPE_ZSET_2,
             .RDB_TYPE_MODULE_PRE_GA, .RDB_TYPE_MODULE_2, .RDB_TYPE_HASH_ZIPMAP, .RDB_TYPE_LIST_ZIPLIST,
             .RDB_TYPE_SET_INTSET, .RDB_TYPE_ZSET_ZIPLIST, .RDB_TYPE_HASH_ZIPLIST, .RDB_TYPE_LIST_QUICKLIST,
             .RDB_TYPE_HASH_LISTPACK, .RDB_TYPE_ZSET_LISTPACK, .RDB_TYPE_LIST_QUICKLIST_2, .RDB_TYPE_SET_LISTPACK,
             .RDB_TYPE_HASH_METADATA_PRE_GA, .RDB_TYPE_HASH_LISTPACK_EX_PRE_GA, .RDB_TYPE_HASH_METADATA,
             .RDB_TYPE_HASH_LISTPACK_EX, .RDB_TYPE_ARRAY, .VALKEY_RDB_TYPE_HASH_2:
            nil
        }
    }
}
