/// An estimate of the memory Redis 7.x reports with `MEMORY USAGE key SAMPLES 0` for a key, from
/// what the dump says of it. It follows object.c objectComputeSize and memoryCommand: the value
/// object, plus the key's sds and its dict entry. Sizes of allocations are jemalloc size classes
/// (`jemallocSize`); fixed struct sizes are those of a 64-bit build:
///
/// | struct | bytes | | struct | bytes |
/// |---|---|---|---|---|
/// | robj | 16 | | dictEntry | 24 |
/// | dict (7.0) | 56 | | dict bucket pointer | 8 |
/// | quicklist | 40 | | | |
/// | zset | 16 | | zskiplist | 32 |
/// | skiplist header node (32 levels) | 536 | | stream (7.0) | 80 |
/// | streamCG | 40 | | streamConsumer (7.0) | 24 |
/// | streamNACK | 24 | | quicklistNode | 40 |
///
/// Per element: an sds of n bytes allocates a 1-, 3-, 5- or 9-byte header (sdshdr5/8/16/32) + n + 1;
/// strings of up to 44 bytes are embstr (robj and sds in one allocation); canonical integers are
/// int-encoded (the robj alone); listpack-encoded values cost their listpack's bytes, computed
/// entry by entry (`ListpackEntrySize`); a skiplist node costs 24 bytes plus 16 per level, and
/// levels follow Redis's p = 1/4 distribution (expected size taken over the jemalloc classes).
public struct MemoryEstimate {
    static let robj = 16, dictEntry = 24, dict = 56, bucket = 8, quicklist = 40, quicklistNode = 40
    static let zset = 16, zskiplist = 32, skiplistHeader = 536
    /// stream, streamCG, streamConsumer and streamNACK of Redis 7.0.
    static let stream = 80, streamGroup = 40, streamConsumer = 24, streamNACK = 24

    /// object.c streamRadixTreeMemoryUsage: 16 bytes per element (a stream ID) and, per rax
    /// node, sizeof(raxNode) plus a fixed 30 longs; a rax keyed by 16-byte IDs has about two
    /// nodes per element (a compressed prefix and a leaf), an empty one its root.
    static func streamRax(_ elements: Int) -> Int {
        let nodes = elements == 0 ? 1 : 2 * elements
        return 16 * elements + (4 + 8 * 30) * nodes
    }

    /// sdsZmallocSize of an sds holding `n` bytes, as sdsnewlen makes it (keys and elements
    /// loaded from an RDB): sdsReqType's header, sdshdr5 (1 byte) below 32 bytes except for the
    /// empty string (sdshdr8), sdshdr8/16/32/64 (3, 5, 9, 17 bytes) from 32, 256, 64 K and 4 G.
    public static func sds(_ n: Int) -> Int {
        let header = n == 0 ? 3 : n < 1 << 5 ? 1 : n < 1 << 8 ? 3 : n < 1 << 16 ? 5 : n < 1 << 32 ? 9 : 17
        return jemallocSize(header + n + 1)
    }

    /// What a string value costs: int-encoded, embstr, or raw.
    public static func string(_ bytes: UnsafeRawBufferPointer) -> Int {
        if bytes.count <= 20, canonicalInt64(bytes) != nil { return robj }
        return string(textOfLength: bytes.count)
    }

    /// A string that is not an integer, from its length alone (embstr up to 44 bytes, else raw).
    public static func string(textOfLength count: Int) -> Int {
        if count <= 44 { return jemallocSize(robj + 3 + count + 1) }
        return robj + sds(count)
    }

    /// Expected zmalloc_size of a skiplist node: 24 bytes plus 16 per level, P(level = k) =
    /// (3/4)(1/4)^(k-1), capped at 32 levels.
    static let expectedSkiplistNode: Double = {
        var total = 0.0
        var p = 0.75
        for level in 1...32 {
            total += p * Double(jemallocSize(24 + 16 * level))
            p *= 0.25
        }
        return total
    }()

    /// dictSlots after loading `n` entries: dictExpand(n) gives the first power of two >= n (min 4).
    static func buckets(_ n: Int) -> Int {
        var size = 4
        while size < n { size *= 2 }
        return size
    }
}

/// What a Redis 8.8 array holds in memory (sparsearray.h/.c, default `array-slice-size` 4096):
/// the redisArray, a directory of slice pointers (blocks of 2048 once indices are huge), and per
/// slice either sorted (offset, value) pairs (up to AR_SPARSE_KMAX_DEFAULT elements) or a dense
/// window of 8-byte words from its lowest to its highest offset; strings of 8 bytes or more live
/// on the heap. Elements arrive in ascending index order, so one slice is open at a time.
struct ArrayMemory {
    static let sliceSize: UInt64 = 4096, sparseMax = 10, superBlockSlots: UInt64 = 2048
    static let redisArray = 96, sliceHeader = 24

    private var sliceID: UInt64?
    private var sliceCount = 0
    private var lowOffset: UInt64 = 0
    private var highOffset: UInt64 = 0
    private var slices = 0
    private var slicesMemory = 0
    private var heapStrings = 0
    private var blocks = 0
    private var lastBlock: UInt64?

    mutating func add(index: UInt64, element: StoredArrayElement) {
        if case .string(let b) = element { heapStrings += jemallocSize(8 + b.count) }
        let slice = index / Self.sliceSize, offset = index % Self.sliceSize
        if slice != sliceID {
            closeSlice()
            sliceID = slice
            lowOffset = offset
            let block = slice / Self.superBlockSlots
            if block != lastBlock {
                blocks += 1
                lastBlock = block
            }
        }
        sliceCount += 1
        highOffset = offset
    }

    private mutating func closeSlice() {
        guard sliceID != nil, sliceCount > 0 else { return }
        slices += 1
        slicesMemory += sliceCount <= Self.sparseMax
            ? jemallocSize(Self.sliceHeader + 10 * sliceCount)
            : jemallocSize(Self.sliceHeader + 8 * Int(highOffset - lowOffset + 1))
        sliceCount = 0
    }

    mutating func total() -> Int {
        closeSlice()
        let highest = sliceID ?? 0
        // A flat directory up to the highest slice while that stays within one block; a superdir of blocks beyond.
        let directory = highest < Self.superBlockSlots
            ? jemallocSize(8 * Int(highest + 1))
            : blocks * (jemallocSize(8 * Int(Self.superBlockSlots)) + 16)
        return jemallocSize(Self.redisArray) + directory + slicesMemory + heapStrings
    }
}
