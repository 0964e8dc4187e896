/// Lists as the target's server saves them: quicklist 2 of 8 KB listpack nodes (RDB 10+),
/// quicklist of ziplists (RDB 7-9), or before that a ziplist when small, else a linked list.
extension RDBWriter {
    func writeList(key: Bytes, _ elements: [Bytes]) {
        if target.hasListpacks {
            begin(.RDB_TYPE_LIST_QUICKLIST_2, key: key)
            let nodes = packNodes(elements, limit: target.thresholds.listNodeBytes, as: ListpackBuilder.self)
            out.length(nodes.count)
            for node in nodes {
                out.length(RDBEncodingConstants.QUICKLIST_NODE_CONTAINER_PACKED)
                out.string(node)
            }
        } else if target.hasQuicklist {
            begin(.RDB_TYPE_LIST_QUICKLIST, key: key)
            let nodes = packNodes(elements, limit: target.thresholds.listNodeBytes, as: ZiplistBuilder.self)
            out.length(nodes.count)
            for node in nodes { out.string(node) }
        } else if elements.count <= 512 && elements.allSatisfy({ $0.count <= 64 }) {
            // list-max-ziplist-entries 512, list-max-ziplist-value 64
            begin(.RDB_TYPE_LIST_ZIPLIST, key: key)
            out.string(packed(elements))
        } else {
            begin(.RDB_TYPE_LIST, key: key)
            out.length(elements.count)
            for e in elements { out.string(e) }
        }
    }

    /// Splits elements into nodes of at most `limit` bytes (quicklist's fill -2), never empty.
    private func packNodes<Builder: PackedBuilder>(_ elements: [Bytes], limit: Int, as _: Builder.Type) -> [[UInt8]] {
        var nodes: [[UInt8]] = []
        var current = Builder()
        for e in elements {
            if current.count > 0 && current.totalBytes + e.count + 11 > limit {
                nodes.append(current.finished())
                current = Builder()
            }
            current.append(e)
        }
        if current.count > 0 { nodes.append(current.finished()) }
        return nodes
    }
}

/// The two packed encodings (listpack, and ziplist before RDB 10) of lists, hashes and zsets.
protocol PackedBuilder {
    init()
    var count: Int { get }
    var totalBytes: Int { get }
    mutating func append(_ bytes: [UInt8])
    func finished() -> [UInt8]
}

extension RDBWriter {
    /// One packed string of `items`, in the listpack or ziplist the target uses.
    func packed(_ items: [[UInt8]]) -> [UInt8] {
        func build<Builder: PackedBuilder>(_: Builder.Type) -> [UInt8] {
            var builder = Builder()
            for item in items { builder.append(item) }
            return builder.finished()
        }
        return target.hasListpacks ? build(ListpackBuilder.self) : build(ZiplistBuilder.self)
    }
}

extension ListpackBuilder: PackedBuilder {}
extension ZiplistBuilder: PackedBuilder {}
