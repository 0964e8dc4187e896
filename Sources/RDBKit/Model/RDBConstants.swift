/// Type and opcode bytes, named as rdb.h names them so each can be checked against the source.
public enum RDBType {
    public static let RDB_TYPE_STRING: UInt8 = 0
    public static let RDB_TYPE_LIST: UInt8 = 1
    public static let RDB_TYPE_SET: UInt8 = 2
    public static let RDB_TYPE_ZSET: UInt8 = 3
    public static let RDB_TYPE_HASH: UInt8 = 4
    public static let RDB_TYPE_ZSET_2: UInt8 = 5
    public static let RDB_TYPE_MODULE_PRE_GA: UInt8 = 6
    public static let RDB_TYPE_MODULE_2: UInt8 = 7
    public static let RDB_TYPE_HASH_ZIPMAP: UInt8 = 9
    public static let RDB_TYPE_LIST_ZIPLIST: UInt8 = 10
    public static let RDB_TYPE_SET_INTSET: UInt8 = 11
    public static let RDB_TYPE_ZSET_ZIPLIST: UInt8 = 12
    public static let RDB_TYPE_HASH_ZIPLIST: UInt8 = 13
    public static let RDB_TYPE_LIST_QUICKLIST: UInt8 = 14
    public static let RDB_TYPE_STREAM_LISTPACKS: UInt8 = 15
    public static let RDB_TYPE_HASH_LISTPACK: UInt8 = 16
    public static let RDB_TYPE_ZSET_LISTPACK: UInt8 = 17
    public static let RDB_TYPE_LIST_QUICKLIST_2: UInt8 = 18
    public static let RDB_TYPE_STREAM_LISTPACKS_2: UInt8 = 19
    public static let RDB_TYPE_SET_LISTPACK: UInt8 = 20
    public static let RDB_TYPE_STREAM_LISTPACKS_3: UInt8 = 21
    /// Redis 7.4 release candidates; Valkey 9 (VALKEY magic) uses 22 for RDB_TYPE_HASH_2.
    public static let RDB_TYPE_HASH_METADATA_PRE_GA: UInt8 = 22
    public static let RDB_TYPE_HASH_LISTPACK_EX_PRE_GA: UInt8 = 23
    public static let RDB_TYPE_HASH_METADATA: UInt8 = 24
    public static let RDB_TYPE_HASH_LISTPACK_EX: UInt8 = 25
    public static let RDB_TYPE_STREAM_LISTPACKS_4: UInt8 = 26
    public static let RDB_TYPE_STREAM_LISTPACKS_5: UInt8 = 27
    public static let RDB_TYPE_ARRAY: UInt8 = 28
    /// Valkey's number for a hashtable hash whose fields may carry TTLs (VALKEY080).
    public static let VALKEY_RDB_TYPE_HASH_2: UInt8 = 22
}

public enum RDBOpcode {
    /// Redis 8.6+ (RDB 13): metadata attached to the key that follows. Valkey 9: slot import job.
    public static let RDB_OPCODE_KEY_META: UInt8 = 243
    public static let VALKEY_RDB_OPCODE_SLOT_IMPORT: UInt8 = 243
    public static let RDB_OPCODE_SLOT_INFO: UInt8 = 244
    public static let RDB_OPCODE_FUNCTION2: UInt8 = 245
    public static let RDB_OPCODE_FUNCTION_PRE_GA: UInt8 = 246
    public static let RDB_OPCODE_MODULE_AUX: UInt8 = 247
    public static let RDB_OPCODE_IDLE: UInt8 = 248
    public static let RDB_OPCODE_FREQ: UInt8 = 249
    public static let RDB_OPCODE_AUX: UInt8 = 250
    public static let RDB_OPCODE_RESIZEDB: UInt8 = 251
    public static let RDB_OPCODE_EXPIRETIME_MS: UInt8 = 252
    public static let RDB_OPCODE_EXPIRETIME: UInt8 = 253
    public static let RDB_OPCODE_SELECTDB: UInt8 = 254
    public static let RDB_OPCODE_EOF: UInt8 = 255
}

/// The opcodes inside a module value or module aux payload (RDB_MODULE_OPCODE_*).
public enum RDBModuleOpcode {
    public static let RDB_MODULE_OPCODE_EOF: UInt64 = 0
    public static let RDB_MODULE_OPCODE_SINT: UInt64 = 1
    public static let RDB_MODULE_OPCODE_UINT: UInt64 = 2
    public static let RDB_MODULE_OPCODE_FLOAT: UInt64 = 3
    public static let RDB_MODULE_OPCODE_DOUBLE: UInt64 = 4
    public static let RDB_MODULE_OPCODE_STRING: UInt64 = 5
}

/// Values inside encoded structures that the reader and writer share.
public enum RDBEncodingConstants {
    /// quicklist.h: how a quicklist 2 node holds its elements.
    public static let QUICKLIST_NODE_CONTAINER_PLAIN: UInt64 = 1
    public static let QUICKLIST_NODE_CONTAINER_PACKED: UInt64 = 2
    /// t_hash.c: the TTL entry of a listpack hash field without one.
    public static let HASH_LP_NO_TTL: Int64 = 0
    /// ebuckets.h: the largest hash-field expiry Redis accepts.
    public static let EB_EXPIRE_TIME_MAX: UInt64 = (1 << 48) - 1
    /// t_stream.c: entry flags in a stream listpack.
    public static let STREAM_ITEM_FLAG_NONE: Int64 = 0
    public static let STREAM_ITEM_FLAG_DELETED: Int64 = 1
    public static let STREAM_ITEM_FLAG_SAMEFIELDS: Int64 = 2
}

/// String encodings signalled by a length byte of the form 11xxxxxx (RDB_ENC_*).
public enum RDBStringEncoding {
    public static let RDB_ENC_INT8: UInt8 = 0
    public static let RDB_ENC_INT16: UInt8 = 1
    public static let RDB_ENC_INT32: UInt8 = 2
    public static let RDB_ENC_LZF: UInt8 = 3
}

/// Which server family wrote the file: the same type and opcode numbers mean different things.
public enum RDBFamily: String, Sendable, Codable {
    case redis
    case valkey
}

/// The newest versions this reader knows the layout of.
public enum RDBKnownVersions {
    public static let redis = 14
    public static let valkey = 80

    /// The Redis release that writes an RDB version (librdb's redisver.h table), for messages.
    public static func redisRelease(of version: Int) -> String? {
        switch version {
        case 10: return "Redis 7.0"
        case 11: return "Redis 7.2"
        case 12: return "Redis 7.4–8.4"
        case 13: return "Redis 8.6"
        case 14: return "Redis 8.8"
        case 15: return "Redis 8.10, hash templates, whose layout is not confirmed"
        default: return nil
        }
    }
}
