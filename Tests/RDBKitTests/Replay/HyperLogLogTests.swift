import Foundation
import XCTest
@testable import RDBKit

/// `HyperLogLog.add` / `.merge` / `.count` against a live Redis: the same PFADD / PFMERGE /
/// PFCOUNT commands go to the server and through our code, and after every command the server's
/// `GET` bytes must equal ours exactly (header, cached-cardinality bytes, sparse opcode layout,
/// dense packing), as must the PFADD and PFCOUNT replies and whether the server answered with an
/// error.
final class HyperLogLogTests: XCTestCase {
    private func withServer(_ body: (HLLMirror) throws -> Void) throws {
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        try body(HLLMirror(connection: try RESPConnection(port: server.port)))
    }

    func testEmptyHLLIsOneXZeroWithTheCacheMarkedStale() throws {
        try withServer { mirror in
            try mirror.pfadd("empty", [])
            let header = Array("HYLL".utf8) + [1, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0x80]
            XCTAssertEqual(mirror.model[bytes("empty")], header + [0x7f, 0xff])
        }
    }

    func testPFADDOnAMissingKeyAcrossTheSparseToDenseSwitch() throws {
        try withServer { mirror in
            for count in [0, 1, 10, 100, 1000, 5000, 20000] {
                let key = "fresh:\(count)"
                try mirror.pfadd(key, (0..<count).map { "element:\($0)" })
                let value = try XCTUnwrap(mirror.model[bytes(key)])
                // About 1,900 bytes hold 1,000 elements sparsely; 5,000 need more than 3,000.
                XCTAssertEqual(value[4], count <= 1000 ? 1 : 0, "encoding after \(count) elements")
                XCTAssertLessThanOrEqual(value.count, count <= 1000 ? HyperLogLog.defaultSparseMaxBytes : 16 + 12288)
            }
        }
    }

    func testManySmallPFADDsOnOneKey() throws {
        try withServer { mirror in
            var random = SplitMix64(seed: 11)
            var sawSparse = false, sawDense = false, sawUnchanged = false
            for _ in 0..<3000 {
                let elements = (0..<Int.random(in: 1...3, using: &random)).map { _ in "small:\(Int.random(in: 0..<6000, using: &random))" }
                let changed = try mirror.pfadd("one", elements)
                let value = try XCTUnwrap(mirror.model[bytes("one")])
                if value[4] == 1 { sawSparse = true } else { sawDense = true }
                if !changed { sawUnchanged = true }
            }
            XCTAssertTrue(sawSparse && sawDense && sawUnchanged)
        }
    }

