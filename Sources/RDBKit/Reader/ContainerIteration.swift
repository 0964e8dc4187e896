/// Containers whose entries are strings or integers: listpacks and ziplists.
public protocol EntryReader {
    init(_ blob: UnsafeRawBufferPointer) throws(ContainerError)
    mutating func next() throws(ContainerError) -> RDBString?
}

extension ListpackReader: EntryReader {}
extension ZiplistReader: EntryReader {}

/// The containers Redis embeds in strings, read with their errors placed in the file.
extension RDBParser {
    /// A cursor over one container blob that turns its errors into `RDBError`s with file offsets.
    struct Cursor<Reader: EntryReader> {
        var reader: Reader
        let blob: UnsafeRawBufferPointer
        let offset: Int64
    }

    @inline(__always)
    func openContainer<Reader: EntryReader>(_ type: Reader.Type) throws(RDBError) -> Cursor<Reader> {
        let (blob, at) = try readBlob()
        return try openContainer(type, blob: blob, at: at)
    }

    @inline(__always)
    func openContainer<Reader: EntryReader>(_ type: Reader.Type, blob: UnsafeRawBufferPointer, at: Int64) throws(RDBError) -> Cursor<Reader> {
        do {
            return Cursor(reader: try Reader(blob), blob: blob, offset: at)
        } catch {
            throw containerFailure(error, blob: blob, at: at)
        }
    }

    @inline(__always)
    func next<Reader: EntryReader>(_ cursor: inout Cursor<Reader>) throws(RDBError) -> RDBString? {
        do {
            return try cursor.reader.next()
        } catch {
            throw containerFailure(error, blob: cursor.blob, at: cursor.offset)
        }
    }

    /// The next entry where the container must still have one (the second half of a pair).
    @inline(__always)
    func nextRequired<Reader: EntryReader>(_ cursor: inout Cursor<Reader>, _ what: String) throws(RDBError) -> RDBString {
        guard let e = try next(&cursor) else {
            throw RDBError(.corrupt("container ends where \(what) was expected"), offset: cursor.offset)
        }
        return e
    }

    /// Delivers each entry of one container to `body`.
    @inline(__always)
    func forEachEntry<Reader: EntryReader>(_ type: Reader.Type, _ body: (RDBString) throws(RDBError) -> Void) throws(RDBError) {
        var cursor = try openContainer(type)
        while let e = try next(&cursor) {
            try body(e)
        }
    }

    /// Delivers entries two at a time (hash field and value, zset member and score).
    @inline(__always)
    func forEachPair<Reader: EntryReader>(_ type: Reader.Type, second: String,
                                          _ body: (RDBString, RDBString) throws(RDBError) -> Void) throws(RDBError) {
        var cursor = try openContainer(type)
        while let a = try next(&cursor) {
            try body(a, try nextRequired(&cursor, second))
        }
    }
}
