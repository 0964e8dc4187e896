/// Key records from the export schema (README.md), the inverse of `JSONExporter`: JSON Lines, or
/// the JSON array export writes (one record a line). File-level records (`--with-meta`) bring
/// back functions and module aux data; the rest of them describe the source file and are skipped.
public final class JSONImport {
    public enum Item {
        case key(KeyRecord)
        /// A string key whose value is longer than a line keeps (`LongJSONString`): the record
        /// (its value empty) and the value in pieces, to be read before the next call.
        case longString(KeyRecord, StringValue)
        case function(Bytes)
        case moduleAux(ModuleAux)
    }

    private let lines: LineReader

    public init(source: ByteSource) {
        lines = LineReader(source: source)
    }

    /// The next record, or nil at the end of the input.
    public func next() throws(RDBError) -> Item? {
        while let raw = try lines.next() {
            let lineStart = lines.lineStart
            var line = raw[...]
            while let f = line.first, f == 0x20 || f == 0x09 { line = line.dropFirst() }
            while let l = line.last, l == 0x20 || l == 0x09 { line = line.dropLast() }
            // The array form: "[", records followed by ",", "]".
            if line.first == UInt8(ascii: "[") && line.count == 1 || line.first == UInt8(ascii: "]") || line.isEmpty { continue }
            if line.first == UInt8(ascii: "[") { line = line.dropFirst() }
            if line.last == UInt8(ascii: ",") { line = line.dropLast() }
            if line.last == UInt8(ascii: "]") && line.first != UInt8(ascii: "[") { line = line.dropLast() }
            /// A place on this line: its byte offset in the input, line and column (1-based, in bytes).
            func place(_ index: Int) -> (offset: Int64, context: String) {
                let column = lines.inputColumn(index)
                return (lineStart + Int64(column), "line \(lines.lineNumber), column \(column + 1)")
            }
            let value: JSONValue
            do {
                value = try JSONParser.parse(Array(line))
            } catch {
                let at = place(line.startIndex + error.position)
                throw RDBError(.corrupt("not JSON: \(error.message)"), offset: at.offset, context: at.context)
            }
            do throws(ImportFailure) {
                if let item = try item(from: value) { return item }
            } catch {
                // The record is valid JSON: the place is where it starts, the key when it has one.
                let at = place(line.startIndex)
                let key = try? bytes(value[ExportField.key], "\(ExportField.key)")
                throw RDBError(.corrupt(error.message), offset: at.offset, key: key, context: at.context)
            }
        }
        return nil
    }

    struct ImportFailure: Error {
        var message: String
    }