    func testBinaryEmptyAndRepeatedElements() throws {
        try withServer { mirror in
            var random = SplitMix64(seed: 12)
            var elements: [[UInt8]] = [[], [0], Array("\r\n".utf8), Array(0...255), Array("é€😀".utf8)]
            // Every length modulo 8 exercises another tail of MurmurHash64A.
            for length in 1...40 { elements.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }) }
            elements.append((0..<100_000).map { _ in UInt8.random(in: 0...255, using: &random) })
            try mirror.pfadd(bytes("binary"), elements + elements.reversed())
            XCTAssertFalse(try mirror.pfadd(bytes("binary"), elements))
            XCTAssertFalse(try mirror.pfadd(bytes("binary"), [[]]))
            for element in elements { try mirror.pfadd(bytes("one-by-one"), [element]) }
        }
    }

    func testPFADDWithoutElementsAndTheCachedCardinality() throws {
        try withServer { mirror in
            XCTAssertTrue(try mirror.pfadd("k", []))
            XCTAssertFalse(try mirror.pfadd("k", []))
            try mirror.pfadd("k", (0..<50).map { "a\($0)" })
            try mirror.pfcount("k")
            XCTAssertEqual(mirror.model[bytes("k")]?[15], 0, "PFCOUNT stored a valid cache")
            // No register changes: the cached value stays valid.
            XCTAssertFalse(try mirror.pfadd("k", []))
            XCTAssertFalse(try mirror.pfadd("k", ["a7", "a8"]))
            XCTAssertEqual(mirror.model[bytes("k")]?[15], 0)
            // A change only sets the flag bit; the stale count stays in the other bits.
            XCTAssertTrue(try mirror.pfadd("k", ["b"]))
            try mirror.pfadd("dense", (0..<6000).map { "d\($0)" })
            try mirror.pfcount("dense")
            XCTAssertFalse(try mirror.pfadd("dense", []))
            XCTAssertFalse(try mirror.pfadd("dense", ["d1"]))
            try mirror.pfadd("dense", (6000..<6100).map { "d\($0)" })
            XCTAssertEqual(mirror.model[bytes("dense")]?[15], 0x80)
        }
    }

    func testPFMERGE() throws {
        try withServer { mirror in
            try mirror.pfadd("s1", (0..<100).map { "x\($0)" })
            try mirror.pfadd("s2", (50..<200).map { "x\($0)" })
            try mirror.pfadd("d1", (0..<5000).map { "y\($0)" })
            try mirror.pfadd("big1", (0..<1000).map { "p\($0)" })
            try mirror.pfadd("big2", (0..<1000).map { "q\($0)" })

            try mirror.pfmerge("m-sparse", ["s1", "s2"])
            XCTAssertEqual(mirror.model[bytes("m-sparse")]?[4], 1, "all-sparse inputs keep the sparse encoding")
            try mirror.pfmerge("m-dense", ["s1", "d1"])
            XCTAssertEqual(mirror.model[bytes("m-dense")]?[4], 0, "a dense input makes the result dense")
            try mirror.pfmerge("m-big", ["big1", "big2"])
            XCTAssertEqual(mirror.model[bytes("m-big")]?[4], 0, "a sparse union over 3,000 bytes turns dense")
            try mirror.pfmerge("m-missing", ["nothing1", "s1", "nothing2"])
            try mirror.pfmerge("m-only-missing", ["nothing1"])
            try mirror.pfmerge("m-no-sources", [])
            // Destination existing: its own registers take part, its encoding too.
            try mirror.pfmerge("s1", ["s2"])
            try mirror.pfmerge("s2", ["s2", "s2"])
            try mirror.pfmerge("s2", [])
            try mirror.pfmerge("m-dense", ["s1", "nothing"])
            try mirror.pfmerge("s2", ["d1"])
            try mirror.pfadd("s3", (0..<30).map { "z\($0)" })
            try mirror.pfmerge("d1", ["s3"])
            // The stale cached count survives PFMERGE, flagged.
            try mirror.pfcount("s3")
            try mirror.pfmerge("s3", ["s1"])
            try mirror.pfcount("m-dense")
            try mirror.pfmerge("m-dense", ["nothing"])
        }
    }

    func testOtherSparseLimits() throws {
        try withServer { mirror in
            for limit in [0, 17, 200, 20000] {
                try mirror.setSparseMaxBytes(limit)
                let key = "limit:\(limit)"
                for round in 0..<40 { try mirror.pfadd(key, (0..<(round * 5)).map { "l\(round):\($0)" }) }
                try mirror.pfadd("a:\(limit)", (0..<300).map { "a\($0)" })
                try mirror.pfadd("b:\(limit)", (0..<300).map { "b\($0)" })
                try mirror.pfmerge("ab:\(limit)", ["a:\(limit)", "b:\(limit)"])
            }
        }
    }

    /// Any 12,288 bytes after a dense header are registers, including values above 32 that no
    /// sparse opcode holds.
    func testArbitraryDenseRegisters() throws {
        try withServer { mirror in
            var random = SplitMix64(seed: 13)
            let header = Array("HYLL".utf8) + [0, 7, 8, 9] + (0..<8).map { _ in UInt8.random(in: 0...255, using: &random) }
            try mirror.set("raw-dense", header + (0..<12288).map { _ in UInt8.random(in: 0...255, using: &random) })
            try mirror.pfadd("raw-dense", (0..<3000).map { "r\($0)" })
            try mirror.pfadd("small", (0..<20).map { "s\($0)" })
            try mirror.pfmerge("small", ["raw-dense"])
            try mirror.pfmerge("fresh", ["raw-dense", "small"])
        }
    }

    /// Strings Redis refuses outright, and damaged sparse ones it accepts as far as it reads them.
    func testInvalidAndDamagedValues() throws {
        try withServer { mirror in
            let sparseHeader = Array("HYLL".utf8) + [1, 0, 0, 0] + [UInt8](repeating: 0, count: 8)
            let refused: [[UInt8]] = [
                [], Array("HYLL".utf8), Array("HYLX".utf8) + [1] + [UInt8](repeating: 0, count: 11) + [0x7f, 0xff],
                Array("HYLL".utf8) + [2] + [UInt8](repeating: 0, count: 11) + [0x7f, 0xff],
                Array("HYLL".utf8) + [0] + [UInt8](repeating: 0, count: 11 + 12287),
                Array("HYLL".utf8) + [0] + [UInt8](repeating: 0, count: 11 + 12289),
            ]
            for (n, value) in refused.enumerated() {
                try mirror.set("bad\(n)", value)
                XCTAssertThrowsError(try mirror.pfadd(bytes("bad\(n)"), []))
                XCTAssertThrowsError(try mirror.pfmerge(bytes("m"), [bytes("bad\(n)")]))
                XCTAssertThrowsError(try mirror.pfmerge(bytes("bad\(n)"), []))
            }
            // Only 100 registers covered: elements landing below 100 work, others fail.
            let low = try XCTUnwrap((0..<10_000).lazy.map { "low\($0)" }.first { HyperLogLog.patternLength(bytes($0)).index < 100 })
            let high = try XCTUnwrap((0..<10_000).lazy.map { "high\($0)" }.first { HyperLogLog.patternLength(bytes($0)).index >= 100 })
            try mirror.set("short", sparseHeader + [0x40, 99])
            try mirror.pfadd("short", [low])
            XCTAssertThrowsError(try mirror.pfadd(bytes("short"), [bytes(high)]))
            XCTAssertThrowsError(try mirror.pfmerge(bytes("m"), [bytes("short")]))
            // A header with no opcodes accepts PFADD without elements only.
            try mirror.set("bare", sparseHeader)
            XCTAssertFalse(try mirror.pfadd("bare", []))
            XCTAssertThrowsError(try mirror.pfadd(bytes("bare"), [bytes(low)]))
            // A final XZERO missing its second byte reads the string terminator as that byte, and
            // splitting it leaves a byte past the end that the next element reads.
            try mirror.set("truncated", sparseHeader + [0x7f])
            try mirror.pfaddAllowingError("truncated", (0..<30).map { "t\($0)" })
            try mirror.rewrite("truncated")
            try mirror.pfmergeAllowingError("m", ["truncated"])

            // Random opcode soup: whatever Redis makes of it, we make the same, error or bytes.
            var random = SplitMix64(seed: 14)
            for round in 0..<300 {
                let key = "soup\(round)"
                let body = (0..<Int.random(in: 0...12, using: &random)).map { _ -> UInt8 in
                    [0x7f, 0xff, 0x40, 0x3f, 0x80, 0x83, 0xfc, 0xff].randomElement(using: &random) ?? 0
                }
                try mirror.set(key, sparseHeader + body + [0x7f, 0xff].prefix(Int.random(in: 0...2, using: &random)))
                try mirror.setSparseMaxBytes([0, 20, 3000].randomElement(using: &random) ?? 3000)
                for _ in 0..<3 {
                    try mirror.pfaddAllowingError(key, (0..<Int.random(in: 0...40, using: &random)).map { _ in "e\(random.next() % 500)" })
                    try mirror.rewrite(key)  // see rewrite(_:)
                }
                try mirror.pfmergeAllowingError("soup-merge\(round % 3)", [key])
            }
        }
    }

    /// 200 random PFADD / PFMERGE / PFCOUNT / DEL commands over five keys; DEL keeps bringing
    /// back sparse HLLs so that merges see every mix of encodings.
    func testRandomizedSequence() throws {
        try withServer { mirror in
            var random = SplitMix64(seed: 0x48_4c4c)
            let keys = (0..<5).map { "key\($0)" }
            var operations: [String: Int] = [:]
            for _ in 0..<200 {
                let roll = Int.random(in: 0..<100, using: &random)
                let key = keys.randomElement(using: &random) ?? keys[0]
                let encoding = { mirror.model[bytes(key)].map { $0[4] == 1 ? "sparse" : "dense" } ?? "missing" }
                if roll < 50 {
                    let size = [0, 1, 3, 10, 40, 150, 600, 2500].randomElement(using: &random) ?? 1
                    let elements = (0..<size).map { _ in
                        random.next() % 16 == 0 ? (0..<Int(random.next() % 12)).map { _ in UInt8.random(in: 0...255, using: &random) }
                            : bytes("r\(random.next() % 40_000)")
                    }
                    try mirror.pfadd(bytes(key), elements)
                    operations["PFADD → \(encoding())", default: 0] += 1
                } else if roll < 80 {
                    let sources = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                        Int.random(in: 0..<7, using: &random) < 6 ? (keys.randomElement(using: &random) ?? keys[0]) : "missing"
                    }
                    try mirror.pfmerge(key, sources)
                    operations["PFMERGE → \(encoding())", default: 0] += 1
                } else if roll < 88 {
                    if mirror.model[bytes(key)] != nil { try mirror.pfcount(key) }
                    operations["PFCOUNT", default: 0] += 1
                } else {
                    try mirror.delete(key)
                    operations["DEL", default: 0] += 1
                }
                for key in keys { try mirror.assertSame(bytes(key)) }
            }
            print("HLL random sequence: \(operations.sorted { $0.key < $1.key })")
            XCTAssertGreaterThan(operations["PFMERGE → sparse", default: 0], 10)
            XCTAssertGreaterThan(operations["PFMERGE → dense", default: 0], 10)
        }
    }

    // MARK: - PFCOUNT (HyperLogLog.count)

    /// PFCOUNT's reply and the cache bytes it stores, for HLLs of 0 to 1,000,000 elements built
    /// by PFADD batches; with the default sparse limit, with every HLL dense and with big sparse
    /// ones. A second PFCOUNT then answers from the (now valid) cache without touching it.
    func testPFCOUNTAfterPFADDBatches() throws {
        try withServer { mirror in
            let plans: [(limit: Int, totals: [Int])] = [
                (HyperLogLog.defaultSparseMaxBytes, [0, 1, 10, 100, 1000, 3000, 5000, 20000, 100_000, 1_000_000]),
                (0, [1, 10, 100, 1000, 3000]),
                (100_000, [3000, 5000, 10000]),
            ]
            for (limit, totals) in plans {
                try mirror.setSparseMaxBytes(limit)
                for total in totals {
                    let key = "n:\(limit):\(total)"
                    try mirror.pfadd(key, [])
                    var added = 0
                    while added < total {
                        let batch = min(total - added, 25_000)
                        try mirror.pfadd(bytes(key), (added..<added + batch).map { bytes("e\(limit):\($0)") })
                        added += batch
                    }
                    let value = try XCTUnwrap(mirror.model[bytes(key)])
                    if limit == 0 && total > 0 { XCTAssertEqual(value[4], 0, "dense at \(total)") }
                    if limit == 100_000 { XCTAssertEqual(value[4], 1, "sparse at \(total)") }
                    let estimate = try mirror.pfcount(key)
                    XCTAssertEqual(mirror.model[bytes(key)]?[15], 0, "cache valid after PFCOUNT")
                    // HyperLogLog's standard error with 16,384 registers is 0.81%.
                    XCTAssertLessThanOrEqual(abs(Double(estimate - total)), max(1, 0.04 * Double(total)), "estimate of \(total)")
                    XCTAssertEqual(try mirror.pfcount(key), estimate)
                    // Stale again with the old count's bits kept; a recount overwrites them.
                    try mirror.pfadd(key, (0..<Int(min(total + 1, 200))).map { "more\(limit):\($0)" })
                    try mirror.pfcount(key)
                }
            }
        }
    }

    func testPFCOUNTAfterPFMERGE() throws {
        try withServer { mirror in
            for (key, total) in [("a", 10), ("b", 300), ("c", 1000), ("d", 5000), ("e", 50_000)] {
                try mirror.pfadd(key, (0..<total).map { "\(key)\($0)" })
            }
            // A source whose cache is valid: PFMERGE into it flags it stale again.
            try mirror.pfcount("b")
            let merges: [(String, [String])] = [
                ("ab", ["a", "b"]), ("bc", ["b", "c"]), ("abd", ["a", "b", "d"]), ("de", ["d", "e"]),
                ("b", ["a"]), ("a", ["a", "a"]), ("all", ["a", "b", "c", "d", "e", "missing"]),
                ("empty", ["missing"]), ("none", []),
            ]
            for (destination, sources) in merges {
                try mirror.pfmerge(destination, sources)
                try mirror.pfcount(destination)
                try mirror.pfcount(destination)
            }
            // Merging in something new only sets the stale bit, over the old count.
            try mirror.pfmerge("all", ["e"])
            try mirror.pfcount("all")
            try mirror.pfadd("f", (0..<2000).map { "f\($0)" })
            try mirror.pfmerge("all", ["f"])
            try mirror.pfcount("all")
            // Several keys: the union's count, and no key changes (neither does a stale cache).
            try mirror.pfadd("a", ["fresh"])
            try mirror.pfcount("a", "b", "c", "d", "e", "f", "missing")
            try mirror.pfcount("a", "a")
            try mirror.pfcount("missing", "missing2")
            try mirror.pfcount("missing")
            XCTAssertNil(mirror.model[bytes("missing")])
        }
    }

    /// Registers set by hand, including values no element can produce (52–63) and patterns
    /// that drive the estimate off its usual range: all at 49 gives about 6.6e18, all at 50 about
    /// 1.3e19 (past a long long, which llroundl turns into LLONG_MIN), all at 51 or more a zero
    /// denominator (+inf, also LLONG_MIN). Redis stores 0x8000000000000000, which leaves the cache
    /// stale, and replies -9223372036854775808.
    func testPFCOUNTOfHandMadeDenseRegisters() throws {
        try withServer { mirror in
            var random = SplitMix64(seed: 21)
            let staleHeader = { (random: inout SplitMix64) -> [UInt8] in
                Array("HYLL".utf8) + [0, 1, 2, 3] + (0..<7).map { _ in UInt8.random(in: 0...255, using: &random) } + [0x80 | UInt8.random(in: 0...127, using: &random)]
            }
            func packed(_ registers: [UInt8]) -> [UInt8] {
                var body = [UInt8](repeating: 0, count: 12288)
                for (index, value) in registers.enumerated() {
                    let bit = index * 6
                    let word = UInt16(value & 0x3f) << UInt16(bit % 8)
                    body[bit / 8] |= UInt8(truncatingIfNeeded: word)
                    if bit / 8 + 1 < body.count { body[bit / 8 + 1] |= UInt8(word >> 8) }
                }
                return body
            }
            for value in UInt8(0)...63 {
                let key = "same\(value)"
                try mirror.set(key, staleHeader(&random) + packed([UInt8](repeating: value, count: 16384)))
                let reply = try mirror.pfcount(key)
                if value >= 50 { XCTAssertEqual(reply, Int.min, "all registers \(value)") }
                // Still stale (0x8000000000000000 has the top bit set): counted again, same bytes.
                try mirror.pfcount(key)
            }
            // A few registers set in an otherwise empty or otherwise full HLL, and random ones.
            for round in 0..<60 {
                let base: UInt8 = round % 3 == 0 ? 0 : (round % 3 == 1 ? 1 : 51)
                var registers = [UInt8](repeating: base, count: 16384)
                let top = UInt8([3, 10, 20, 32, 40, 51, 63][round % 7])
                let spread = round < 30 ? Int.random(in: 0...40, using: &random) : 16384
                for _ in 0..<spread { registers[Int.random(in: 0..<16384, using: &random)] = UInt8.random(in: 0...top, using: &random) }
                try mirror.set("hand\(round)", staleHeader(&random) + packed(registers))
                try mirror.pfcount("hand\(round)")
            }
            // Random bytes: registers anywhere in 0–63.
            for round in 0..<20 {
                try mirror.set("noise\(round)", staleHeader(&random) + (0..<12288).map { _ in UInt8.random(in: 0...255, using: &random) })
                try mirror.pfcount("noise\(round)")
                try mirror.pfcount("noise\(round)", "same0")
            }
        }
    }

    /// Sparse strings: PFCOUNT's histogram walk trusts every opcode and checks only the total.
    func testPFCOUNTOfDamagedSparseValues() throws {
        try withServer { mirror in
            let header = { (cache: [UInt8]) in Array("HYLL".utf8) + [1, 9, 9, 9] + cache }
            let stale: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 0x88]
            let valid: [UInt8] = [42, 0, 0, 0, 0, 0, 0, 0]
            // A valid cache is answered without reading the body, however broken.
            try mirror.set("cached", header(valid) + [0x80])
            XCTAssertEqual(try mirror.pfcount("cached"), 42)
            try mirror.set("cached-bare", header(valid))
            XCTAssertEqual(try mirror.pfcount("cached-bare"), 42)
            // Stale: too few or too many registers is an error and nothing changes.
            for (n, body) in ([[], [0x40, 99], [0x7f, 0xff, 0x80], [0x7f, 0xff, 0x7f, 0xff], [0x7f]] as [[UInt8]]).enumerated() {
                try mirror.set("broken\(n)", header(stale) + body)
                XCTAssertThrowsError(try mirror.pfcount("broken\(n)"))
            }
            // Non-HLL strings are refused up front.
            for (n, value) in [Array("HYLL".utf8), Array("HYLX".utf8) + [1] + stale + [0, 0, 0, 0x7f, 0xff],
                               Array("HYLL".utf8) + [0] + [UInt8](repeating: 0, count: 11 + 100)].enumerated() {
                try mirror.set("refused\(n)", value)
                XCTAssertThrowsError(try mirror.pfcount("refused\(n)"))
                XCTAssertThrowsError(try mirror.pfcount([bytes("refused\(n)"), bytes("cached")]))
            }
            // Valid bodies Redis would never write: VALs of every value and length, split zero
            // runs, and a last XZERO missing its second byte (the terminator supplies 0: 16,129).
            // 1 + 1 + 4 + 1 + 4 + 200 * 64 registers, then an XZERO of the remaining 3,573.
            try mirror.set("odd", header(stale) + [0x00, 0x80, 0xff, 0xfc, 0x83] + [UInt8](repeating: 0x3f, count: 200) + [0x4d, 0xf4])
            try mirror.pfcount("odd")
            let prefix: [UInt8] = [0x80 | 4 << 2 | 2, 0x3f, 0x3f, 0x3f, 0x3b]  // 3 + 64 * 3 + 60 = 255 registers
            try mirror.set("half-xzero", header(stale) + prefix + [0x7f])
            XCTAssertGreaterThan(try mirror.pfcount("half-xzero"), 0)
            // 2^18 XZEROs of 16,384 registers would wrap unpatched 7.0.15's int sum to zero, and
            // a real body after them would then count as valid; the CVE-2025-32023 fix stops at
            // the first run past the last register, so both are refused.
            try mirror.pfadd("real", (0..<500).map { "w\($0)" })
            let realBody = try XCTUnwrap(mirror.model[bytes("real")])[16...]
            let wrap = [UInt8]((0..<(1 << 18)).lazy.flatMap { _ in [UInt8(0x7f), 0xff] })
            try mirror.set("wrapped", header(stale) + wrap + realBody)
            XCTAssertThrowsError(try mirror.pfcount("wrapped"))
            try mirror.set("wrap-only", header(stale) + wrap)
            XCTAssertThrowsError(try mirror.pfcount("wrap-only"))
            try mirror.pfcount("real")

            // Random opcode soup with a stale cache, sometimes padded to exactly 16,384.
            var random = SplitMix64(seed: 22)
            var counted = 0
            for round in 0..<300 {
                var body = (0..<Int.random(in: 0...20, using: &random)).map { _ -> UInt8 in
                    [0x00, 0x3f, 0x80, 0x83, 0xfc, 0xff, 0x40, 0x7f, 0xff, 0x12].randomElement(using: &random) ?? 0
                }
                if round % 2 == 0 {
                    // Count what Redis would read and pad with XZEROs up to 16,384 when short.
                    var covered = 0, offset = 0
                    while offset < body.count {
                        switch body[offset] & 0xc0 {
                        case 0x00: covered += Int(body[offset] & 0x3f) + 1; offset += 1
                        case 0x40:
                            covered += (Int(body[offset] & 0x3f) << 8 | Int(offset + 1 < body.count ? body[offset + 1] : 0)) + 1
                            offset += 2
                        default: covered += Int(body[offset] & 3) + 1; offset += 1
                        }
                    }
                    if offset > body.count { body.append(0) }  // complete a cut XZERO the way Redis read it
                    var missing = 16384 - covered
                    while missing > 0 {
                        let run = min(missing, 16384)
                        body += [0x40 | UInt8((run - 1) >> 8), UInt8((run - 1) & 0xff)]
                        missing -= run
                    }
                }
                try mirror.set("soup\(round)", header(stale) + body)
                if try mirror.pfcountAllowingError("soup\(round)") { counted += 1 }
            }
            XCTAssertGreaterThan(counted, 50)
            XCTAssertLessThan(counted, 250)
        }
    }

    /// 400 random PFADD / PFMERGE / PFCOUNT (one key and several) / DEL commands over four keys,
    /// with the sparse limit changing now and then; every key's bytes compared after each.
    func testRandomizedSequenceWithPFCOUNT() throws {
        try withServer { mirror in
            var random = SplitMix64(seed: 0x5046_434f)
            let keys = (0..<4).map { "pc\($0)" }
            var operations: [String: Int] = [:]
            for _ in 0..<400 {
                let roll = Int.random(in: 0..<100, using: &random)
                let key = keys.randomElement(using: &random) ?? keys[0]
                if roll < 35 {
                    let size = [0, 1, 5, 30, 200, 1000, 4000].randomElement(using: &random) ?? 1
                    try mirror.pfadd(key, (0..<size).map { _ in "v\(random.next() % 30_000)" })
                    operations["PFADD", default: 0] += 1
                } else if roll < 55 {
                    let sources = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                        Int.random(in: 0..<6, using: &random) < 5 ? (keys.randomElement(using: &random) ?? keys[0]) : "missing"
                    }
                    try mirror.pfmerge(key, sources)
                    operations["PFMERGE", default: 0] += 1
                } else if roll < 80 {
                    let stale = mirror.model[bytes(key)].map { $0[15] & 0x80 != 0 } ?? false
                    try mirror.pfcount(key)
                    operations[stale ? "PFCOUNT stale" : "PFCOUNT cached or missing", default: 0] += 1
                } else if roll < 90 {
                    let several = (0..<Int.random(in: 2...4, using: &random)).map { _ in keys.randomElement(using: &random) ?? keys[0] }
                    try mirror.pfcount(several.map(bytes))
                    operations["PFCOUNT several", default: 0] += 1
                } else if roll < 96 {
                    try mirror.delete(key)
                    operations["DEL", default: 0] += 1
                } else {
                    try mirror.setSparseMaxBytes([0, 300, 3000, 20000].randomElement(using: &random) ?? 3000)
                }
                for key in keys { try mirror.assertSame(bytes(key)) }
            }
            print("HLL PFCOUNT sequence: \(operations.sorted { $0.key < $1.key })")
            XCTAssertGreaterThan(operations["PFCOUNT stale", default: 0], 20)
            XCTAssertGreaterThan(operations["PFCOUNT cached or missing", default: 0], 10)
        }
    }

    /// The estimator's helpers at their fixed points.
    func testEstimatorEdges() {
        XCTAssertEqual(HyperLogLog.sigma(1), .infinity)
        XCTAssertEqual(HyperLogLog.sigma(0), 0)
        XCTAssertEqual(HyperLogLog.tau(0), 0)
        XCTAssertEqual(HyperLogLog.tau(1), 0)
        var empty = [Int32](repeating: 0, count: 64)
        empty[0] = Int32(HyperLogLog.registerCount)
        XCTAssertEqual(HyperLogLog.estimate(histogram: empty), 0)
        var full = [Int32](repeating: 0, count: 64)
        full[51] = Int32(HyperLogLog.registerCount)
        XCTAssertEqual(HyperLogLog.estimate(histogram: full), 1 << 63)
        XCTAssertEqual(try HyperLogLog.count(nil).cardinality, 0)
        XCTAssertNil(try HyperLogLog.count(nil).value)
        XCTAssertThrowsError(try HyperLogLog.count([]))
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A server and our model of its keys, moved in lock step.
private final class HLLMirror {
    let connection: RESPConnection
    var model: [[UInt8]: [UInt8]] = [:]
    private var sparseMaxBytes = HyperLogLog.defaultSparseMaxBytes

    init(connection: RESPConnection) { self.connection = connection }

    struct ServerRefused: Error { let message: String }

    /// PFADD on both; throws `ServerRefused` when the server replied with an error (after
    /// checking we threw too).
    @discardableResult
    func pfadd(_ key: [UInt8], _ elements: [[UInt8]], file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        let reply = try connection.call([bytes("PFADD"), key] + elements)
        let ours = Result { () throws(HyperLogLog.InvalidHLL) in
            try HyperLogLog.add(to: model[key], elements: elements, sparseMaxBytes: sparseMaxBytes)
        }
        switch (reply, ours) {
        case (.integer(let n), .success(let result)):
            XCTAssertEqual(result.changed, n == 1, "PFADD reply", file: file, line: line)
            model[key] = result.value
            try assertSame(key, file: file, line: line)
            return n == 1
        case (.error(let message), .failure):
            throw ServerRefused(message: message)
        default:
            XCTFail("PFADD: server \(reply), ours \(ours.map { "\($0.value.count) bytes" })", file: file, line: line)
            throw ServerRefused(message: "disagreement")
        }
    }

    @discardableResult
    func pfadd(_ key: String, _ elements: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        try pfadd(bytes(key), elements.map(bytes), file: file, line: line)
    }

    func pfaddAllowingError(_ key: String, _ elements: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        do { try pfadd(bytes(key), elements.map(bytes), file: file, line: line) } catch is ServerRefused {
            // Redis changed its copy for the elements before the failing one; start over from it.
            try adoptServerValue(bytes(key))
        }
    }

    func pfmerge(_ destination: [UInt8], _ sources: [[UInt8]], file: StaticString = #filePath, line: UInt = #line) throws {
        let reply = try connection.call([bytes("PFMERGE"), destination] + sources)
        let ours = Result { () throws(HyperLogLog.InvalidHLL) in
            try HyperLogLog.merge(destination: model[destination], sources: sources.map { model[$0] }, sparseMaxBytes: sparseMaxBytes)
        }
        switch (reply, ours) {
        case (.status("OK"), .success(let value)):
            model[destination] = value
            try assertSame(destination, file: file, line: line)
        case (.error(let message), .failure):
            try assertSame(destination, file: file, line: line)
            throw ServerRefused(message: message)
        default:
            XCTFail("PFMERGE: server \(reply), ours \(ours.map { "\($0.count) bytes" })", file: file, line: line)
            throw ServerRefused(message: "disagreement")
        }
    }

    func pfmerge(_ destination: String, _ sources: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        try pfmerge(bytes(destination), sources.map(bytes), file: file, line: line)
    }

    func pfmergeAllowingError(_ destination: String, _ sources: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        do { try pfmerge(bytes(destination), sources.map(bytes), file: file, line: line) } catch is ServerRefused {}
    }

    /// PFCOUNT on both. One key: the reply must equal `HyperLogLog.count`'s and the key's bytes
    /// ours afterwards (a stale cache refreshed, a valid one untouched). Several keys: nothing
    /// may change, and the reply must be the count of the union, which PFMERGE into a fresh key
    /// followed by PFCOUNT computes from the same register maxima. Returns the reply; throws
    /// `ServerRefused` on an error reply (after checking we refused too).
    @discardableResult
    func pfcount(_ keys: [[UInt8]], file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let reply = try connection.call([bytes("PFCOUNT")] + keys)
        let ours = Result { () throws(HyperLogLog.InvalidHLL) -> (cardinality: UInt64, value: [UInt8]?) in
            if keys.count == 1 { return try HyperLogLog.count(model[keys[0]]) }
            let union = try HyperLogLog.merge(destination: nil, sources: keys.map { model[$0] })
            return (try HyperLogLog.count(union).cardinality, nil)
        }
        if keys.count == 1, case .success(let result) = ours { model[keys[0]] = result.value }
        for key in keys { try assertSame(key, file: file, line: line) }
        switch (reply, ours) {
        case (.integer(let n), .success(let result)):
            // addReplyLongLong: the stored uint64_t read as a long long.
            XCTAssertEqual(Int64(n), Int64(bitPattern: result.cardinality), "PFCOUNT reply", file: file, line: line)
            return n
        case (.error(let message), .failure):
            throw ServerRefused(message: message)
        default:
            XCTFail("PFCOUNT: server \(reply), ours \(ours.map { $0.cardinality })", file: file, line: line)
            throw ServerRefused(message: "disagreement")
        }
    }

    @discardableResult
    func pfcount(_ keys: String..., file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        try pfcount(keys.map(bytes), file: file, line: line)
    }

    /// PFCOUNT one key, an error reply included; true when it succeeded.
    @discardableResult
    func pfcountAllowingError(_ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        do { try pfcount([bytes(key)], file: file, line: line) } catch is ServerRefused { return false }
        return true
    }

    func set(_ key: String, _ value: [UInt8]) throws {
        _ = try connection.call([bytes("SET"), bytes(key), value])
        model[bytes(key)] = value
    }

    /// SETs a key to the value it has: in a damaged HLL ending in half an XZERO, the server can
    /// hold a byte past the string's end from the last edit that our `[UInt8]` does not carry
    /// (see `HyperLogLog.add`); a fresh copy starts over with a plain terminator.
    func rewrite(_ key: String) throws {
        if let value = model[bytes(key)] { try set(key, value) }
    }

    func delete(_ key: String) throws {
        _ = try connection.call([bytes("DEL"), bytes(key)])
        model[bytes(key)] = nil
    }

    func setSparseMaxBytes(_ limit: Int) throws {
        guard case .status("OK") = try connection.call([bytes("CONFIG"), bytes("SET"), bytes("hll-sparse-max-bytes"), bytes("\(limit)")]) else {
            throw ServerRefused(message: "CONFIG SET hll-sparse-max-bytes \(limit)")
        }
        sparseMaxBytes = limit
    }

    private func serverValue(_ key: [UInt8]) throws -> [UInt8]? {
        guard case .bulk(let value) = try connection.call([bytes("GET"), key]) else { throw ServerRefused(message: "GET") }
        return value
    }

    private func adoptServerValue(_ key: [UInt8]) throws { model[key] = try serverValue(key) }

    func assertSame(_ key: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        let theirs = try serverValue(key)
        let ours = model[key]
        guard theirs != ours else { return }
        let name = String(decoding: key, as: UTF8.self)
        guard let theirs, let ours else {
            return XCTFail("\(name): server \(theirs?.count ?? -1) bytes, ours \(ours?.count ?? -1)", file: file, line: line)
        }
        let at = zip(theirs, ours).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(theirs.count, ours.count)
        let window = { (v: [UInt8]) in v[max(0, at - 4)..<min(v.count, at + 8)].map { String(format: "%02x", $0) }.joined(separator: " ") }
        XCTFail("\(name): server \(theirs.count) bytes (encoding \(theirs.count > 4 ? theirs[4] : 9)), ours \(ours.count) (encoding \(ours.count > 4 ? ours[4] : 9)); first difference at \(at): server [\(window(theirs))] ours [\(window(ours))]",
                file: file, line: line)
    }
}

/// A blocking RESP2 connection. redis-cli's output is text; this carries arguments and bulk
/// replies byte for byte and tells error replies apart.
private final class RESPConnection {
    enum Reply: Equatable {
        case status(String), error(String), integer(Int), bulk([UInt8]?), array([Reply]?)
    }

    struct ConnectionError: Error { let what: String }

    private let socketFD: Int32
    private var buffer: [UInt8] = []
    private var position = 0

    init(port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectionError(what: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ConnectionError(what: "connect to port \(port)")
        }
        // A stuck server fails the test instead of hanging it.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        socketFD = fd
    }

    deinit { close(socketFD) }

    func call(_ arguments: [[UInt8]]) throws -> Reply {
        var request = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments { request += Array("$\(argument.count)\r\n".utf8) + argument + [13, 10] }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ConnectionError(what: "send") }
            sent += n
        }
        return try readReply()
    }

    private func readReply() throws -> Reply {
        let line = try readLine()
        guard let kind = line.first else { throw ConnectionError(what: "empty reply line") }
        let text = String(decoding: line.dropFirst(), as: UTF8.self)
        switch kind {
        case UInt8(ascii: "+"): return .status(text)
        case UInt8(ascii: "-"): return .error(text)
        case UInt8(ascii: ":"):
            guard let n = Int(text) else { throw ConnectionError(what: "integer \(text)") }
            return .integer(n)
        case UInt8(ascii: "$"):
            guard let n = Int(text) else { throw ConnectionError(what: "bulk length \(text)") }
            if n < 0 { return .bulk(nil) }
            let payload = try readExactly(n + 2)
            return .bulk(Array(payload.prefix(n)))
        case UInt8(ascii: "*"):
            guard let n = Int(text) else { throw ConnectionError(what: "array length \(text)") }
            if n < 0 { return .array(nil) }
            return .array(try (0..<n).map { _ in try readReply() })
        default:
            throw ConnectionError(what: "reply type \(kind)")
        }
    }

    private func readLine() throws -> ArraySlice<UInt8> {
        // Bytes after `position` already searched; an offset, because fill() moves the buffer.
        var searched = 0
        while true {
            if let cr = buffer[(position + searched)...].firstIndex(of: 13), cr + 1 < buffer.count {
                let line = buffer[position..<cr]
                position = cr + 2
                return line
            }
            searched = max(0, buffer.count - position - 1)
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws -> ArraySlice<UInt8> {
        while buffer.count - position < count { try fill() }
        defer { position += count }
        return buffer[position..<position + count]
    }

    private func fill() throws {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let n = chunk.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw ConnectionError(what: "connection closed or timed out") }
        buffer += chunk[..<n]
    }
}
