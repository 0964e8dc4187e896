/// Where Redis Cluster keeps a key (cluster.c keyHashSlot): CRC16 (XMODEM, crc16.c) of the key,
/// or of its hash tag, modulo 16384. The hash tag is what lies between the first `{` and the
/// first `}` after it, when that is not empty; otherwise the whole key is hashed.
public enum ClusterSlot {
    /// CLUSTER_SLOTS.
    public static let count = 16384

    public static func of(_ key: UnsafeRawBufferPointer) -> Int {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
              let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1 else {
            return Int(crc16(key) & 0x3FFF)
        }
        return Int(crc16(UnsafeRawBufferPointer(rebasing: key[(open + 1)..<close])) & 0x3FFF)
    }

    public static func of(_ key: Bytes) -> Int {
        key.withUnsafeBytes { of($0) }
    }

    /// crc16.c: polynomial 0x1021, initial 0, no reflection, no final xor.
    static func crc16(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
