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
    public var result: Inspection { tally.pointee.result }
    private let stats: KeyStatsCollector
    /// Per-key counts behind a pointer (a class's stored `var`s are checked for exclusive access
    /// on every use), kept in arrays and folded into `result` by `finish`: dictionaries keyed by
    /// types and encoding names cost more per key than reading the key does.
    private let tally: UnsafeMutablePointer<InspectionTally>

    public init(path: String, nowMs: Int64, top: Int, separator: Bytes, prefixCapacity: Int = 10_000) {
        var result = Inspection(path: path)
        result.nowMs = nowMs
        let tally = UnsafeMutablePointer<InspectionTally>.allocate(capacity: 1)
        tally.initialize(to: InspectionTally(result: result, biggest: BoundedTopKeys(capacity: top),
                                             prefixes: PrefixSummary(capacity: prefixCapacity)))
        self.tally = tally
        // Captures constants only: a captured `var` would be checked for exclusive access per key.
        stats = KeyStatsCollector { (s) throws(RDBError) in Inspector.record(s, into: tally, separator: separator) }
    }

    deinit {
        tally.deinitialize(count: 1)
        tally.deallocate()
    }

    private static func record(_ s: KeyStats, into t: UnsafeMutablePointer<InspectionTally>, separator: Bytes) {
        t.pointee.result.keys += 1
        t.pointee.result.memory += Int64(s.memory)
        t.pointee.types[s.type.ordinal].memory += Int64(s.memory)
        t.pointee.types[s.type.ordinal].countServerEncoding(s.encoding)
        if s.db != t.pointee.db { t.pointee.switchDatabase(to: s.db) }
        t.pointee.database.keys += 1
        let bucket: Int
        if let e = s.expireAtMs {
            t.pointee.database.withExpiry += 1
            let left = e - t.pointee.result.nowMs
            if left <= 0 { t.pointee.database.alreadyExpired += 1 }
            bucket = left <= 0 ? 0 : left < 3_600_000 ? 1 : left < 86_400_000 ? 2 : left < 604_800_000 ? 3
                : left < 2_592_000_000 ? 4 : left < 31_536_000_000 ? 5 : 6
        } else {
            bucket = 7
        }
        t.pointee.ttlBuckets[bucket] += 1
        t.pointee.biggest.offer(s)
        let counted = s.key.withUnsafeBytes { key in
            guard let prefix = PrefixSummary.prefix(of: key, separator: separator) else { return false }
            t.pointee.prefixes.add(prefix, memory: Int64(s.memory))
            return true
        }
        if !counted { t.pointee.result.keysWithoutPrefix += 1 }
    }

    public var wantsStringValues: Bool { true }
    public var elementSink: KeyStatsCollector { stats }

    public func header(_ header: RDBHeader) throws(RDBError) { tally.pointee.result.header = header }
    public func aux(name: RDBString, value: RDBString) throws(RDBError) {
        tally.pointee.result.aux.append((String(decoding: name.array, as: UTF8.self), String(decoding: value.array, as: UTF8.self)))
    }
    public func resizeDB(keys: UInt64, expires: UInt64) throws(RDBError) {
        lastResize = (keys, expires)
    }
    private var lastResize: (UInt64, UInt64)?
    public func selectDB(_ db: Int) throws(RDBError) {
        lastResize = nil
    }
    public func function(code: RDBString) throws(RDBError) { tally.pointee.result.functions += 1 }
    public func moduleAux(_ aux: ModuleAux) throws(RDBError) { tally.pointee.result.moduleAux.append(aux.typeID.name) }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        let t = tally
        settle(at: info.offset)
        t.pointee.pending = (info.type.ordinal, info.offset)
        if let (keys, expires) = lastResize {
            if info.db != t.pointee.db { t.pointee.switchDatabase(to: info.db) }
            t.pointee.database.resizeHintKeys = keys
            t.pointee.database.resizeHintExpires = expires
            lastResize = nil
        }
        t.pointee.types[info.type.ordinal].keys += 1
        t.pointee.countStoredEncoding(info.rdbType)
        return try stats.beginKey(info, key: key)
    }

    /// A key's serialized size: from its type byte to the next record.
    private func settle(at offset: Int64) {
        guard let pending = tally.pointee.pending else { return }
        tally.pointee.types[pending.type].serializedBytes += offset - pending.offset
        tally.pointee.pending = nil
    }

    public func moduleValue(_ value: ModuleValue) throws(RDBError) {
        tally.pointee.result.modules[value.typeID.name, default: 0] += 1
        try stats.moduleValue(value)
    }

    public func streamGroup(_ group: StreamGroup) throws(RDBError) {
        tally.pointee.result.streams.nackedEntries += group.nacked?.count ?? 0
        try stats.streamGroup(group)
    }

    public func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) {
        if !idmp.isDefault {
            tally.pointee.result.streams.withIdmp += 1
            tally.pointee.result.streams.idmpProducers += idmp.producers.count
            tally.pointee.result.streams.idmpIids += idmp.producers.map(\.entries.count).reduce(0, +)
        }
        try stats.streamIdmp(idmp)
    }

    public func end(_ trailer: RDBTrailer) throws(RDBError) {
        tally.pointee.result.checksum = trailer.checksum
    }

    /// The summary once the pass has read `bytes`.
    private func finish(bytes: Int64) -> Inspection {
        settle(at: bytes)
        var result = tally.pointee.folded()
        result.bytes = bytes
        result.biggestKeys = tally.pointee.biggest.sorted
        (result.prefixes, result.prefixCountError) = tally.pointee.prefixes.top(20)
        return result
    }

    /// Runs the pass over `path`.
    public static func inspect(path: String, nowMs: Int64, top: Int, separator: Bytes, filter: KeyFilter? = nil,
                               options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Inspection {
        let inspector = Inspector(path: path, nowMs: nowMs, top: top, separator: separator)
        let (input, progress) = try RDBReader.window(path: path, options: options)
        defer { progress?.finish() }
        try RDBReader.run(input: input, visitor: inspector, filter: filter, options: options)
        return inspector.finish(bytes: input.offset)
    }
}

