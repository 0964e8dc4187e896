/// How each type's value is read: one line per type, no `default:`, so a type added to
/// `RDBValueType` does not compile until it is read here (and skipped in `skipValue`).
extension RDBParser {
    func readValue(_ type: RDBValueType) throws(RDBError) {
        switch type {
        case .RDB_TYPE_STRING:
            if wantsStringValues && !copying {
                try readStringValue()
            } else {
                try checkStringValue()
            }
        case .RDB_TYPE_LIST: try readLinkedList()
        case .RDB_TYPE_LIST_ZIPLIST: try readZiplistList()
        case .RDB_TYPE_LIST_QUICKLIST: try readQuicklist()
        case .RDB_TYPE_LIST_QUICKLIST_2: try readQuicklist2()
        case .RDB_TYPE_SET: try readHashtableSet()
        case .RDB_TYPE_SET_INTSET: try readIntsetSet()
        case .RDB_TYPE_SET_LISTPACK: try readListpackSet()
        case .RDB_TYPE_ZSET: try readSkiplistSortedSet(binaryScores: false)
        case .RDB_TYPE_ZSET_2: try readSkiplistSortedSet(binaryScores: true)
        case .RDB_TYPE_ZSET_ZIPLIST: try readPackedSortedSet(ZiplistReader.self)
        case .RDB_TYPE_ZSET_LISTPACK: try readPackedSortedSet(ListpackReader.self)
        case .RDB_TYPE_HASH: try readHashtableHash()
        case .RDB_TYPE_HASH_ZIPMAP: try readZipmapHash()
        case .RDB_TYPE_HASH_ZIPLIST: try readPackedHash(ZiplistReader.self)
        case .RDB_TYPE_HASH_LISTPACK: try readPackedHash(ListpackReader.self)
        case .RDB_TYPE_HASH_METADATA_PRE_GA: try readHashMetadata(preGA: true)
        case .RDB_TYPE_HASH_METADATA: try readHashMetadata(preGA: false)
        case .RDB_TYPE_HASH_LISTPACK_EX_PRE_GA: try readHashListpackEx(preGA: true)
        case .RDB_TYPE_HASH_LISTPACK_EX: try readHashListpackEx(preGA: false)
        case .VALKEY_RDB_TYPE_HASH_2: try readValkeyHash2()
        case .RDB_TYPE_STREAM_LISTPACKS, .RDB_TYPE_STREAM_LISTPACKS_2, .RDB_TYPE_STREAM_LISTPACKS_3,
             .RDB_TYPE_STREAM_LISTPACKS_4, .RDB_TYPE_STREAM_LISTPACKS_5:
            try readStream(type.streamLayout!, deliver: true)
        case .RDB_TYPE_ARRAY: try readArray(deliver: true)
        case .RDB_TYPE_MODULE_2: try visitor.moduleValue(try readModuleValue())
        case .RDB_TYPE_MODULE_PRE_GA: throw preReleaseModuleError()
        }
    }
}
