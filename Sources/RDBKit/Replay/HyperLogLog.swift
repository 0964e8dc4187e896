/// Redis's HyperLogLog strings (hyperloglog.c), byte for byte.
///
/// Follows Redis 7.0 with the CVE-2025-32023 fix (see `forEachSparseValueRun`); 7.2, 7.4 and 8.0
/// write the same bytes, their later changes to hyperloglog.c only touching allocation.
///
/// A PFADD or PFMERGE replayed here must leave exactly the string a server would, because the
/// value is an ordinary string that GET, DUMP and the RDB expose. So this mirrors Redis's
/// in-place edits step by step rather than re-encoding a register array: the sparse form depends
/// on the order registers were set in, and a damaged string that Redis happens to accept must be
/// changed the way Redis changes it.
enum HyperLogLog {
    struct InvalidHLL: Error {}

    /// `hll-sparse-max-bytes`' default.
    static let defaultSparseMaxBytes = 3000

    /// PFADD: the new string for a key currently holding `existing` (nil: missing key), and whether any register changed (PFADD's reply 1/0; a new key counts as changed).
    ///
    /// Throws where Redis replies with an error. Redis has by then already changed its copy for
    /// the elements before the one that failed, but it does not propagate the command, so an
    /// AOF never holds one: the caller keeps the old value.
    ///
    /// Exact for any value whose string terminator is intact, which is how SET, RESTORE, loading
    /// and these commands leave every value. The one exception needs a damaged sparse HLL that ends
    /// in half an XZERO opcode: editing it can leave a byte just past the string's end in Redis's
    /// memory, which a later command on the same key reads and a `[UInt8]` cannot carry.
    static func add(to existing: [UInt8]?, elements: [[UInt8]],
                    sparseMaxBytes: Int = defaultSparseMaxBytes) throws(InvalidHLL) -> (value: [UInt8], changed: Bool) {
        // pfaddCommand: a missing key is created (hllCreate) and that alone counts as an update.
        var hll = try existing.map { v throws(InvalidHLL) in try HLLString(validating: v) } ?? HLLString.empty()
        var changed = existing == nil
        for element in elements {
            let (index, count) = patternLength(element)
            if try hll.set(register: index, to: count, sparseMaxBytes: sparseMaxBytes) { changed = true }
        }
        if changed { hll.invalidateCache() }
        return (hll.bytes, changed)
    }

    /// PFMERGE destkey sourcekey...: the destination's new string given the destination's current value (nil if missing) and the sources' values (nil for missing keys).
    static func merge(destination: [UInt8]?, sources: [[UInt8]?],
                      sparseMaxBytes: Int = defaultSparseMaxBytes) throws(InvalidHLL) -> [UInt8] {
        // pfmergeCommand walks argv from the destination on, so the destination's own registers
        // are part of the union and its encoding counts towards going dense. Every value is
        // checked before anything is written, so a bad source leaves the destination alone.
        var maxima = [UInt8](repeating: 0, count: registerCount)
        var useDense = false
        var destinationHLL: HLLString?
        for (position, value) in ([destination] + sources).enumerated() {
            guard let value else { continue }  // a missing key is an empty HLL
            let hll = try HLLString(validating: value)
            if hll.isDense { useDense = true }
            try hll.mergeRegisters(into: &maxima)
            if position == 0 { destinationHLL = hll }
        }
        var target = destinationHLL ?? HLLString.empty()
        if useDense { try target.convertToDense() }
        // The union is written back register by register, in index order, through the same
        // setter PFADD uses; a sparse destination may therefore turn dense part way through.
        for (index, count) in maxima.enumerated() where count != 0 {
            _ = try target.set(register: index, to: count, sparseMaxBytes: sparseMaxBytes)
        }
        target.invalidateCache()
        return target.bytes
    }