    private func item(from v: JSONValue) throws(ImportFailure) -> Item? {
        guard case .object = v else { throw ImportFailure(message: "a record must be a JSON object") }
        if case .string(let meta)? = v[ExportField.meta] {
            if meta.elementsEqual(ExportMeta.function.bytes) {
                return .function(try bytes(v[ExportField.code], "\(ExportField.code)"))
            }
            if meta.elementsEqual(ExportMeta.moduleAux.bytes) {
                return .moduleAux(ModuleAux(typeID: try moduleType(v), when: try unsigned(v[ExportField.when], "\(ExportField.when)"),
                                            payload: try bytes(v[ExportField.payload], "\(ExportField.payload)")))
            }
            return nil
        }
        let db = try integer(v[ExportField.db], "\(ExportField.db)")
        guard db >= 0, db <= Int64(Int32.max) else { throw ImportFailure(message: "db \(db) is out of range") }
        let key = try bytes(v[ExportField.key], "\(ExportField.key)")
        guard case .string(let typeName)? = v[ExportField.type], let type = RedisType(rawValue: String(decoding: typeName, as: UTF8.self)) else {
            throw ImportFailure(message: "\"\(ExportField.type)\" must be one of \(RedisType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let value = v[ExportField.value] else { throw ImportFailure(message: "\"\(ExportField.value)\" is missing") }
        var record = KeyRecord(db: Int(db), key: key, value: .string([]))
        if let e = v[ExportField.expireAtMs] { record.expireAtMs = try integer(e, "\(ExportField.expireAtMs)") }
        if let idle = v[ExportField.idle] { record.idleSeconds = try unsigned(idle, "\(ExportField.idle)") }
        if let freq = v[ExportField.freq] {
            let f = try unsigned(freq, "\(ExportField.freq)")
            guard f <= 255 else { throw ImportFailure(message: "\"\(ExportField.freq)\" must be 0-255") }
            record.lfuFrequency = UInt8(f)
        }
        if type == .string, let long = try longValue(value) {
            if let metadata = v[ExportField.metadata] { record.metadata = try keyMetadata(metadata) }
            return .longString(record, long)
        }
        switch type {
        case .string: record.value = .string(try bytes(value, "\(ExportField.value)"))
        case .list: record.value = .list(try strings(value, of: type))
        case .set: record.value = .set(try strings(value, of: type))
        case .zset:
            record.value = .sortedSet(try pairs(value, .memberScore, of: type) { (member, score) throws(ImportFailure) in
                guard let score = score.double, !score.isNaN else {
                    throw ImportFailure(message: "a zset score must be a number, \"\(ExportScore.name(.infinity))\" or \"\(ExportScore.name(-.infinity))\"")
                }
                return SortedSetMember(member: try bytes(member, "a member"), score: score)
            })
        case .hash: record.value = .hash(try hashFields(value, expiries: v[ExportField.fieldExpireAtMs]))
        case .stream: record.value = .stream(try stream(value))
        case .module:
            guard case .object = value else { throw ImportFailure(message: "\"\(ExportField.value)\" of a module must be \(ExportShape.module)") }
            record.value = .module(ModuleValue(typeID: try moduleType(value), payload: try bytes(value[ExportField.payload], "\(ExportField.payload)")))
        case .array: record.value = .array(try arrayValue(value, insertIndex: v[ExportField.insertIndex]))
        }
        if let metadata = v[ExportField.metadata] { record.metadata = try keyMetadata(metadata) }
        return .key(record)
    }

    // MARK: values

    private func hashFields(_ value: JSONValue, expiries: JSONValue?) throws(ImportFailure) -> [HashField] {
        var fields: [HashField] = []
        switch value {
        case .object(let members):
            fields = members.map { HashField(field: $0.key, value: []) }
            for (i, m) in members.enumerated() { fields[i].value = try bytes(m.value, "a hash value") }
        case .array:
            fields = try pairs(value, .fieldValue, of: .hash) { (field, value) throws(ImportFailure) in
                HashField(field: try bytes(field, "a field"), value: try bytes(value, "a hash value"))
            }
        default: throw ImportFailure(message: "\"\(ExportField.value)\" of a hash must be \(ExportShape.fieldMap)")
        }
        guard let expiries else { return fields }
        var byField: [Bytes: Int64] = [:]
        switch expiries {
        case .object(let members):
            for m in members { byField[m.key] = try integer(m.value, "a field expiry") }
        case .array:
            for (field, ms) in try pairs(expiries, .fieldExpiry, of: .hash, { (field, ms) throws(ImportFailure) in
                (try bytes(field, "a field"), try integer(ms, "a field expiry"))
            }) {
                byField[field] = ms
            }
        default: throw ImportFailure(message: "\"\(ExportField.fieldExpireAtMs)\" must be an object, or a list of \(ExportPair.fieldExpiry) pairs")
        }
        for i in fields.indices { fields[i].expireAtMs = byField[fields[i].field] }
        return fields
    }

