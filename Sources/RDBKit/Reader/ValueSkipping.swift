/// Consuming a value without decoding it, for keys a visitor does not want: strings and embedded
/// containers are skipped by their length, without decompression or iteration. No `default:`:
/// a type added to `RDBValueType` does not compile until it is skipped here.
extension RDBParser {
    func skipValue(_ type: RDBValueType) throws(RDBError) {
        switch type {
        case .RDB_TYPE_STRING, .RDB_TYPE_HASH_ZIPMAP, .RDB_TYPE_LIST_ZIPLIST, .RDB_TYPE_SET_INTSET,
             .RDB_TYPE_ZSET_ZIPLIST, .RDB_TYPE_HASH_ZIPLIST, .RDB_TYPE_HASH_LISTPACK, .RDB_TYPE_ZSET_LISTPACK,
             .RDB_TYPE_SET_LISTPACK:
            try input.skipString()
        case .RDB_TYPE_LIST, .RDB_TYPE_SET, .RDB_TYPE_LIST_QUICKLIST:
            try skipStrings(try input.readLength())
        case .RDB_TYPE_HASH:
            let count = try input.readLength()
            for _ in 0..<count { try skipStrings(2) }
        case .RDB_TYPE_ZSET:
            let count = try input.readLength()
            for _ in 0..<count {
                try input.skipString()
                _ = try input.readStringDouble()
            }
        case .RDB_TYPE_ZSET_2:
            let count = try input.readLength()
            for _ in 0..<count {
                try input.skipString()
                _ = try input.take(8)
            }
        case .RDB_TYPE_LIST_QUICKLIST_2:
            let nodes = try input.readLength()
            for _ in 0..<nodes {
                _ = try input.readLength()
                try input.skipString()
            }
        case .RDB_TYPE_MODULE_2:
            _ = try readModuleValue()
        case .VALKEY_RDB_TYPE_HASH_2:
            let count = try input.readLength()
            for _ in 0..<count {
                try skipStrings(2)
                _ = try input.take(8)
            }
        case .RDB_TYPE_HASH_METADATA, .RDB_TYPE_HASH_METADATA_PRE_GA:
            if type == .RDB_TYPE_HASH_METADATA { _ = try input.take(8) }
            let count = try input.readLength()
            for _ in 0..<count {
                _ = try input.readLength()
                try skipStrings(2)
            }
        case .RDB_TYPE_HASH_LISTPACK_EX, .RDB_TYPE_HASH_LISTPACK_EX_PRE_GA:
            if type == .RDB_TYPE_HASH_LISTPACK_EX { _ = try input.take(8) }
            try input.skipString()
        case .RDB_TYPE_ARRAY:
            try readArray(deliver: false)
        case .RDB_TYPE_STREAM_LISTPACKS, .RDB_TYPE_STREAM_LISTPACKS_2, .RDB_TYPE_STREAM_LISTPACKS_3,
             .RDB_TYPE_STREAM_LISTPACKS_4, .RDB_TYPE_STREAM_LISTPACKS_5:
            try readStream(type.streamLayout!, deliver: false)
        case .RDB_TYPE_MODULE_PRE_GA:
            throw preReleaseModuleError()
        }
    }

    private func skipStrings(_ count: UInt64) throws(RDBError) {
        for _ in 0..<count { try input.skipString() }
    }
}
