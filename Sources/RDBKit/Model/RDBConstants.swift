/// Opcode bytes, named as rdb.h names them so each can be checked against the source (the value
/// types are `RDBValueType`).
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
public enum RDBFamily: String, Sendable, Codable, CaseIterable {
    case redis
    case valkey

    /// The letters a file's magic starts with, before its version digits: "REDIS" + 4 ("REDIS0011"),
    /// "VALKEY" + 3 (Valkey 9+, "VALKEY080"); 9 bytes either way.
    public var magicLetters: String { self == .valkey ? "VALKEY" : "REDIS" }

    /// The magic of a file of `version` (and the header a DUMP payload is read back with).
    public func magic(version: Int) -> String {
        let digits = String(version)
        return magicLetters + String(repeating: "0", count: max(0, 9 - magicLetters.utf8.count - digits.count)) + digits
    }

    /// The family whose magic a file's first 5 bytes begin ("REDIS" or "VALKE"), read before the rest.
    static func ofMagic(_ head: some Sequence<UInt8>) -> RDBFamily? {
        let head = Array(head.prefix(5))
        return allCases.first { head.elementsEqual($0.magicLetters.utf8.prefix(5)) }
    }

    /// The newest version of this family's numbering the reader knows the layout of.
    public var newestKnownVersion: Int { self == .valkey ? RDBKnownVersions.valkey : RDBKnownVersions.redis }
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
