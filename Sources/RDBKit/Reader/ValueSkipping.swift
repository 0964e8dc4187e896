/// Consuming a value without decoding it, for keys a visitor does not want: strings and embedded
/// containers are skipped by their length, without decompression or iteration.
extension RDBParser {
    func skipValue(type: UInt8) throws(RDBError) {
        switch type {
        case RDBType.RDB_TYPE_STRING, RDBType.RDB_TYPE_HASH_ZIPMAP, RDBType.RDB_TYPE_LIST_ZIPLIST,
             RDBType.RDB_TYPE_SET_INTSET, RDBType.RDB_TYPE_ZSET_ZIPLIST, RDBType.RDB_TYPE_HASH_ZIPLIST,
             RDBType.RDB_TYPE_HASH_LISTPACK, RDBType.RDB_TYPE_ZSET_LISTPACK, RDBType.RDB_TYPE_SET_LISTPACK:
            try input.skipString()
        case RDBType.RDB_TYPE_LIST, RDBType.RDB_TYPE_SET, RDBType.RDB_TYPE_LIST_QUICKLIST:
            try skipStrings(try input.readLength())
        case RDBType.RDB_TYPE_HASH:
            let count = try input.readLength()
            for _ in 0..<count { try skipStrings(2) }
        case RDBType.RDB_TYPE_ZSET:
            let count = try input.readLength()
            for _ in 0..<count {
                try input.skipString()
                _ = try input.readStringDouble()
            }
        case RDBType.RDB_TYPE_ZSET_2:
            let count = try input.readLength()
            for _ in 0..<count {
                try input.skipString()
                _ = try input.take(8)
            }
        case RDBType.RDB_TYPE_LIST_QUICKLIST_2:
            let nodes = try input.readLength()
            for _ in 0..<nodes {
                _ = try input.readLength()
                try input.skipString()
            }
        case RDBType.RDB_TYPE_MODULE_2:
            _ = try readModuleValue()
        case RDBType.VALKEY_RDB_TYPE_HASH_2 where family == .valkey:
            let count = try input.readLength()
            for _ in 0..<count {
                try skipStrings(2)
                _ = try input.take(8)
            }
        case RDBType.RDB_TYPE_HASH_METADATA, RDBType.RDB_TYPE_HASH_METADATA_PRE_GA:
            if type == RDBType.RDB_TYPE_HASH_METADATA { _ = try input.take(8) }
            let count = try input.readLength()
            for _ in 0..<count {
                _ = try input.readLength()
                try skipStrings(2)
            }
        case RDBType.RDB_TYPE_HASH_LISTPACK_EX, RDBType.RDB_TYPE_HASH_LISTPACK_EX_PRE_GA:
            if type == RDBType.RDB_TYPE_HASH_LISTPACK_EX { _ = try input.take(8) }
            try input.skipString()
        case RDBType.RDB_TYPE_ARRAY:
            try readArray(deliver: false)
        case RDBType.RDB_TYPE_STREAM_LISTPACKS, RDBType.RDB_TYPE_STREAM_LISTPACKS_2,
             RDBType.RDB_TYPE_STREAM_LISTPACKS_3, RDBType.RDB_TYPE_STREAM_LISTPACKS_4,
             RDBType.RDB_TYPE_STREAM_LISTPACKS_5:
            try readStream(type: type, deliver: false)
        case RDBType.RDB_TYPE_MODULE_PRE_GA:
            throw preReleaseModuleError()
        default:
            // Only types the parser knows get here; one missing above must not be misread.
            throw RDBError(.unreadable("type \(type) cannot be skipped"), offset: input.offset)
        }
    }

    private func skipStrings(_ count: UInt64) throws(RDBError) {
        for _ in 0..<count { try input.skipString() }
    }
}
