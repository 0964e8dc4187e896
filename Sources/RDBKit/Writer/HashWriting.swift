/// Hashes: a listpack (RDB 10+) or ziplist under hash-max-listpack-entries/-value, else a
/// hashtable. With field TTLs: Redis 7.4+ uses HASH_LISTPACK_EX / HASH_METADATA (with the minimum
/// expiry first), Valkey 9 its HASH_2; older targets cannot keep field TTLs.
extension RDBWriter {
    func writeHash(_ record: KeyRecord, _ fields: [HashField]) {
        var fields = fields
        if fields.contains(where: { $0.expireAtMs != nil }) {
            // Redis keeps field expiries in 48 bits (EB_EXPIRE_TIME_MAX) and refuses others.
            if let bad = fields.first(where: { ($0.expireAtMs ?? 0) < 0 || UInt64($0.expireAtMs ?? 0) > RDBEncodingConstants.EB_EXPIRE_TIME_MAX }) {
                lose("field \(displayKey(bad.field)) has an expiry (\(bad.expireAtMs!)) outside 0...2^48-1; its TTL is dropped",
                     db: record.db, key: record.key)
                fields = fields.map { f in
                    let e = f.expireAtMs ?? 0
                    return e < 0 || UInt64(e) > RDBEncodingConstants.EB_EXPIRE_TIME_MAX ? HashField(field: f.field, value: f.value) : f
                }
            }
        }
        if fields.contains(where: { $0.expireAtMs != nil }) {
            if target.hasFieldTTLs {
                return target.holds(.VALKEY_RDB_TYPE_HASH_2) ? writeValkeyHash2(record.key, fields) : writeHashWithTTLs(record.key, fields)
            }
            lose(LossText.fieldTTLs,
                 db: record.db, key: record.key)
            fields = fields.map { HashField(field: $0.field, value: $0.value) }
        }
        if fitsListpack(fields) {
            begin(target.hasListpacks ? .RDB_TYPE_HASH_LISTPACK : .RDB_TYPE_HASH_ZIPLIST, key: record.key)
            out.string(packed(fields.flatMap { [$0.field, $0.value] }))
            return
        }
        begin(.RDB_TYPE_HASH, key: record.key)
        out.length(fields.count)
        for f in fields {
            out.string(f.field)
            out.string(f.value)
        }
    }

    private func fitsListpack(_ fields: [HashField]) -> Bool {
        fields.count <= target.thresholds.maxListpackEntries
            && fields.allSatisfy { $0.field.count <= target.thresholds.maxListpackValue && $0.value.count <= target.thresholds.maxListpackValue }
    }

    /// HASH_LISTPACK_EX (field, value, absolute TTL or 0) or HASH_METADATA (TTL relative to the
    /// minimum, +1, before each field), both led by the minimum expiry.
    private func writeHashWithTTLs(_ key: Bytes, _ fields: [HashField]) {
        let minExpire = fields.compactMap(\.expireAtMs).min() ?? 0
        if fitsListpack(fields) {
            begin(.RDB_TYPE_HASH_LISTPACK_EX, key: key)
            out.millisecondTime(minExpire)
            var builder = ListpackBuilder()
            for f in fields {
                builder.append(f.field)
                builder.append(f.value)
                builder.append(f.expireAtMs ?? RDBEncodingConstants.HASH_LP_NO_TTL)
            }
            out.string(builder.finished())
            return
        }
        begin(.RDB_TYPE_HASH_METADATA, key: key)
        out.millisecondTime(minExpire)
        out.length(fields.count)
        for f in fields {
            out.length(f.expireAtMs.map { UInt64($0 - minExpire + 1) } ?? 0)
            out.string(f.field)
            out.string(f.value)
        }
    }

    /// Valkey's HASH_2: field, value, then the expiry as 8 bytes (-1 for none).
    private func writeValkeyHash2(_ key: Bytes, _ fields: [HashField]) {
        begin(.VALKEY_RDB_TYPE_HASH_2, key: key)
        out.length(fields.count)
        for f in fields {
            out.string(f.field)
            out.string(f.value)
            out.millisecondTime(f.expireAtMs ?? -1)
        }
    }
}
