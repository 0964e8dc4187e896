/// Sorted sets: a listpack (RDB 10+) or ziplist of member, score pairs in score order under
/// zset-max-listpack-entries/-value; else a skiplist (ZSET_2, binary scores; string scores before
/// RDB 8) in the order given. A server writes its skiplist from the highest score down, and a
/// record read from such a file keeps that order; older servers wrote hash order, kept as well,
/// so a conversion changes no order a reader can see.
extension RDBWriter {
    func writeSortedSet(key: Bytes, _ members: [SortedSetMember]) {
        if members.count <= target.thresholds.maxListpackEntries && members.allSatisfy({ $0.member.count <= target.thresholds.maxListpackValue }) {
            var sorted = members
            sorted.sort { $0.score != $1.score ? $0.score < $1.score : $0.member.lexicographicallyPrecedes($1.member) }
            begin(target.hasListpacks ? .RDB_TYPE_ZSET_LISTPACK : .RDB_TYPE_ZSET_ZIPLIST, key: key)
            out.string(packed(sorted.flatMap { [$0.member, Array(DoubleText.listpackScore($0.score).utf8)] }))
            return
        }
        begin(target.hasBinaryScores ? .RDB_TYPE_ZSET_2 : .RDB_TYPE_ZSET, key: key)
        out.length(members.count)
        for m in members {
            out.string(m.member)
            if target.hasBinaryScores { out.binaryDouble(m.score) } else { out.stringDouble(m.score) }
        }
    }
}