    /// PFCOUNT key (one key): the cardinality Redis reports, and the string as PFCOUNT leaves it (cache refreshed when it was stale; unchanged when valid). nil existing = missing key.
    ///
    /// pfcountCommand's single-key case. A valid cache is returned as stored, without looking
    /// at the registers (so even a damaged sparse body gets its cached value). A stale one is
    /// recomputed (hllCount) and all eight cache bytes overwritten; Redis counts that as a write
    /// and propagates the PFCOUNT, which is why it appears in an AOF. Throws where Redis replies
    /// with an error (isHLLObjectOrReply, or a sparse body not covering exactly HLL_REGISTERS
    /// registers); Redis then leaves the string alone.
    ///
    /// `cardinality` is the 64-bit value Redis stores; its reply is the same bits read as a
    /// signed integer (addReplyLongLong). They differ only for 0x8000000000000000, what an
    /// estimate past a long long turns into (see `llroundl`); its top bit keeps the cache marked
    /// stale, so every later PFCOUNT recomputes and rewrites it.
    ///
    /// PFCOUNT with several keys needs no counterpart: Redis merges them into a temporary
    /// (HLL_RAW, hllRawRegHisto) and neither writes to nor propagates any key.
    static func count(_ existing: [UInt8]?) throws(InvalidHLL) -> (cardinality: UInt64, value: [UInt8]?) {
        // No key: 0 and nothing created.
        guard let existing else { return (0, nil) }
        var hll = try HLLString(validating: existing)
        if let cached = hll.validCachedCardinality { return (cached, existing) }
        let cardinality = estimate(histogram: try hll.registerHistogram())
        hll.storeCachedCardinality(cardinality)
        return (cardinality, hll.bytes)
    }

    // MARK: - Estimating (hllCount)

    /// hllCount's estimate from the register histogram: Otmar Ertl's improved estimator
    /// ("New cardinality estimation algorithms for HyperLogLog sketches", arXiv:1702.01284).
    ///
    /// `histogram` has 64 entries (reghisto[64]); the counts are C ints, converted to double
    /// where Redis converts them. Every step is the same IEEE double operation in the same order
    /// as the C code, so the result is bit-identical to Redis's x86_64 builds: SSE2 doubles and no
    /// FMA contraction. (Debian's 7.0.15 binary multiplies by 1/m instead of dividing by m and
    /// folds HLL_ALPHA_INF*m*m into one constant; with m = 2^14 both are exact, so nothing
    /// changes. A build that fuses `z -= (1-x)^2 * y` into an FMA, as aarch64 compilers may,
    /// could differ in the last bit.)
    static func estimate(histogram: [Int32]) -> UInt64 {
        let m = Double(registerCount)
        // double z = m * hllTau((m - reghisto[HLL_Q+1]) / (double)m);
        var z = m * tau((m - Double(histogram[hashBitsForCount + 1])) / m)
        // for (j = HLL_Q; j >= 1; --j) { z += reghisto[j]; z *= 0.5; }
        for j in stride(from: hashBitsForCount, through: 1, by: -1) {
            z += Double(histogram[j])
            z *= 0.5
        }
        z += m * sigma(Double(histogram[0]) / m)
        // E = llroundl(HLL_ALPHA_INF*m*m/z): the constant has no L suffix, so the quotient is a
        // double, left to right; only the rounding happens in long double. E itself is a double.
        let alphaInfinity = 0.721347520444481703680  // HLL_ALPHA_INF, 0.5/ln(2)
        let E = Double(llroundl(alphaInfinity * m * m / z))
        // return (uint64_t)E. x86_64 code for a double to uint64_t conversion: below 2^63 a
        // signed truncation (so a negative E keeps its two's complement bits), from 2^63 on one
        // done on E - 2^63 with the top bit put back. E is an integer, exact in both cases.
        if E >= 0x1p63 { return UInt64(E) }
        return UInt64(bitPattern: Int64(E))
    }

