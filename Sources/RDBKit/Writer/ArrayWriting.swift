/// Arrays as Redis 8.8's rdbSaveObject writes them: count, insert-index flag (and index), then
/// each element's index, AR_RDB_TAG_* and value in ascending index order. Each element is first
/// brought to the form a server holds after loading it (`ArrayEncoding.loaded`), so the tags are
/// the ones that server would write back.
extension RDBWriter {
    func writeArray(_ record: KeyRecord, _ array: ArrayValue) {
        begin(.RDB_TYPE_ARRAY, key: record.key)
        out.length(array.elements.count)
        if let insert = array.insertIndex {
            out.length(1)
            out.length(insert)
        } else {
            out.length(0)
        }
        for element in array.elements {
            out.length(element.index)
            switch element.value.withElement({ ArrayEncoding.loaded($0) }) {
            case .int(let v):
                out.length(ArrayEncoding.AR_RDB_TAG_INT)
                out.uint64LE(UInt64(bitPattern: v))
            case .double(let d):
                out.length(ArrayEncoding.AR_RDB_TAG_FLOAT)
                out.binaryDouble(d)
            case .smallString(let b):
                out.length(ArrayEncoding.AR_RDB_TAG_SMALLSTR)
                out.string(b)
            case .string(let b):
                out.length(ArrayEncoding.AR_RDB_TAG_SDS)
                out.string(b)
            }
        }
    }
}