    private func stream(_ v: JSONValue) throws(ImportFailure) -> StreamValue {
        guard case .object = v else { throw ImportFailure(message: "\"\(ExportField.value)\" of a stream must be \(ExportShape.stream)") }
        var s = StreamValue()
        for entry in try array(v[ExportField.entries] ?? .array([]), "\(ExportField.entries)") {
            let fields = try pairs(entry[ExportField.fields], .fieldValue, of: .stream) { (field, value) throws(ImportFailure) -> (field: Bytes, value: Bytes) in
                (try bytes(field, "a field"), try bytes(value, "a value"))
            }
            s.entries.append(StreamValue.Entry(id: try streamID(entry[ExportField.id], "\(ExportField.id)"), fields: fields))
        }
        s.metadata = StreamMetadata(
            length: try v[ExportField.length].map { (x) throws(ImportFailure) in try unsigned(x, "\(ExportField.length)") } ?? UInt64(s.entries.count),
            lastID: try v[ExportField.lastID].map { (x) throws(ImportFailure) in try streamID(x, "\(ExportField.lastID)") } ?? s.entries.last?.id ?? .zero,
            firstID: try v[ExportField.firstID].map { (x) throws(ImportFailure) in try streamID(x, "\(ExportField.firstID)") },
            maxDeletedID: try v[ExportField.maxDeletedID].map { (x) throws(ImportFailure) in try streamID(x, "\(ExportField.maxDeletedID)") },
            entriesAdded: try v[ExportField.entriesAdded].map { (x) throws(ImportFailure) in try unsigned(x, "\(ExportField.entriesAdded)") })
        for g in try array(v[ExportField.groups] ?? .array([]), "\(ExportField.groups)") {
            let pending = try array(g[ExportField.pending] ?? .array([]), "\(ExportField.pending)").map { (p) throws(ImportFailure) in
                StreamPendingEntry(id: try streamID(p[ExportField.id], "\(ExportField.id)"),
                                   consumer: try p[ExportField.consumer].map { (c) throws(ImportFailure) in try bytes(c, "consumer") },
                                   deliveryTimeMs: try integer(p[ExportField.deliveryTimeMs] ?? .number([48]), "\(ExportField.deliveryTimeMs)"),
                                   deliveryCount: try unsigned(p[ExportField.deliveryCount] ?? .number([49]), "\(ExportField.deliveryCount)"))
            }
            let consumers = try array(g[ExportField.consumers] ?? .array([]), "\(ExportField.consumers)").map { (c) throws(ImportFailure) in
                StreamConsumer(name: try bytes(c[ExportField.name], "\(ExportField.name)"),
                               seenTimeMs: try integer(c[ExportField.seenTimeMs] ?? .number([48]), "\(ExportField.seenTimeMs)"),
                               activeTimeMs: try c[ExportField.activeTimeMs].map { (x) throws(ImportFailure) in try integer(x, "\(ExportField.activeTimeMs)") },
                               pending: try array(c[ExportField.pending] ?? .array([]), "\(ExportField.pending)").map { (x) throws(ImportFailure) in try streamID(x, "a pending id") })
            }
            let nacked = try g[ExportField.nacked].map { (n) throws(ImportFailure) in
                try array(n, "\(ExportField.nacked)").map { (x) throws(ImportFailure) in try streamID(x, "a nacked id") }
            }
            s.groups.append(StreamGroup(name: try bytes(g[ExportField.name], "\(ExportField.name)"),
                                        lastDeliveredID: try streamID(g[ExportField.lastDeliveredID], "\(ExportField.lastDeliveredID)"),
                                        entriesRead: try g[ExportField.entriesRead].map { (x) throws(ImportFailure) in
                                            x == .null ? StreamGroup.invalidEntriesRead : try unsigned(x, "\(ExportField.entriesRead)")
                                        },
                                        pending: pending, consumers: consumers, nacked: nacked))
        }
        if let idmp = v[ExportField.idmp] { s.idmp = try streamIdmp(idmp) }
        return s
    }

    private func streamIdmp(_ v: JSONValue) throws(ImportFailure) -> StreamIdmp {
        let producers = try array(v[ExportField.producers] ?? .array([]), "\(ExportField.producers)").map { (p) throws(ImportFailure) in
            StreamIdmp.Producer(pid: try bytes(p[ExportField.pid], "\(ExportField.pid)"), entries: try array(p[ExportField.entries] ?? .array([]), "\(ExportField.entries)").map { (e) throws(ImportFailure) in
                StreamIdmp.Entry(iid: try bytes(e[ExportField.iid], "\(ExportField.iid)"), id: try streamID(e[ExportField.id], "an iid's id"))
            })
        }
        let idmp = StreamIdmp(duration: try v[ExportField.duration].map { (x) throws(ImportFailure) in try unsigned(x, "\(ExportField.duration)") } ?? StreamIdmp.defaultDuration,
                              maxSize: try v[ExportField.maxSize].map { (x) throws(ImportFailure) in try unsigned(x, "\(ExportField.maxSize)") } ?? StreamIdmp.defaultMaxSize,
                              producers: producers,
                              iidsAdded: try v[ExportField.iidsAdded].map { (x) throws(ImportFailure) in try unsigned(x, "\(ExportField.iidsAdded)") } ?? 0,
                              iidsDuplicates: try v[ExportField.iidsDuplicates].map { (x) throws(ImportFailure) in try unsigned(x, "\(ExportField.iidsDuplicates)") } ?? 0)
        guard StreamIdmp.durationRange.contains(idmp.duration), StreamIdmp.maxSizeRange.contains(idmp.maxSize) else {
            throw ImportFailure(message: "idmp duration must be in \(StreamIdmp.durationRange) and max_size in \(StreamIdmp.maxSizeRange)")
        }
        return idmp
    }

