/// Sets: hashtable (2), intset (11), listpack (20).
extension RDBParser {
    /// RDB_TYPE_SET: len, then each member as a string.
    func readHashtableSet() throws(RDBError) {
        let count = try input.readLength()
        for _ in 0..<count {
            switch try readElement(lzfInto: valueScratch) {
            case .whole(let m): try visitor.setMember(m)
            case .checked: break
            case .long(let m):
                try visitor.setMember(long: m)
                try stringPieces.finish()
            }
        }
    }

    /// RDB_TYPE_SET_INTSET: one intset.
    func readIntsetSet() throws(RDBError) {
        let (blob, at) = try readBlob()
        var reader: IntsetReader
        do { reader = try IntsetReader(blob) } catch { throw containerFailure(error, blob: blob, at: at) }
        while true {
            let member: Int64?
            do { member = try reader.next() } catch { throw containerFailure(error, blob: blob, at: at) }
            guard let member else { break }
            try visitor.setMember(.int(member))
        }
    }

    /// RDB_TYPE_SET_LISTPACK: one listpack of members.
    func readListpackSet() throws(RDBError) {
        try forEachListpackEntry({ (e) throws(RDBError) in try visitor.setMember(e) },
                                 long: { (e) throws(RDBError) in try visitor.setMember(long: e) })
    }
}