    /// glibc's llroundl (ldbl-96) as x86_64 runs it: round half away from zero; anything whose
    /// magnitude reaches 2^63, infinities and NaN come out as the x87 "integer indefinite",
    /// LLONG_MIN. That is where an empty-looking estimate goes: with every register at 51 or
    /// above z is 0 and the quotient +inf; with them all at 50 it is about 1.3e19.
    private static func llroundl(_ x: Double) -> Int64 {
        #if arch(x86_64) || arch(i386)
        // Float80 is C's long double here; widening the double argument is exact.
        let rounded = Float80(x).rounded(.toNearestOrAwayFromZero)
        let limit: Float80 = 0x1p63
        #else
        // No Float80: rounding the double itself is exact too, so the result is the same.
        let rounded = x.rounded(.toNearestOrAwayFromZero)
        let limit: Double = 0x1p63
        #endif
        guard rounded >= -limit, rounded < limit else { return .min }  // also false for NaN
        return Int64(rounded)
    }

    /// hllSigma: x + x²·1 + x⁴·2 + x⁸·4 + … until the sum stops changing; +inf at x = 1. x is
    /// the share of registers at 0, in [0, 1]; the terms then shrink to 0 and the loop ends.
    static func sigma(_ x: Double) -> Double {
        if x == 1 { return .infinity }
        var x = x
        var y = 1.0
        var z = x
        var previous: Double
        repeat {
            x *= x
            previous = z
            z += x * y
            y += y
        } while previous != z
        return z
    }

    /// hllTau: (1 - x - Σ (1 - x^(1/2^k))² / 2^k) / 3 until the sum stops changing; 0 at
    /// x = 0 and x = 1. x is always in [0, 1] here: it is the share of registers below 51.
    static func tau(_ x: Double) -> Double {
        if x == 0 || x == 1 { return 0 }
        // Unreachable from a histogram: in C the square root of a negative x is a NaN that keeps
        // the loop going forever.
        guard x > 0, x < 1 else { return 0 }
        var x = x
        var y = 1.0
        var z = 1 - x
        var previous: Double
        repeat {
            x = x.squareRoot()
            previous = z
            y *= 0.5
            // pow(1 - x, 2) * y: GCC turns pow(a, 2.0) into a * a (Debian's binary has no pow
            // call here), then multiplies by y and subtracts, three roundings.
            let oneMinusX = 1 - x
            z -= oneMinusX * oneMinusX * y
        } while previous != z
        return z / 3
    }

    // MARK: - Constants (the HLL_* defines)

    static let precision = 14                                   // HLL_P
    static let hashBitsForCount = 64 - precision                // HLL_Q
    static let registerCount = 1 << precision                   // HLL_REGISTERS
    static let headerSize = 16                                  // sizeof(struct hllhdr)
    static let denseSize = headerSize + (registerCount * 6 + 7) / 8  // HLL_DENSE_SIZE
    static let denseEncoding: UInt8 = 0                         // HLL_DENSE
    static let sparseEncoding: UInt8 = 1                        // HLL_SPARSE
    static let sparseValueMax: UInt8 = 32                       // HLL_SPARSE_VAL_MAX_VALUE
    static let sparseValueMaxRun = 4                            // HLL_SPARSE_VAL_MAX_LEN
    static let sparseZeroMaxRun = 64                            // HLL_SPARSE_ZERO_MAX_LEN
    static let sparseXZeroMaxRun = 16384                        // HLL_SPARSE_XZERO_MAX_LEN

    // MARK: - Hashing

    /// MurmurHash64A as Redis ships it: blocks are read little-endian whatever the host, so the
    /// register an element lands in does not depend on the machine that wrote the AOF.
    static func murmurHash64A(_ key: [UInt8], seed: UInt64) -> UInt64 {
        let m: UInt64 = 0xc6a4_a793_5bd1_e995
        let r: UInt64 = 47
        var h = seed ^ (UInt64(key.count) &* m)
        let blockEnd = key.count & ~7
        var offset = 0
        while offset < blockEnd {
            var k: UInt64 = 0
            for byte in 0..<8 { k |= UInt64(key[offset + byte]) << UInt64(8 * byte) }
            k &*= m
            k ^= k >> r
            k &*= m
            h ^= k
            h &*= m
            offset += 8
        }
        let tail = key.count & 7
        if tail > 0 {
            for byte in 0..<tail { h ^= UInt64(key[blockEnd + byte]) << UInt64(8 * byte) }
            h &*= m
        }
        h ^= h >> r
        h &*= m
        h ^= h >> r
        return h
    }