    /// Elements as text, stored as a server that received them would encode them (arEncode).
    private func arrayValue(_ v: JSONValue, insertIndex: JSONValue?) throws(ImportFailure) -> ArrayValue {
        var elements = try pairs(v, .indexElement, of: .array) { (index, element) throws(ImportFailure) -> ArrayValue.Element in
            let index = try unsigned(index, "an array index")
            guard index != ArrayEncoding.AR_INSERT_IDX_NONE else { throw ImportFailure(message: "array index 2^64-1 cannot be stored") }
            return ArrayValue.Element(index: index, value: try bytes(element, "an array element").withUnsafeBytes { ArrayEncoding.encode($0) })
        }
        elements.sort { $0.index < $1.index }
        for i in elements.indices.dropFirst() where elements[i].index == elements[i - 1].index {
            throw ImportFailure(message: "array index \(elements[i].index) appears twice")
        }
        // `insert_index` is ARNEXT's answer, one past the index the file keeps; 0 means none.
        let next = try insertIndex.map { (x) throws(ImportFailure) in try unsigned(x, "\(ExportField.insertIndex)") } ?? 0
        return ArrayValue(insertIndex: next == 0 ? nil : next - 1, elements: elements)
    }

    private func keyMetadata(_ v: JSONValue) throws(ImportFailure) -> [KeyMetadata] {
        try array(v, "\(ExportField.metadata)").map { (m) throws(ImportFailure) in
            guard case .string(let name)? = m[ExportField.metadataClass] else { throw ImportFailure(message: "a metadata class needs a \"\(ExportField.metadataClass)\" name") }
            var meta = KeyMetadata(classSpec: 0, payload: try bytes(m[ExportField.payload], "\(ExportField.payload)"))
            meta.className = String(decoding: name, as: UTF8.self)
            meta.version = Int(try unsigned(m[ExportField.version], "\(ExportField.version)"))
            meta.flags = UInt8(truncatingIfNeeded: try unsigned(m[ExportField.flags], "\(ExportField.flags)"))
            guard meta.classSpec != nil else {
                throw ImportFailure(message: "a metadata class is 4 characters of A-Z a-z 0-9 _ -, version 0-31 and flags 0-7")
            }
            return meta
        }
    }

    /// A module type id from its nine-character name and encoding version.
    private func moduleType(_ v: JSONValue) throws(ImportFailure) -> ModuleTypeID {
        guard case .string(let name)? = v[ExportField.module], name.count == 9 else {
            throw ImportFailure(message: "\"\(ExportField.module)\" must be a nine-character module type name")
        }
        let encver = try unsigned(v[ExportField.encver], "\(ExportField.encver)")
        guard encver < 1024 else { throw ImportFailure(message: "\"\(ExportField.encver)\" must be below 1024") }
        var id: UInt64 = 0
        for c in name {
            guard let index = ModuleTypeID.charset.firstIndex(of: c) else {
                throw ImportFailure(message: "module name has a character outside the module charset")
            }
            id = id << 6 | UInt64(index)
        }
        return ModuleTypeID(raw: id << 10 | encver)
    }

    // MARK: primitives

