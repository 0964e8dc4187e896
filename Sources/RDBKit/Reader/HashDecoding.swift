/// Hashes: hashtable (4), zipmap (9), ziplist (13), listpack (16), and with field TTLs: Redis's
/// metadata forms (22/23 pre-GA, 24/25) and Valkey's HASH_2 (22 under the VALKEY magic).
extension RDBParser {
    /// RDB_TYPE_HASH: len, then field and value as strings.
    func readHashtableHash() throws(RDBError) {
        let count = try input.readLength()
        for _ in 0..<count {
            let field = try input.readStableString(into: pairScratch)
            try deliverHashField(field, try readElement(lzfInto: valueScratch), expireAtMs: nil)
        }
    }

    /// RDB_TYPE_HASH_ZIPMAP: one zipmap.
    func readZipmapHash() throws(RDBError) {
        let (blob, at) = try readBlob()
        var reader: ZipmapReader
        do { reader = try ZipmapReader(blob) } catch { throw containerFailure(error, blob: blob, at: at) }
        while true {
            let pair: (field: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
            do { pair = try reader.next() } catch { throw containerFailure(error, blob: blob, at: at) }
            guard let pair else { break }
            try visitor.hashField(.bytes(pair.field), value: .bytes(pair.value), expireAtMs: nil)
        }
    }

    /// RDB_TYPE_HASH_ZIPLIST and RDB_TYPE_HASH_LISTPACK: fields alternate with values.
    func readPackedHash<Reader: EntryReader>(_ type: Reader.Type) throws(RDBError) {
        try forEachPair(type, second: "a hash value") { (f, v) throws(RDBError) in
            try visitor.hashField(f, value: v, expireAtMs: nil)
        }
    }

    /// HASH_METADATA: [minExpire, 8 bytes LE (not in PRE_GA)] len, then per field:
    /// len ttl, field, value. The TTL comes first; 0 means none; otherwise it is relative to
    /// minExpire with a +1 bias (expireAt = ttl + minExpire - 1), or absolute in PRE_GA.
    func readHashMetadata(preGA: Bool) throws(RDBError) {
        let minExpire: Int64 = preGA ? 0 : try input.readMillisecondTime()
        let count = try input.readLength()
        for _ in 0..<count {
            let ttlAt = input.offset
            let ttl = try input.readLength()
            let field = try input.readStableString(into: pairScratch)
            let value = try readElement(lzfInto: valueScratch)
            var expireAt: Int64? = nil
            if ttl != 0 {
                let absolute = preGA ? ttl : ttl &+ UInt64(bitPattern: minExpire) &- 1
                guard absolute <= RDBEncodingConstants.EB_EXPIRE_TIME_MAX else {
                    throw RDBError(.corrupt("hash field expiry \(absolute) is beyond the largest Redis accepts"), offset: ttlAt)
                }
                expireAt = Int64(absolute)
            }
            try deliverHashField(field, value, expireAtMs: expireAt)
        }
    }

    /// HASH_LISTPACK_EX: [minExpire, 8 bytes LE (not in PRE_GA)] then a listpack of
    /// field, value, TTL triplets; the TTL is absolute ms, HASH_LP_NO_TTL (0) for none.
    func readHashListpackEx(preGA: Bool) throws(RDBError) {
        if !preGA { _ = try input.readMillisecondTime() }
        var cursor = try openContainer(ListpackReader.self)
        while let field = try next(&cursor) {
            let value = try nextRequired(&cursor, "a hash value")
            let ttl = try nextRequired(&cursor, "a field TTL")
            guard let expireAt = ttl.asInt64(), expireAt >= 0 else {
                throw RDBError(.corrupt("hash field TTL entry is not a non-negative integer"), offset: cursor.offset)
            }
            try visitor.hashField(field, value: value, expireAtMs: expireAt == RDBEncodingConstants.HASH_LP_NO_TTL ? nil : expireAt)
        }
    }

    /// Valkey's RDB_TYPE_HASH_2: len, then per field: field, value, expiry as 8 bytes LE ms,
    /// -1 when the field has none (0 is a real, past time).
    func readValkeyHash2() throws(RDBError) {
        let count = try input.readLength()
        for _ in 0..<count {
            let field = try input.readStableString(into: pairScratch)
            let value = try readStableElement(into: valueScratch)
            let expire = try input.readMillisecondTime()
            try deliverHashField(field, value, expireAtMs: expire == -1 ? nil : expire)
        }
    }

    /// A field and its value, a long value in pieces.
    @inline(__always)
    private func deliverHashField(_ field: RDBString, _ value: Element, expireAtMs: Int64?) throws(RDBError) {
        switch value {
        case .whole(let v): try visitor.hashField(field, value: v, expireAtMs: expireAtMs)
        case .checked: break
        case .long(let v):
            try visitor.hashField(field, longValue: v, expireAtMs: expireAtMs)
            try stringPieces.finish()
        }
    }
}
