/// Sets: hashtable (2), intset (11), listpack (20).
extension RDBParser {
    func readSet(type: UInt8) throws(RDBError) {
        switch type {
        case RDBType.RDB_TYPE_SET:
            let count = try input.readLength()
            for _ in 0..<count {
                try visitor.setMember(try input.readString(lzfInto: valueScratch))
            }
        case RDBType.RDB_TYPE_SET_INTSET:
            let (blob, at) = try readBlob()
            var reader: IntsetReader
            do { reader = try IntsetReader(blob) } catch { throw containerFailure(error, blob: blob, at: at) }
            while true {
                let member: Int64?
                do { member = try reader.next() } catch { throw containerFailure(error, blob: blob, at: at) }
                guard let member else { break }
                try visitor.setMember(.int(member))
            }
        default:  // RDB_TYPE_SET_LISTPACK
            try forEachEntry(ListpackReader.self) { (e) throws(RDBError) in try visitor.setMember(e) }
        }
    }
}