    /// hllPatLen: the register an element updates (the hash's low HLL_P bits) and the value it
    /// offers (1 + trailing zeros of the remaining bits). The bit forced in at HLL_Q caps the
    /// value at HLL_Q + 1 = 51 even for a hash whose high bits are all zero.
    static func patternLength(_ element: [UInt8]) -> (index: Int, count: UInt8) {
        let hash = murmurHash64A(element, seed: 0xadc8_3b19)
        let index = Int(hash & UInt64(registerCount - 1))
        let rest = (hash >> UInt64(precision)) | (1 << UInt64(hashBitsForCount))
        return (index, UInt8(rest.trailingZeroBitCount + 1))
    }
}

/// One HLL string being edited in place: the 16-byte header ("HYLL", encoding, 3 unused bytes,
/// cached cardinality little-endian whose top bit marks it stale) followed by registers.
private struct HLLString {
    var bytes: [UInt8]
    /// The byte an sds string keeps right after its end: the terminator, except where a cut-short
    /// write left something there (see `setSparse`'s step 3). Redis reads it as the second byte
    /// of an XZERO that is the string's last byte.
    private var pastEnd: UInt8 = 0

    /// createHLLObject: a sparse HLL of XZERO opcodes covering every register (one, with
    /// HLL_P = 14), a zero cached cardinality and the unused bytes zero.
    static func empty() -> HLLString {
        var bytes = Array("HYLL".utf8) + [HyperLogLog.sparseEncoding] + [UInt8](repeating: 0, count: 11)
        var remaining = HyperLogLog.registerCount
        while remaining > 0 {
            let run = min(remaining, HyperLogLog.sparseXZeroMaxRun)
            bytes += SparseOpcode.zeroBytes(run)
            remaining -= run
        }
        return HLLString(bytes: bytes)
    }

