import CCRC64Fold

/// Redis's CRC64 (crc64.c): Jones polynomial, reflected in and out, initial value 0, no final xor.
/// The check value for "123456789" is 0xe9c6d914c4b8d9ca. Where the CPU multiplies without carries
/// (x86-64 PCLMULQDQ, checked at run time), runs of 64 bytes are folded by multiplication, about
/// ten times faster; the rest, and every run on other CPUs, is computed slicing-by-8.
public struct CRC64: Sendable {
    public private(set) var value: UInt64 = 0

    public init() {}

    /// The reflected form of the Jones polynomial 0xad93d23594c935a9.
    static let reflectedPolynomial: UInt64 = 0x95ac_9329_ac4b_c9b5

    /// Whether `update` folds by multiplication on this CPU.
    static var folds: Bool { rdbkit_crc64_fold_available() != 0 }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var n = bytes.count
        if n >= 64 {
            var folded: (UInt64, UInt64) = (0, 0)
            let consumed = withUnsafeMutableBytes(of: &folded) { out in
                rdbkit_crc64_fold(value, p, n, crc64FoldConstants, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            if consumed > 0 {
                // The 16 folded bytes, run through the bytewise CRC from 0, give the CRC so far.
                value = 0
                withUnsafeBytes(of: &folded) { updateSlicing($0.baseAddress!, 16) }
                p += consumed
                n -= consumed
            }
        }
        updateSlicing(p, n)
    }

    /// The CRC computed slicing-by-8 only (what the folding is tested against).
    mutating func updateSlicing(_ start: UnsafeRawPointer, _ count: Int) {
        var p = start
        var n = count
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

/// The fold's multipliers. A 16-byte lane X = H·x^64 + L (H in its low quadword, reflected) moved
/// d bits on is H·x^(d+64) + L·x^d mod P; a carry-less product of two reflected 64-bit values
/// comes out one degree low, so the constants are x^(d+63) and x^(d-1) mod P, reflected: d = 512
/// for the four-lane stride, d = 128 to fold the lanes together.
nonisolated(unsafe) private let crc64FoldConstants: UnsafePointer<UInt64> = {
    let k = UnsafeMutablePointer<UInt64>.allocate(capacity: 4)
    for (i, power) in [575, 511, 191, 127].enumerated() { k[i] = reflectedPowerOfX(power) }
    return UnsafePointer(k)
}()

/// x^power mod P, bit-reflected (bit i holds the coefficient of x^(63-i)).
private func reflectedPowerOfX(_ power: Int) -> UInt64 {
    let polynomial = CRC64.reflectedPolynomial.bitReversed
    var r: UInt64 = 1
    for _ in 0..<power {
        let carry = r >> 63
        r <<= 1
        if carry != 0 { r ^= polynomial }
    }
    return r.bitReversed
}

private extension UInt64 {
    var bitReversed: UInt64 {
        var v = self
        var r: UInt64 = 0
        for _ in 0..<64 {
            r = (r << 1) | (v & 1)
            v >>= 1
        }
        return r
    }
}
