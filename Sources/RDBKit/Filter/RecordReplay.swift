extension KeyRecord {
    /// Delivers this record to `visitor` as the parser would have: beginKey, the elements, endKey.
    /// Strings are views into one buffer per call, so nothing outlives the calls that get them.
    public func replay<V: RDBVisitor>(as info: KeyInfo, into visitor: V) throws(RDBError) {
        let scratch = ScratchBuffer()
        func view(_ b: Bytes) -> RDBString {
            scratch.set(UnsafeRawBufferPointer(start: nil, count: 0))
            b.withUnsafeBytes { scratch.append($0) }
            return .bytes(scratch.bytes)
        }
        let keyCopy = ScratchBuffer()
        key.withUnsafeBytes { keyCopy.append($0) }
        guard try visitor.beginKey(info, key: .bytes(keyCopy.bytes)) == .read else { return }
        switch value {
        case .string(let s): try visitor.stringValue(StringValue(view(s)))
        case .list(let elements): for e in elements { try visitor.listElement(view(e)) }
        case .set(let members): for m in members { try visitor.setMember(view(m)) }
        case .sortedSet(let members): for m in members { try visitor.zsetMember(view(m.member), score: m.score) }
        case .hash(let fields):
            let fieldCopy = ScratchBuffer()
            for f in fields {
                f.field.withUnsafeBytes { fieldCopy.set($0) }
                try visitor.hashField(.bytes(fieldCopy.bytes), value: view(f.value), expireAtMs: f.expireAtMs)
            }
        case .stream(let stream):
            for entry in stream.entries {
                // One buffer for the entry's strings; views made once it is complete.
                scratch.removeAll()
                var ranges: [Range<Int>] = []
                for (f, v) in entry.fields {
                    for b in [f, v] {
                        let start = scratch.count
                        b.withUnsafeBytes { scratch.append($0) }
                        ranges.append(start..<scratch.count)
                    }
                }
                let base = scratch.bytes
                let strings = ranges.map { RDBString.bytes(UnsafeRawBufferPointer(rebasing: base[$0])) }
                try strings.withUnsafeBufferPointer { (fields) throws(RDBError) in
                    try visitor.streamEntry(id: entry.id, fields: StreamEntryFields(storage: fields))
                }
            }
            try visitor.streamMetadata(stream.metadata)
            for g in stream.groups { try visitor.streamGroup(g) }
            if let idmp = stream.idmp { try visitor.streamIdmp(idmp) }
        case .module(let m): try visitor.moduleValue(m)
        case .array(let array):
            try visitor.arrayHeader(count: UInt64(array.elements.count), insertIndex: array.insertIndex)
            for e in array.elements {
                try e.value.withElement { (element) throws(RDBError) in try visitor.arrayElement(index: e.index, element: element) }
            }
        }
        try visitor.endKey()
    }

    /// Delivers this string key with its value in pieces (`RecordCollector.onLongString`), read
    /// by `visitor` as it arrives.
    public func replay<V: RDBVisitor>(as info: KeyInfo, longString value: StringValue, into visitor: V) throws(RDBError) {
        let keyCopy = ScratchBuffer()
        key.withUnsafeBytes { keyCopy.append($0) }
        guard try visitor.beginKey(info, key: .bytes(keyCopy.bytes)) == .read else { return }
        try visitor.stringValue(value)
        try visitor.endKey()
    }
}
