import CXXHash

/// The iid XADD … IDMPAUTO derives from an entry's fields (t_stream.c createIdempotencyHash):
/// each field/value pair is hashed with XXH3-128 as field, the field's length (a C `long`,
/// 8 bytes, native order), value; the pair hashes are combined by sum and xor so that the order
/// of the pairs does not matter. The iid is the XXH128_hash_t as it lies in memory: low then high
/// 64 bits, little-endian (the only byte order Redis is built for here).
enum IdempotencyHash {
    static func iid(fields: ArraySlice<Bytes>) -> Bytes {
        var sumLow: UInt64 = 0, sumHigh: UInt64 = 0, xorLow: UInt64 = 0, xorHigh: UInt64 = 0
        let state = XXH3_createState()!
        defer { XXH3_freeState(state) }
        var pairs = fields.makeIterator()
        while let field = pairs.next(), let value = pairs.next() {
            XXH3_128bits_reset(state)
            field.withUnsafeBytes { _ = XXH3_128bits_update(state, $0.baseAddress, $0.count) }
            var length = Int64(field.count).littleEndian
            withUnsafeBytes(of: &length) { _ = XXH3_128bits_update(state, $0.baseAddress, $0.count) }
            value.withUnsafeBytes { _ = XXH3_128bits_update(state, $0.baseAddress, $0.count) }
            let pair = XXH3_128bits_digest(state)
            sumLow &+= pair.low64
            sumHigh &+= pair.high64
            xorLow ^= pair.low64
            xorHigh ^= pair.high64
        }
        let low = sumLow ^ rotateLeft(xorHigh)
        let high = sumHigh ^ rotateLeft(xorLow)
        var iid = Bytes()
        iid.reserveCapacity(16)
        withUnsafeBytes(of: low.littleEndian) { iid += $0 }
        withUnsafeBytes(of: high.littleEndian) { iid += $0 }
        return iid
    }

    private static func rotateLeft(_ x: UInt64) -> UInt64 { x << 1 | x >> 63 }
}
