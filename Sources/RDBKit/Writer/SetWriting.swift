/// Sets: an intset when every member is a canonical integer and there are at most
/// set-max-intset-entries; a listpack (RDB 11+) under set-max-listpack-entries/-value; else a hashtable.
extension RDBWriter {
    func writeSet(key: Bytes, _ members: [Bytes]) {
        if members.count <= target.thresholds.maxIntsetEntries {
            var integers: [Int64] = []
            integers.reserveCapacity(members.count)
            for m in members {
                guard let v = m.withUnsafeBytes({ canonicalInt64($0) }) else { break }
                integers.append(v)
            }
            if integers.count == members.count && !members.isEmpty {
                begin(.RDB_TYPE_SET_INTSET, key: key)
                out.string(IntsetBuilder.build(integers))
                return
            }
        }
        if target.hasSetListpack && members.count <= target.thresholds.maxSetListpackEntries
            && members.allSatisfy({ $0.count <= target.thresholds.maxSetListpackValue }) {
            begin(.RDB_TYPE_SET_LISTPACK, key: key)
            var builder = ListpackBuilder()
            for m in members { builder.append(m) }
            out.string(builder.finished())
            return
        }
        begin(.RDB_TYPE_SET, key: key)
        out.length(members.count)
        for m in members { out.string(m) }
    }
}