    /// A value that stayed out of its line, decoded into a temporary file and read in pieces.
    private func longValue(_ v: JSONValue) throws(ImportFailure) -> StringValue? {
        let (text, base64): ([UInt8]?, Bool)
        switch v {
        case .string(let s): (text, base64) = (s, false)
        case .object: if case .string(let s)? = v[ExportField.base64] { (text, base64) = (s, true) } else { return nil }
        default: return nil
        }
        guard let text, let long = lines.longString(text) else { return nil }
        let staged: (file: SpillFile, count: Int)?
        do { staged = try long.decoded(base64: base64) } catch { throw ImportFailure(message: error.reason) }
        guard let staged else { throw ImportFailure(message: "value: not a valid JSON\(base64 ? " base64" : "") string") }
        currentValue = staged.file
        return StringValue(staged: staged.file, count: staged.count)
    }

    /// The file behind the last long value handed out (kept until the next record).
    private var currentValue: SpillFile?

    /// A long string in a place that keeps its values whole (memory: its length).
    private func longBytes(_ text: [UInt8], base64: Bool, _ what: String) throws(ImportFailure) -> Bytes? {
        guard let long = lines.longString(text) else { return nil }
        let bytes: Bytes?
        do { bytes = try long.bytes(base64: base64) } catch { throw ImportFailure(message: error.reason) }
        guard let bytes else { throw ImportFailure(message: "\(what): not a valid JSON\(base64 ? " base64" : "") string") }
        return bytes
    }

    private func bytes(_ v: JSONValue?, _ what: String) throws(ImportFailure) -> Bytes {
        switch v {
        case .string(let s)?: return try longBytes(s, base64: false, what) ?? s
        case .object?:
            guard case .string(let encoded)? = v?[ExportField.base64] else {
                throw ImportFailure(message: "\(what): a binary string must be {\"\(ExportField.base64)\":\"...\"}")
            }
            if let long = try longBytes(encoded, base64: true, what) { return long }
            guard let decoded = Base64.decode(encoded) else {
                throw ImportFailure(message: "\(what): a binary string must be {\"\(ExportField.base64)\":\"...\"}")
            }
            return decoded
        default: throw ImportFailure(message: "\(what) must be a string")
        }
    }

    /// A list or set value: its strings (`ExportShape.strings`).
    private func strings(_ v: JSONValue, of type: RedisType) throws(ImportFailure) -> [Bytes] {
        guard case .array(let items) = v else {
            throw ImportFailure(message: "\"\(ExportField.value)\" of a \(type) must be \(ExportShape.of(type))")
        }
        return try items.map { (e) throws(ImportFailure) in try bytes(e, "a \(type) element") }
    }

    /// A list of `pair`s (`ExportShape.pairs`) in a value of `type`, each made by `make`.
    private func pairs<T>(_ v: JSONValue?, _ pair: ExportPair, of type: RedisType,
                          _ make: (JSONValue, JSONValue) throws(ImportFailure) -> T) throws(ImportFailure) -> [T] {
        guard case .array(let items)? = v else { throw ImportFailure(message: "a \(type)'s \(pair) pairs must be a list") }
        return try items.map { (item) throws(ImportFailure) -> T in
            guard case .array(let two) = item, two.count == 2 else {
                throw ImportFailure(message: "a \(type)'s entry must be \(pair)")
            }
            return try make(two[0], two[1])
        }
    }

    private func array(_ v: JSONValue?, _ what: String) throws(ImportFailure) -> [JSONValue] {
        guard case .array(let a)? = v else { throw ImportFailure(message: "\(what) must be a list") }
        return a
    }

    private func integer(_ v: JSONValue?, _ what: String) throws(ImportFailure) -> Int64 {
        guard let i = v?.int64 else { throw ImportFailure(message: "\(what) must be an integer") }
        return i
    }

    private func unsigned(_ v: JSONValue?, _ what: String) throws(ImportFailure) -> UInt64 {
        guard let u = v?.uint64 else { throw ImportFailure(message: "\(what) must be a non-negative integer") }
        return u
    }

    private func streamID(_ v: JSONValue?, _ what: String) throws(ImportFailure) -> StreamID {
        guard case .string(let s)? = v, let id = StreamID(text: s) else {
            throw ImportFailure(message: "\(what) must be a stream id \"ms-seq\"")
        }
        return id
    }
}
