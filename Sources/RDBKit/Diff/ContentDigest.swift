/// A 128-bit fingerprint of a key's value that does not depend on how it is encoded: the same
/// set in an intset or a hashtable, in any member order, gives the same digest (as DEBUG DIGEST
/// mixes unordered elements with xor). Two independent 64-bit hashes: CRC64 and FNV-1a.
public struct ContentDigest: Hashable, Sendable {
    public var a: UInt64 = 0
    public var b: UInt64 = 0

    static func of(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> ContentDigest {
        var hasher = Hasher(seed: seed)
        hasher.update(bytes)
        return hasher.digest
    }

    /// The digest of one string, fed in pieces.
    struct Hasher {
        private var crc = CRC64()
        private var fnv: UInt64
        private var count = 0

        init(seed: UInt64) {
            fnv = 0xcbf2_9ce4_8422_2325 ^ seed
            withUnsafeBytes(of: seed) { crc.update($0) }
        }

        mutating func update(_ bytes: UnsafeRawBufferPointer) {
            crc.update(bytes)
            for byte in bytes {
                fnv = (fnv ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            count += bytes.count
        }

        // The length too, so ["ab","c"] and ["a","bc"] differ.
        var digest: ContentDigest { ContentDigest(a: crc.value ^ UInt64(count) &* 0x9E37_79B9_7F4A_7C15, b: fnv) }
    }

    static func of(_ s: RDBString, seed: UInt64 = 0) -> ContentDigest {
        s.withBytes { of($0, seed: seed) }
    }

    /// The same digest for a value given in pieces.
    static func of(_ value: StringValue, seed: UInt64 = 0) throws(RDBError) -> ContentDigest {
        var hasher = Hasher(seed: seed)
        try value.forEachPiece { hasher.update($0) }
        return hasher.digest
    }

    /// Order matters (lists, stream entries).
    mutating func append(_ d: ContentDigest) {
        a = (a &* 0x100_0000_01b3 ^ d.a) &+ 0x9E37_79B9_7F4A_7C15
        b = (b &* 0x9E37_79B9_7F4A_7C15) ^ d.b
    }

    /// Order does not matter (set members, hash fields, zset members).
    mutating func combine(_ d: ContentDigest) {
        a ^= d.a
        b &+= d.b
    }
}

/// What `diff` keeps of each key: its type, expiry and value digest.
public struct KeyDigest: Equatable, Sendable {
    public var type: RedisType
    public var expireAtMs: Int64?
    public var value: ContentDigest
}

/// Builds a `KeyDigest` per key as the parser streams its elements.
final class DigestingVisitor: RDBVisitor {
    private let onKey: (Int, [UInt8], KeyDigest) throws(RDBError) -> Void
    private var info: KeyInfo?
    private var key: [UInt8] = []
    private var digest = ContentDigest()
    private var unordered = ContentDigest()

    init(onKey: @escaping (Int, [UInt8], KeyDigest) throws(RDBError) -> Void) {
        self.onKey = onKey
    }

    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        self.info = info
        self.key = key.array
        digest = ContentDigest()
        unordered = ContentDigest()
        return .read
    }

    func stringValue(_ value: StringValue) throws(RDBError) { digest.append(try .of(value)) }
    func listElement(_ element: RDBString) throws(RDBError) { digest.append(.of(element)) }
    func setMember(_ member: RDBString) throws(RDBError) { unordered.combine(.of(member)) }
    func zsetMember(_ member: RDBString, score: Double) throws(RDBError) {
        var d = ContentDigest.of(member)
        d.append(withUnsafeBytes(of: (score == 0 ? 0.0 : score).bitPattern) { .of($0, seed: 1) })
        unordered.combine(d)
    }
    func hashField(_ field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        hashField(field, ContentDigest.of(value, seed: 2), expireAtMs: expireAtMs)
    }
    private func hashField(_ field: RDBString, _ value: ContentDigest, expireAtMs: Int64?) {
        var d = ContentDigest.of(field)
        d.append(value)
        if let expireAtMs { d.append(withUnsafeBytes(of: expireAtMs) { .of($0, seed: 3) }) }
        unordered.combine(d)
    }
    // Elements in pieces digest as they would whole (`ContentDigest.Hasher` takes pieces).
    func listElement(long element: StringValue) throws(RDBError) { digest.append(try .of(element)) }
    func setMember(long member: StringValue) throws(RDBError) { unordered.combine(try .of(member)) }
    func zsetMember(long member: StringValue, score: Double) throws(RDBError) {
        var d = try ContentDigest.of(member)
        d.append(withUnsafeBytes(of: (score == 0 ? 0.0 : score).bitPattern) { .of($0, seed: 1) })
        unordered.combine(d)
    }
    func hashField(_ field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError) {
        hashField(field, try ContentDigest.of(value, seed: 2), expireAtMs: expireAtMs)
    }
    func streamEntry(id: StreamID, fields: StreamEntryFields) throws(RDBError) {
        digest.append(text("\(id)"))
        for i in 0..<fields.count {
            digest.append(.of(fields.field(i)))
            digest.append(.of(fields.value(i), seed: 2))
        }
    }
    func streamMetadata(_ m: StreamMetadata) throws(RDBError) {
        digest.append(text("\(m.length) \(m.lastID)"))
    }
    func streamGroup(_ g: StreamGroup) throws(RDBError) {
        var d = text("\(g.lastDeliveredID) \(g.pending.map { "\($0.id):\($0.deliveryCount)" }) \(g.consumers.map { $0.pending.map(\.description) }) \(g.nacked ?? [])")
        d.append(g.name.withUnsafeBytes { .of($0, seed: 4) })
        for c in g.consumers { d.append(c.name.withUnsafeBytes { .of($0, seed: 5) }) }
        unordered.combine(d)
    }
    /// Only what a server keeps: the configuration, counters and every producer's iids in order.
    func streamIdmp(_ idmp: StreamIdmp) throws(RDBError) {
        digest.append(text("idmp \(idmp.duration) \(idmp.maxSize) \(idmp.iidsAdded) \(idmp.iidsDuplicates)"))
        var producers = ContentDigest()
        for p in idmp.producers {
            var d = p.pid.withUnsafeBytes { ContentDigest.of($0, seed: 8) }
            for e in p.entries {
                d.append(e.iid.withUnsafeBytes { .of($0, seed: 9) })
                d.append(text("\(e.id)"))
            }
            producers.combine(d)
        }
        digest.append(producers)
    }
    /// By the text ARGET returns, so an element stored as a string or as an integer digests the same.
    func arrayHeader(count: UInt64, insertIndex: UInt64?) throws(RDBError) {
        digest.append(text("array \(insertIndex.map(String.init) ?? "none")"))
    }
    func arrayElement(index: UInt64, element: ArrayElement) throws(RDBError) {
        digest.append(text("\(index)"))
        digest.append(element.withText { .of($0, seed: 10) })
    }
    func moduleValue(_ value: ModuleValue) throws(RDBError) {
        digest.append(text("\(value.typeID.raw)"))
        digest.append(value.payload.withUnsafeBytes { .of($0, seed: 6) })
    }

    func endKey() throws(RDBError) {
        guard let info else { return }
        var value = digest
        value.append(unordered)
        try onKey(info.db, key, KeyDigest(type: info.type, expireAtMs: info.expireAtMs, value: value))
        self.info = nil
    }

    private func text(_ s: String) -> ContentDigest {
        var s = s
        return s.withUTF8 { .of(UnsafeRawBufferPointer($0), seed: 7) }
    }
}
