/// What `inspect` reports about a dump, gathered in one streaming pass with bounded memory:
/// the top keys are a fixed-size heap, key prefixes a fixed-size Space-Saving summary.
public struct Inspection: Sendable {
    public struct TypeSummary: Sendable {
        public var keys = 0
        /// Encodings as stored (RDB type names) and as Redis 7.0 would hold them, with counts.
        public var storedEncodings: [String: Int] = [:]
        public var serverEncodings: [String: Int] = [:]
        public var serializedBytes: Int64 = 0
        public var memory: Int64 = 0
    }

    /// Redis 8.6/8.8 stream state: IDMP in use (not the defaults every v4/v5 stream carries) and NACK zones.
    public struct StreamFeatures: Sendable {
        public var withIdmp = 0
        public var idmpProducers = 0
        public var idmpIids = 0
        public var nackedEntries = 0
    }

    public struct DatabaseSummary: Sendable {
        public var keys = 0
        public var withExpiry = 0
        public var alreadyExpired = 0
        public var resizeHintKeys: UInt64?
        public var resizeHintExpires: UInt64?
    }

    public var path: String
    /// The input was an AOF, replayed into the dataset summarized (header and aux are the replay's).
    public var replayedAOF = false
    public var header: RDBHeader?
    public var aux: [(name: String, value: String)] = []
    public var functions = 0
    public var modules: [String: Int] = [:]
    public var moduleAux: [String] = []
    public var checksum: ChecksumState?
    public var bytes: Int64 = 0
    public var keys = 0
    public var memory: Int64 = 0
    public var databases: [Int: DatabaseSummary] = [:]
    public var types: [RedisType: TypeSummary] = [:]
    public var streams = StreamFeatures()
    public var biggestKeys: [KeyStats] = []
    public var prefixes: [PrefixSummary.Entry] = []
    /// How far the prefix counts can be off (0 when every prefix was tracked exactly).
    public var prefixCountError = 0
    /// Keys without the separator: they belong to no prefix.
    public var keysWithoutPrefix = 0
    /// Keys by time to live at `now`: expired, < 1 h, < 1 day, < 1 week, < 30 days, < 1 year, later, none.
    public var ttlBuckets = [Int](repeating: 0, count: 8)
    public static let ttlBucketNames = ["expired", "< 1 hour", "< 1 day", "< 1 week", "< 30 days", "< 1 year", ">= 1 year", "no expiry"]
    public var nowMs: Int64 = 0
}

/// The `inspect` pass: a `KeyStatsCollector` for every key plus the file-level records.
public final class Inspector: ForwardsElements {
    public private(set) var result: Inspection
    private let stats: KeyStatsCollector
    private var pending: (type: RedisType, offset: Int64)?
    private var biggest: BoundedTopKeys
    private var prefixes: PrefixSummary
    private let separator: Bytes

    public init(path: String, nowMs: Int64, top: Int, separator: Bytes, prefixCapacity: Int = 10_000) {
        result = Inspection(path: path)
        result.nowMs = nowMs
        biggest = BoundedTopKeys(capacity: top)
        prefixes = PrefixSummary(capacity: prefixCapacity)
        self.separator = separator
        var sink: ((KeyStats) -> Void)?
        stats = KeyStatsCollector { (s) throws(RDBError) in sink?(s) }
        sink = { [unowned self] s in self.record(s) }
    }

    private func record(_ s: KeyStats) {
        result.keys += 1
        result.memory += Int64(s.memory)
        result.types[s.type, default: .init()].memory += Int64(s.memory)
        result.types[s.type, default: .init()].serverEncodings[s.encoding, default: 0] += 1
        var db = result.databases[s.db, default: .init()]
        db.keys += 1
        let bucket: Int
        if let e = s.expireAtMs {
            db.withExpiry += 1
            let left = e - result.nowMs
            if left <= 0 { db.alreadyExpired += 1 }
            bucket = left <= 0 ? 0 : left < 3_600_000 ? 1 : left < 86_400_000 ? 2 : left < 604_800_000 ? 3
                : left < 2_592_000_000 ? 4 : left < 31_536_000_000 ? 5 : 6
        } else {
            bucket = 7
        }
        result.ttlBuckets[bucket] += 1
        result.databases[s.db] = db
        biggest.offer(s)
        if let prefix = PrefixSummary.prefix(of: s.key, separator: separator) {
            prefixes.add(Array(prefix), memory: Int64(s.memory))
        } else {
            result.keysWithoutPrefix += 1
        }
    }

    public var wantsStringValues: Bool { true }
    public var elementSink: KeyStatsCollector { stats }

    public func header(_ header: RDBHeader) throws(RDBError) { result.header = header }
    public func aux(name: RDBString, value: RDBString) throws(RDBError) {
        result.aux.append((String(decoding: name.array, as: UTF8.self), String(decoding: value.array, as: UTF8.self)))
    }
    public func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError) {
        lastResize = (keys, expires)
    }
    private var lastResize: (UInt64, UInt64)?
    private var currentDB = 0
    public func selectDB(_ db: Int) throws(RDBError) {
        currentDB = db
        lastResize = nil
    }
    public func function(code: RDBString) throws(RDBError) { result.functions += 1 }
    public func moduleAux(_ aux: ModuleAux) throws(RDBError) { result.moduleAux.append(aux.typeID.name) }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        settle(at: info.offset)
        pending = (info.type, info.offset)
        if let (keys, expires) = lastResize {
            result.databases[info.db, default: .init()].resizeHintKeys = keys
            result.databases[info.db, default: .init()].resizeHintExpires = expires
            lastResize = nil
        }
        result.types[info.type, default: .init()].keys += 1
        result.types[info.type, default: .init()].storedEncodings[info.encodingName, default: 0] += 1
        return try stats.beginKey(info, key: key)
    }

    /// A key's serialized size: from its type byte to the next record.
    private func settle(at offset: Int64) {
        guard let pending else { return }
        result.types[pending.type, default: .init()].serializedBytes += offset - pending.offset
        self.pending = nil
    }

    public func moduleValue(_ value: ModuleValue) throws(RDBError) {
        result.modules[value.typeID.name, default: 0] += 1
        try stats.moduleValue(value)
    }

    public func streamGroup(_ group: StreamGroup) throws(RDBError) {
        result.streams.nackedEntries += group.nacked?.count ?? 0
        try stats.streamGroup(group)
    }

    public func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) {
        if !idmp.isDefault {
            result.streams.withIdmp += 1
            result.streams.idmpProducers += idmp.producers.count
            result.streams.idmpIids += idmp.producers.map(\.entries.count).reduce(0, +)
        }
        try stats.streamIdmp(idmp)
    }

    public func end(_ trailer: RDBTrailer) throws(RDBError) {
        result.checksum = trailer.checksum
    }

    /// Runs the pass over `path`.
    public static func inspect(path: String, nowMs: Int64, top: Int, separator: Bytes, filter: KeyFilter? = nil,
                               options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Inspection {
        let inspector = Inspector(path: path, nowMs: nowMs, top: top, separator: separator)
        let (input, progress) = try RDBReader.window(path: path, options: options)
        defer { progress?.finish() }
        try RDBReader.run(input: input, visitor: inspector, filter: filter, options: options)
        inspector.settle(at: input.offset)
        inspector.result.bytes = input.offset
        inspector.result.biggestKeys = inspector.biggest.sorted
        (inspector.result.prefixes, inspector.result.prefixCountError) = inspector.prefixes.top(20)
        return inspector.result
    }
}
