/// BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
/// [OVERFLOW WRAP|SAT|FAIL]... (bitops.c bitfieldGeneric): every operation is parsed first; a
/// writing one grows the string to cover the highest field written, even when FAIL then skips it.
extension ReplayEngine {
    static let bitfieldHandlers: [String: Handler] = [
        "bitfield": { e, a throws(CommandRefusal) in try e.bitfield(a) },
        "bitfield_ro": { _, _ throws(CommandRefusal) in },
    ]

    private enum Overflow { case wrap, saturate, fail }

    private struct FieldOperation {
        var write: Bool, increment: Bool
        var signed: Bool, bits: Int
        var offset: Int
        var value: Int64
        var overflow: Overflow
    }

    private func bitfield(_ a: [Bytes]) throws(CommandRefusal) {
        var operations: [FieldOperation] = []
        var overflow = Overflow.wrap
        var j = 2
        while j < a.count {
            let remaining = a.count - j - 1
            let sub = word(a[j])
            switch sub {
            case "overflow" where remaining >= 1:
                switch word(a[j + 1]) {
                case "wrap": overflow = .wrap
                case "sat": overflow = .saturate
                case "fail": overflow = .fail
                default: throw CommandRefusal(reason: "Invalid OVERFLOW type specified")
                }
                j += 2
                continue
            case "get" where remaining >= 2, "set" where remaining >= 3, "incrby" where remaining >= 3:
                break
            default:
                throw .syntax
            }
            let (signed, bits) = try Self.fieldType(a[j + 1])
            let offset = try Self.fieldOffset(a[j + 2], bits: bits)
            let write = sub != "get"
            let value = write ? try argInteger(a[j + 3]) : 0
            operations.append(FieldOperation(write: write, increment: sub == "incrby", signed: signed, bits: bits,
                                             offset: offset, value: value, overflow: overflow))
            j += write ? 4 : 3
        }
        let writes = operations.filter(\.write)
        guard let highest = writes.map({ $0.offset + $0.bits - 1 }).max() else {
            _ = try string(a[1])
            return
        }
        try modifyString(a[1], create: true) { s throws(CommandRefusal) in
            let needed = highest >> 3 + 1
            if s.count < needed { s += [UInt8](repeating: 0, count: needed - s.count) }
            for op in writes {
                let old = Self.read(s, offset: op.offset, bits: op.bits)
                let (new, overflowed) = op.signed ? Self.signedResult(op, old: old) : Self.unsignedResult(op, old: old)
                if overflowed && op.overflow == .fail { continue }
                Self.write(&s, offset: op.offset, bits: op.bits, value: new)
            }
        }
    }

    /// `i1`..`i64` or `u1`..`u63` (getBitfieldTypeFromArgument).
    private static func fieldType(_ b: Bytes) throws(CommandRefusal) -> (signed: Bool, bits: Int) {
        let invalid = CommandRefusal(reason: "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
        guard let first = b.first, first == UInt8(ascii: "i") || first == UInt8(ascii: "u"),
              let bits = integer(Array(b.dropFirst())) else { throw invalid }
        let signed = first == UInt8(ascii: "i")
        guard bits >= 1, signed ? bits <= 64 : bits <= 63 else { throw invalid }
        return (signed, Int(bits))
    }

    /// `N` or `#N` (N times the width) (getBitOffsetFromArgument).
    private static func fieldOffset(_ b: Bytes, bits: Int) throws(CommandRefusal) -> Int {
        let invalid = CommandRefusal(reason: "bit offset is not an integer or out of range")
        let multiplied = b.first == UInt8(ascii: "#")
        guard let n = integer(multiplied ? Array(b.dropFirst()) : b), n >= 0 else { throw invalid }
        let (offset, overflow) = n.multipliedReportingOverflow(by: multiplied ? Int64(bits) : 1)
        guard !overflow, offset <= Int64(maximumStringLength) * 8 - Int64(bits) else { throw invalid }
        return Int(offset)
    }

    /// The field's bits, most significant first, as an unsigned number.
    private static func read(_ s: Bytes, offset: Int, bits: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<bits {
            let bit = offset + i
            v = v << 1 | UInt64(s[bit >> 3] >> (7 - UInt8(bit & 7)) & 1)
        }
        return v
    }

    private static func write(_ s: inout Bytes, offset: Int, bits: Int, value: UInt64) {
        for i in 0..<bits {
            let bit = offset + i
            let mask = UInt8(1 << (7 - (bit & 7)))
            if value >> UInt64(bits - 1 - i) & 1 == 1 { s[bit >> 3] |= mask } else { s[bit >> 3] &= ~mask }
        }
    }

    /// checkUnsignedBitfieldOverflow applied to SET (increment 0 of the new value) or INCRBY.
    private static func unsignedResult(_ op: FieldOperation, old: UInt64) -> (UInt64, Bool) {
        let max: UInt64 = op.bits == 64 ? .max : (1 << UInt64(op.bits)) - 1
        let value = op.increment ? old : UInt64(bitPattern: op.value)
        let increment: Int64 = op.increment ? op.value : 0
        let maxIncrement = Int64(bitPattern: max &- value), minIncrement = Int64(bitPattern: 0 &- value)
        let wrapped = (value &+ UInt64(bitPattern: increment)) & max
        if value > max || (increment > 0 && increment > maxIncrement) {
            return (op.overflow == .saturate ? max : wrapped, true)
        }
        if increment < 0 && increment < minIncrement {
            return (op.overflow == .saturate ? 0 : wrapped, true)
        }
        return (value &+ UInt64(bitPattern: increment), false)
    }

    /// checkSignedBitfieldOverflow applied to SET or INCRBY; the result as the field's bits.
    private static func signedResult(_ op: FieldOperation, old: UInt64) -> (UInt64, Bool) {
        let bits = UInt64(op.bits)
        let mask: UInt64 = op.bits == 64 ? .max : (1 << bits) - 1
        // The stored bits, sign-extended.
        let stored = op.bits == 64 ? Int64(bitPattern: old) : Int64(bitPattern: old << (64 - bits)) >> Int64(64 - bits)
        let value = op.increment ? stored : op.value
        let increment: Int64 = op.increment ? op.value : 0
        let max: Int64 = op.bits == 64 ? .max : (1 << (bits - 1)) - 1
        let min = -max - 1
        let maxIncrement = Int64(bitPattern: UInt64(bitPattern: max) &- UInt64(bitPattern: value))
        let minIncrement = min &- value
        let wrapped = UInt64(bitPattern: value) &+ UInt64(bitPattern: increment)
        if value > max || (op.bits != 64 && increment > maxIncrement) || (value >= 0 && increment > 0 && increment > maxIncrement) {
            return ((op.overflow == .saturate ? UInt64(bitPattern: max) : wrapped) & mask, true)
        }
        if value < min || (op.bits != 64 && increment < minIncrement) || (value < 0 && increment < 0 && increment < minIncrement) {
            return ((op.overflow == .saturate ? UInt64(bitPattern: min) : wrapped) & mask, true)
        }
        return ((UInt64(bitPattern: value) &+ UInt64(bitPattern: increment)) & mask, false)
    }
}