    /// isHLLObjectOrReply: only the header and a dense string's length are checked up front;
    /// a sparse body is checked lazily by the code walking it, exactly as far as it walks.
    init(validating value: [UInt8]) throws(HyperLogLog.InvalidHLL) {
        guard value.count >= HyperLogLog.headerSize, value.starts(with: "HYLL".utf8),
              value[4] <= HyperLogLog.sparseEncoding,
              value[4] != HyperLogLog.denseEncoding || value.count == HyperLogLog.denseSize
        else { throw HyperLogLog.InvalidHLL() }
        bytes = value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    var isDense: Bool { bytes[4] == HyperLogLog.denseEncoding }

    /// HLL_INVALIDATE_CACHE: only the flag bit; the stale cached value's other bits stay.
    mutating func invalidateCache() { bytes[15] |= 0x80 }

    /// Redis reads one byte past a string's end in a few places.
    private func byte(at offset: Int) -> UInt8 { offset < bytes.count ? bytes[offset] : pastEnd }

    private func opcode(at offset: Int) -> SparseOpcode { SparseOpcode(bytes[offset], byte(at: offset + 1)) }

    // MARK: Dense registers (HLL_DENSE_GET_REGISTER / HLL_DENSE_SET_REGISTER)

    /// Registers are 6 bits packed from each byte's least significant bit up, so one may straddle
    /// two bytes; the last one's second byte would be the terminator and is never written.
    private func denseRegister(_ index: Int) -> UInt8 {
        let bit = index * 6
        let at = HyperLogLog.headerSize + bit / 8
        let window = UInt16(bytes[at]) | UInt16(byte(at: at + 1)) << 8
        return UInt8((window >> UInt16(bit % 8)) & 0x3f)
    }

    private mutating func setDenseRegister(_ index: Int, _ value: UInt8) {
        let bit = index * 6
        let at = HyperLogLog.headerSize + bit / 8
        let shift = UInt16(bit % 8)
        let mask = UInt16(0x3f) << shift
        let placed = UInt16(value) << shift
        bytes[at] = bytes[at] & ~UInt8(truncatingIfNeeded: mask) | UInt8(truncatingIfNeeded: placed)
        if at + 1 < bytes.count {
            bytes[at + 1] = bytes[at + 1] & ~UInt8(mask >> 8) | UInt8(placed >> 8)
        }
    }

    // MARK: Cached cardinality and register histogram (PFCOUNT)

    /// HLL_VALID_CACHE: the cached value, read little-endian, when the top bit is clear.
    var validCachedCardinality: UInt64? {
        guard bytes[15] & 0x80 == 0 else { return nil }
        return bytes[8..<16].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// pfcountCommand's cache update: all eight bytes little-endian, top bit included.
    mutating func storeCachedCardinality(_ cardinality: UInt64) {
        for byte in 0..<8 { bytes[8 + byte] = UInt8(truncatingIfNeeded: cardinality >> UInt64(8 * byte)) }
    }

    /// hllCount's register histogram: how many registers hold each value 0–63, as C ints.
    func registerHistogram() throws(HyperLogLog.InvalidHLL) -> [Int32] {
        var histogram = [Int32](repeating: 0, count: 64)
        if isDense {
            // hllDenseRegHisto (unrolled 16 registers at a time in C, same registers).
            for index in 0..<HyperLogLog.registerCount { histogram[Int(denseRegister(index))] += 1 }
            return histogram
        }
        // hllSparseRegHisto: every opcode is trusted, and the HLL is invalid unless the runs add
        // up to exactly HLL_REGISTERS. With the CVE-2025-32023 fix (see `forEachSparseValueRun`)
        // the walk also stops, invalid, at the first run reaching past the last register.
        // Unpatched 7.0.15 summed in a C int with no such check, so a body of 2^18 maximal XZEROs
        // (512 KiB) could wrap the sum back round to a "valid" 16,384; the fix, which Debian's
        // build carries, refuses it like any other overlong body. A final XZERO reads its second
        // byte past the end.
        var covered = 0
        var offset = HyperLogLog.headerSize
        while offset < bytes.count {
            let op = opcode(at: offset)
            guard covered + op.run <= HyperLogLog.registerCount else { throw HyperLogLog.InvalidHLL() }
            covered += op.run
            switch op {
            case .zero, .extendedZero: histogram[0] += Int32(op.run)
            case .value(let value, _): histogram[Int(value)] += Int32(op.run)
            }
            offset += op.size
        }
        guard covered == HyperLogLog.registerCount else { throw HyperLogLog.InvalidHLL() }
        return histogram
    }

    // MARK: Updating one register

    /// hllAdd's dispatch, used by PFADD and PFMERGE alike: raise register `index` to `count` if
    /// it is lower; true when something changed.
    mutating func set(register index: Int, to count: UInt8, sparseMaxBytes: Int) throws(HyperLogLog.InvalidHLL) -> Bool {
        if isDense {
            // hllDenseSet
            guard count > denseRegister(index) else { return false }
            setDenseRegister(index, count)
            return true
        }
        return try setSparse(index, count, sparseMaxBytes: sparseMaxBytes)
    }

    /// hllSparseSet.
    private mutating func setSparse(_ index: Int, _ count: UInt8, sparseMaxBytes: Int) throws(HyperLogLog.InvalidHLL) -> Bool {
        // A VAL opcode holds at most 32.
        if count > HyperLogLog.sparseValueMax { return try promote(index, count) }

        // Step 1: find the opcode covering `index`, the index of its first register and the
        // opcode before it (where step 4's merge scan starts).
        let end = bytes.count
        var offset = HyperLogLog.headerSize
        var first = 0
        var span = 0
        var previous: Int?
        while offset < end {
            let op = opcode(at: offset)
            span = op.run
            if index <= first + span - 1 { break }
            previous = offset
            offset += op.size
            first += span
        }
        // An empty body, or opcodes covering fewer registers than `index`: Redis reports a
        // corrupted HLL. Registers past the end are never checked here.
        guard span != 0, offset < end else { throw HyperLogLog.InvalidHLL() }
        let op = opcode(at: offset)

        switch op {
        case .value(let old, let run):
            // Case A: already at least as high; PFADD reports no change.
            if old >= count { return false }
            // Case B: a one-register VAL is rewritten where it stands.
            if run == 1 {
                bytes[offset] = SparseOpcode.valueByte(count, run: 1)
                finishUpdate(mergingFrom: previous)
                return true
            }
        case .zero(let run) where run == 1:
            // Case C: a one-register ZERO becomes a VAL of the same size.
            bytes[offset] = SparseOpcode.valueByte(count, run: 1)
            finishUpdate(mergingFrom: previous)
            return true
        case .zero, .extendedZero:
            break
        }

        // Case D: split the opcode into up to three: what lies before `index`, `index` itself,
        // what lies after. Zero runs take the one-byte ZERO when they fit, else XZERO.
        let last = first + span - 1
        var replacement: [UInt8] = []
        if case .value(let old, _) = op {
            if index != first { replacement.append(SparseOpcode.valueByte(old, run: index - first)) }
            replacement.append(SparseOpcode.valueByte(count, run: 1))
            if index != last { replacement.append(SparseOpcode.valueByte(old, run: last - index)) }
        } else {
            if index != first { replacement += SparseOpcode.zeroBytes(index - first) }
            replacement.append(SparseOpcode.valueByte(count, run: 1))
            if index != last { replacement += SparseOpcode.zeroBytes(last - index) }
        }

        // Step 3: growing past hll-sparse-max-bytes (header included) turns the HLL dense
        // instead; shrinking or keeping the size is always allowed.
        let oldEnd = offset + op.size
        let delta = replacement.count - op.size
        if delta > 0 && bytes.count + delta > sparseMaxBytes { return try promote(index, count) }
        if oldEnd < end {
            bytes.replaceSubrange(offset..<oldEnd, with: replacement)
            pastEnd = 0
        } else {
            // The last opcode. Redis sets the length to old length + delta (writing a terminator
            // there) and only then copies the replacement in. For an XZERO cut short by the end
            // of the string that length is one short of the replacement, so its final byte lands
            // past the end, where the next read of a trailing XZERO finds it.
            let kept = replacement.count - (oldEnd - end)
            bytes.replaceSubrange(offset..., with: replacement[..<kept])
            pastEnd = kept < replacement.count ? replacement[kept] : 0
        }
        finishUpdate(mergingFrom: previous)
        return true
    }

    /// hllSparseSet's `updated` label (step 4): join neighbouring VAL opcodes of equal value while
    /// the run fits in one opcode, then mark the cache stale. Redis looks at only five opcodes
    /// from the one before the change, and a join is one of the five, so the sparse form is not
    /// always the shortest one.
    private mutating func finishUpdate(mergingFrom previous: Int?) {
        var offset = previous ?? HyperLogLog.headerSize
        var budget = 5
        while offset < bytes.count && budget > 0 {
            budget -= 1
            let op = opcode(at: offset)
            guard case .value(let value, let run) = op else {
                offset += op.size
                continue
            }
            if offset + 1 < bytes.count, case .value(let nextValue, let nextRun) = opcode(at: offset + 1),
               nextValue == value, run + nextRun <= HyperLogLog.sparseValueMaxRun {
                bytes[offset + 1] = SparseOpcode.valueByte(value, run: run + nextRun)
                bytes.remove(at: offset)
                pastEnd = 0  // the shortened string gets a fresh terminator
                // Stay put: the joined opcode may join the one after it too.
                continue
            }
            offset += 1
        }
        invalidateCache()
    }

    /// hllSparseSet's promote label: convert, then set the register densely. The cache flag is
    /// left to the command, as Redis does.
    private mutating func promote(_ index: Int, _ count: UInt8) throws(HyperLogLog.InvalidHLL) -> Bool {
        try convertToDense()
        setDenseRegister(index, count)
        return true
    }

    /// hllSparseToDense: the header is copied whole (cached cardinality and unused bytes
    /// included) with the encoding switched.
    mutating func convertToDense() throws(HyperLogLog.InvalidHLL) {
        guard !isDense else { return }
        var dense = HLLString(bytes: Array(bytes[0..<HyperLogLog.headerSize])
                                 + [UInt8](repeating: 0, count: HyperLogLog.denseSize - HyperLogLog.headerSize))
        dense.bytes[4] = HyperLogLog.denseEncoding
        try forEachSparseValueRun { first, run, value in
            for register in first..<first + run { dense.setDenseRegister(register, value) }
        }
        self = dense
    }

    /// hllMerge: raise `maxima` to this HLL's registers.
    func mergeRegisters(into maxima: inout [UInt8]) throws(HyperLogLog.InvalidHLL) {
        if isDense {
            for index in 0..<HyperLogLog.registerCount {
                maxima[index] = max(maxima[index], denseRegister(index))
            }
            return
        }
        try forEachSparseValueRun { first, run, value in
            for register in first..<first + run { maxima[register] = max(maxima[register], value) }
        }
    }

    /// The whole-body walk of hllSparseToDense and hllMerge: the opcodes must cover exactly
    /// HLL_REGISTERS registers, and one reaching past the last register makes the HLL corrupt.
    /// That second rule is the CVE-2025-32023 fix, in Redis's security releases of July 2025 and
    /// backported by distributions into their 7.0.15 (Debian's is what the tests run). Unpatched
    /// 7.0.15 only stopped at an overrunning VAL, so it accepted a body that continued with one
    /// after exactly 16384 registers.
    private func forEachSparseValueRun(_ body: (_ first: Int, _ run: Int, _ value: UInt8) -> Void) throws(HyperLogLog.InvalidHLL) {
        var index = 0
        var offset = HyperLogLog.headerSize
        while offset < bytes.count {
            let op = opcode(at: offset)
            guard index + op.run <= HyperLogLog.registerCount else { throw HyperLogLog.InvalidHLL() }
            if case .value(let value, let run) = op { body(index, run, value) }
            index += op.run
            offset += op.size
        }
        guard index == HyperLogLog.registerCount else { throw HyperLogLog.InvalidHLL() }
    }
}

/// The sparse opcodes: ZERO 00xxxxxx (1–64 zero registers), XZERO 01xxxxxx yyyyyyyy (1–16384
/// zero registers, 14-bit length big-endian), VAL 1vvvvvxx (1–4 registers of value 1–32). Every
/// stored length and value is one less than what it means.
private enum SparseOpcode {
    case zero(run: Int)
    case extendedZero(run: Int)
    case value(UInt8, run: Int)

    /// `second` is only used by XZERO.
    init(_ first: UInt8, _ second: UInt8) {
        switch first & 0xc0 {
        case 0x00: self = .zero(run: Int(first & 0x3f) + 1)
        case 0x40: self = .extendedZero(run: (Int(first & 0x3f) << 8 | Int(second)) + 1)
        default: self = .value((first >> 2 & 0x1f) + 1, run: Int(first & 0x03) + 1)
        }
    }

    var run: Int {
        switch self {
        case .zero(let run), .extendedZero(let run), .value(_, let run): return run
        }
    }

    var size: Int {
        if case .extendedZero = self { return 2 }
        return 1
    }

    /// HLL_SPARSE_VAL_SET.
    static func valueByte(_ value: UInt8, run: Int) -> UInt8 {
        0x80 | (value - 1) << 2 | UInt8(run - 1)
    }

    /// HLL_SPARSE_ZERO_SET or HLL_SPARSE_XZERO_SET, whichever hllSparseSet picks for `run`.
    static func zeroBytes(_ run: Int) -> [UInt8] {
        if run <= HyperLogLog.sparseZeroMaxRun { return [UInt8(run - 1)] }
        return [0x40 | UInt8((run - 1) >> 8), UInt8((run - 1) & 0xff)]
    }
}
