/// Lists: linked list (1), ziplist (10), quicklist of ziplists (14), quicklist 2 (18).
extension RDBParser {
    /// RDB_TYPE_LIST: len, then each element as a string.
    func readLinkedList() throws(RDBError) {
        let count = try input.readLength()
        for _ in 0..<count {
            try readListElement(lzfInto: valueScratch)
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
                try readListElement(lzfInto: blobScratch)
            case RDBEncodingConstants.QUICKLIST_NODE_CONTAINER_PACKED:
                try forEachListpackEntry({ (e) throws(RDBError) in try visitor.listElement(e) },
                                         long: { (e) throws(RDBError) in try visitor.listElement(long: e) })
            default:
                throw RDBError(.badEncoding("quicklist node container \(container) is neither PLAIN (1) nor PACKED (2)"),
                               offset: containerAt)
            }
        }
    }

    /// One element stored as a string (a linked list's, a PLAIN node's), long ones in pieces.
    @inline(__always)
    private func readListElement(lzfInto scratch: ScratchBuffer) throws(RDBError) {
        switch try readElement(lzfInto: scratch) {
        case .whole(let e): try visitor.listElement(e)
        case .checked: break
        case .long(let e):
            try visitor.listElement(long: e)
            try stringPieces.finish()
        }
    }
}
