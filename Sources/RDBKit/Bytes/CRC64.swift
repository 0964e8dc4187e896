/// Redis's CRC64 (crc64.c): Jones polynomial, reflected in and out, initial value 0, no final xor.
/// The check value for "123456789" is 0xe9c6d914c4b8d9ca. Computed slicing-by-8, eight bytes a step.
public struct CRC64: Sendable {
    public private(set) var value: UInt64 = 0

    public init() {}

    /// The reflected form of the Jones polynomial 0xad93d23594c935a9.
    static let reflectedPolynomial: UInt64 = 0x95ac_9329_ac4b_c9b5

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var n = bytes.count
        var crc = value
        let t = crc64Tables
        while n >= 8 {
            let v = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) ^ crc
            crc = t[7 * 256 + Int(v & 0xFF)] ^ t[6 * 256 + Int((v >> 8) & 0xFF)]
                ^ t[5 * 256 + Int((v >> 16) & 0xFF)] ^ t[4 * 256 + Int((v >> 24) & 0xFF)]
                ^ t[3 * 256 + Int((v >> 32) & 0xFF)] ^ t[2 * 256 + Int((v >> 40) & 0xFF)]
                ^ t[1 * 256 + Int((v >> 48) & 0xFF)] ^ t[Int(v >> 56)]
            p += 8
            n -= 8
        }
        while n > 0 {
            crc = t[Int((crc ^ UInt64(p.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
            p += 1
            n -= 1
        }
        value = crc
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt64 {
        var crc = CRC64()
        crc.update(bytes)
        return crc.value
    }
}

/// Eight 256-entry tables; table k advances the CRC over a byte followed by k zero bytes.
nonisolated(unsafe) private let crc64Tables: UnsafePointer<UInt64> = {
    let t = UnsafeMutablePointer<UInt64>.allocate(capacity: 8 * 256)
    for i in 0..<256 {
        var crc = UInt64(i)
        for _ in 0..<8 {
            crc = (crc & 1) != 0 ? (crc >> 1) ^ CRC64.reflectedPolynomial : crc >> 1
        }
        t[i] = crc
    }
    for k in 1..<8 {
        for i in 0..<256 {
            let previous = t[(k - 1) * 256 + i]
            t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
        }
    }
    return UnsafePointer(t)
}()