/// `Inspector`'s running counts: per type by ordinal, stored encodings by type byte, the current
/// database's summary until the next database begins.
struct InspectionTally {
    struct TypeTally {
        var keys = 0
        var serializedBytes: Int64 = 0
        var memory: Int64 = 0
        /// A handful per type; the names are short literals, so comparing them is comparing words.
        var serverEncodings: [(name: String, count: Int)] = []

        mutating func countServerEncoding(_ name: String) {
            for i in serverEncodings.indices where serverEncodings[i].name == name {
                serverEncodings[i].count += 1
                return
            }
            serverEncodings.append((name, 1))
        }
    }

    var result: Inspection
    var biggest: BoundedTopKeys
    var prefixes: PrefixSummary
    var types = [TypeTally](repeating: TypeTally(), count: RedisType.allCases.count)
    /// Keys by stored type, the few a file holds in the order met (comparing them is comparing words).
    var storedEncodings: [(type: RDBValueType, count: Int)] = []
    var ttlBuckets = [Int](repeating: 0, count: 8)
    var db = -1
    var database = Inspection.DatabaseSummary()
    var pending: (type: Int, offset: Int64)?

    mutating func countStoredEncoding(_ type: RDBValueType) {
        for i in storedEncodings.indices where storedEncodings[i].type == type {
            storedEncodings[i].count += 1
            return
        }
        storedEncodings.append((type, 1))
    }

    mutating func switchDatabase(to next: Int) {
        if db >= 0 { result.databases[db] = database }
        db = next
        database = result.databases[next] ?? Inspection.DatabaseSummary()
    }

    /// `result` with the counts in it.
    mutating func folded() -> Inspection {
        switchDatabase(to: db)
        var folded = result
        for type in RedisType.allCases where types[type.ordinal].keys > 0 {
            let t = types[type.ordinal]
            folded.types[type, default: .init()].keys += t.keys
            folded.types[type, default: .init()].serializedBytes += t.serializedBytes
            folded.types[type, default: .init()].memory += t.memory
            for (name, count) in t.serverEncodings { folded.types[type, default: .init()].serverEncodings[name, default: 0] += count }
        }
        for (stored, count) in storedEncodings {
            folded.types[stored.redisType, default: .init()].storedEncodings[stored.name, default: 0] += count
        }
        for (i, n) in ttlBuckets.enumerated() { folded.ttlBuckets[i] += n }
        return folded
    }
}
