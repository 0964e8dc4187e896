/// Sorted sets: string scores (3), binary scores (5), ziplist (12), listpack (17).
extension RDBParser {
    /// RDB_TYPE_ZSET and RDB_TYPE_ZSET_2: len, then member and score, the score as text (ZSET) or
    /// as 8 bytes of binary double (ZSET_2).
    func readSkiplistSortedSet(binaryScores: Bool) throws(RDBError) {
        let count = try input.readLength()
        for _ in 0..<count {
            let member = try readStableElement(into: pairScratch)
            let at = input.offset
            let score = binaryScores ? try input.readBinaryDouble() : try input.readStringDouble()
            if score.isNaN {
                throw RDBError(.corrupt("zset with NAN score detected"), offset: at)
            }
            switch member {
            case .whole(let m): try visitor.zsetMember(m, score: score)
            case .checked: break
            case .long(let m):
                try visitor.zsetMember(long: m, score: score)
                try stringPieces.finish()
            }
        }
    }

    /// RDB_TYPE_ZSET_ZIPLIST and RDB_TYPE_ZSET_LISTPACK: members alternate with scores; a score
    /// is an integer entry or its text (d2string).
    func readPackedSortedSet<Reader: EntryReader>(_ type: Reader.Type) throws(RDBError) {
        let at = input.offset
        try forEachPair(type, second: "a score") { (member, score) throws(RDBError) in
            guard let value = score.asDouble(), !value.isNaN else {
                throw RDBError(.corrupt("zset score entry is not a number"), offset: at)
            }
            try visitor.zsetMember(member, score: value)
        }
    }
}
