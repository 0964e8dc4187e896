/// Lists: linked list (1), ziplist (10), quicklist of ziplists (14), quicklist 2 (18).
extension RDBParser {
    /// RDB_TYPE_LIST: len, then each element as a string.
    func readLinkedList() throws(RDBError) {
        let count = try input.readLength()
        for _ in 0..<count {
            try visitor.listElement(try input.readString(lzfInto: valueScratch))
        }
    }

    /// RDB_TYPE_LIST_ZIPLIST: one ziplist.
    func readZiplistList() throws(RDBError) {
        try forEachEntry(ZiplistReader.self) { (e) throws(RDBError) in try visitor.listElement(e) }
    }

    /// RDB_TYPE_LIST_QUICKLIST: len nodes, each a ziplist.
    func readQuicklist() throws(RDBError) {
        let nodes = try input.readLength()
        for _ in 0..<nodes {
            try forEachEntry(ZiplistReader.self) { (e) throws(RDBError) in try visitor.listElement(e) }
        }
    }

    /// RDB_TYPE_LIST_QUICKLIST_2: len nodes, each its container kind then a listpack or one element.
    func readQuicklist2() throws(RDBError) {
        let nodes = try input.readLength()
        for _ in 0..<nodes {
            let containerAt = input.offset
            let container = try input.readLength()
            switch container {
            case RDBEncodingConstants.QUICKLIST_NODE_CONTAINER_PLAIN:
                // A PLAIN node holds one large element as it is, not a listpack.
                try visitor.listElement(try input.readString(lzfInto: blobScratch))
            case RDBEncodingConstants.QUICKLIST_NODE_CONTAINER_PACKED:
                try forEachEntry(ListpackReader.self) { (e) throws(RDBError) in try visitor.listElement(e) }
            default:
                throw RDBError(.badEncoding("quicklist node container \(container) is neither PLAIN (1) nor PACKED (2)"),
                               offset: containerAt)
            }
        }
    }
}
