/// Lists as the target's server saves them: quicklist 2 of 8 KB listpack nodes (RDB 10+),
/// quicklist of ziplists (RDB 7-9), or before that a ziplist when small, else a linked list.
extension RDBWriter {
    func writeList(key: Bytes, _ elements: [Bytes]) {
        if target.hasListpacks {
            begin(RDBType.RDB_TYPE_LIST_QUICKLIST_2, key: key)
            let nodes = packNodes(elements, limit: target.listNodeBytes) { (b: inout ListpackBuilder, e) in b.append(e) }
            out.length(nodes.count)
            for node in nodes {
                out.length(RDBEncodingConstants.QUICKLIST_NODE_CONTAINER_PACKED)
                out.string(node)
            }
        } else if target.hasQuicklist {
            begin(RDBType.RDB_TYPE_LIST_QUICKLIST, key: key)
            let nodes = packNodes(elements, limit: target.listNodeBytes) { (b: inout ZiplistBuilder, e) in b.append(e) }
            out.length(nodes.count)
            for node in nodes { out.string(node) }
        } else if elements.count <= 512 && elements.allSatisfy({ $0.count <= 64 }) {
            // list-max-ziplist-entries 512, list-max-ziplist-value 64
            begin(RDBType.RDB_TYPE_LIST_ZIPLIST, key: key)
            var builder = ZiplistBuilder()
            for e in elements { builder.append(e) }
            out.string(builder.finished())
        } else {
            begin(RDBType.RDB_TYPE_LIST, key: key)
            out.length(elements.count)
            for e in elements { out.string(e) }
        }
    }

    /// Splits elements into nodes of at most `limit` bytes (quicklist's fill -2), never empty.
    private func packNodes<Builder: PackedBuilder>(_ elements: [Bytes], limit: Int,
                                                   append: (inout Builder, Bytes) -> Void) -> [[UInt8]] {
        var nodes: [[UInt8]] = []
        var current = Builder()
        for e in elements {
            if current.count > 0 && current.totalBytes + e.count + 11 > limit {
                nodes.append(current.finished())
                current = Builder()
            }
            append(&current, e)
        }
        if current.count > 0 { nodes.append(current.finished()) }
        return nodes
    }
}

/// The two packed encodings a list node can use.
protocol PackedBuilder {
    init()
    var count: Int { get }
    var totalBytes: Int { get }
    func finished() -> [UInt8]
}

extension ListpackBuilder: PackedBuilder {}
extension ZiplistBuilder: PackedBuilder {}
