/// `diff --values`: the export-schema JSON of chosen keys of a file, every other key skipped
/// undecoded; a key whose JSON is longer than the limit is given as a summary instead,
/// `{"type":T,"json_bytes":N}`.
final class ValueCapture: ForwardsElements {
    private let wanted: Set<Diff.KeyID>
    private let limit: Int
    private let writer = JSONWriter(output: nil)
    private let exporter: JSONExporter
    private var current: (id: Diff.KeyID, type: RedisType)?
    private(set) var values: [Diff.KeyID: String] = [:]

    var elementSink: JSONExporter { exporter }
    var wantsStringValues: Bool { true }

    private init(wanted: Set<Diff.KeyID>, limit: Int) {
        self.wanted = wanted
        self.limit = limit
        exporter = JSONExporter(writer: writer, format: .jsonl, withMeta: false)
    }

    static func values(of wanted: Set<Diff.KeyID>, in path: String, filter: KeyFilter?, options: ReaderOptions,
                       limit: Int) throws(RDBError) -> [Diff.KeyID: String] {
        let capture = ValueCapture(wanted: wanted, limit: limit)
        try RDBReader.read(path: path, visitor: capture, filter: filter, options: options)
        return capture.values
    }

    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        let id = Diff.KeyID(db: info.db, key: key.array)
        guard wanted.contains(id) else { return .skip }
        current = (id, info.type)
        return try exporter.beginKey(info, key: key)
    }

    func endKey() throws(RDBError) {
        try exporter.endKey()
        guard let current else { return }
        var bytes = writer.pending
        if bytes.last == UInt8(ascii: "\n") { bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast()) }
        values[current.id] = bytes.count <= limit ? String(decoding: bytes, as: UTF8.self)
            : "{\"type\":\"\(current.type.rawValue)\",\"json_bytes\":\(bytes.count)}"
        writer.buffer.removeAll()
        self.current = nil
    }
}
