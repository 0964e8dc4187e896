/// Sorted sets: string scores (3), binary scores (5), ziplist (12), listpack (17).
extension RDBParser {
    func readSortedSet(type: UInt8) throws(RDBError) {
        switch type {
        case RDBType.RDB_TYPE_ZSET, RDBType.RDB_TYPE_ZSET_2:
            let count = try input.readLength()
            for _ in 0..<count {
                let member = try input.readStableString(into: pairScratch)
                let at = input.offset
                let score = type == RDBType.RDB_TYPE_ZSET_2 ? try input.readBinaryDouble() : try input.readStringDouble()
                if score.isNaN {
                    throw RDBError(.corrupt("zset with NAN score detected"), offset: at)
                }
                try visitor.zsetMember(member, score: score)
            }
        case RDBType.RDB_TYPE_ZSET_ZIPLIST:
            try readPackedSortedSet(ZiplistReader.self)
        default:  // RDB_TYPE_ZSET_LISTPACK
            try readPackedSortedSet(ListpackReader.self)
        }
    }

    /// Members alternate with scores; a score is an integer entry or its text (d2string).
    private func readPackedSortedSet<Reader: EntryReader>(_ type: Reader.Type) throws(RDBError) {
        let at = input.offset
        try forEachPair(type, second: "a score") { (member, score) throws(RDBError) in
            guard let value = score.asDouble(), !value.isNaN else {
                throw RDBError(.corrupt("zset score entry is not a number"), offset: at)
            }
            try visitor.zsetMember(member, score: value)
        }
    }
}
