/// Arrays (RDB_TYPE_ARRAY, Redis 8.8; rdb.c rdbLoadObject): count, insert-index flag and value,
/// then (index, tag, value) per element. Delivered element by element, never held whole.
extension RDBParser {
    func readArray(deliver: Bool) throws(RDBError) {
        let countAt = input.offset
        let count = try input.readLength()
        // "Empty array (count == 0) is invalid"
        guard count > 0 else { throw RDBError(.corrupt("empty array (count 0)"), offset: countAt) }
        let flagAt = input.offset
        let flag = try input.readLength()
        // "Invalid array insert_idx_flag": 0 = none (AR_INSERT_IDX_NONE), 1 = the index follows.
        guard flag <= 1 else { throw RDBError(.corrupt("invalid array insert_idx_flag \(flag)"), offset: flagAt) }
        let insertIndex: UInt64? = flag == 1 ? try input.readLength() : nil
        if deliver { try visitor.arrayHeader(count: count, insertIndex: insertIndex) }
        for _ in 0..<count {
            let indexAt = input.offset
            let (index, isEncoding) = try input.readLengthOrEncoding()
            // "Invalid array index": a special string encoding or UINT64_MAX (AR_INSERT_IDX_NONE).
            guard !isEncoding, index != ArrayEncoding.AR_INSERT_IDX_NONE else {
                throw RDBError(.corrupt("invalid array index \(isEncoding ? "(a string encoding byte)" : "\(index)")"), offset: indexAt)
            }
            let tagAt = input.offset
            let tag = try input.readLength()
            let element: ArrayElement
            switch tag {
            case ArrayEncoding.AR_RDB_TAG_INT:
                element = .int(Int64(bitPattern: try input.readUInt64LE()))
            case ArrayEncoding.AR_RDB_TAG_FLOAT:
                element = .double(try input.readBinaryDouble())
            case ArrayEncoding.AR_RDB_TAG_SMALLSTR:
                let stringAt = input.offset
                let s = try input.readString(lzfInto: valueScratch)
                // "Invalid small string length %zu in array"
                guard s.count <= ArrayEncoding.AR_SMALLSTR_MAXLEN else {
                    throw RDBError(.corrupt("array small string of \(s.count) bytes (at most \(ArrayEncoding.AR_SMALLSTR_MAXLEN))"),
                                   offset: stringAt)
                }
                element = .smallString(s)
            case ArrayEncoding.AR_RDB_TAG_SDS:
                guard deliver else {
                    try input.skipString()
                    continue
                }
                element = .string(try input.readString(lzfInto: valueScratch))
            default:
                throw RDBError(.corrupt("unknown array element type_tag \(tag)"), offset: tagAt)
            }
            if deliver { try visitor.arrayElement(index: index, element: element) }
        }
    }
}
