import CXXHash
#if canImport(Glibc)
import Glibc
#endif

/// Redis refuses a file that holds a key twice in one database (rdbLoadRioWithLoadingCtx: "RDB
/// has duplicated key"). Finding one costs 8 bytes per key: a 64-bit fingerprint of (db, key) is
/// kept per key and the fingerprints are sorted at the end. Fingerprints that repeat are only
/// candidates (two different keys may share one); a second read of the file compares the
/// candidates' bytes, so a duplicate is reported with both offsets and a shared fingerprint alone
/// reports nothing.
///
/// The fingerprints do not stay in memory (1.8M keys would be 14 MiB, a dump of 100M keys 800 MiB):
/// they go to 256 partitions by their top byte, each a 4 KiB buffer that is appended to a
/// temporary file when full, so memory is 1 MiB however many keys there are. At the end each
/// partition (1/256 of the keys) is read back, sorted and scanned on its own.
final class KeyFingerprints {
    static let partitionCount = 256
    /// Fingerprints a partition buffers before it is spilled (4 KiB).
    static let chunkEntries = 512
    private static let chunkBytes = chunkEntries * MemoryLayout<UInt64>.stride

    /// partitionCount buffers of chunkEntries, then each partition's fill.
    private let buffers = UnsafeMutablePointer<UInt64>.allocate(capacity: partitionCount * chunkEntries)
    private let fill = UnsafeMutablePointer<Int>.allocate(capacity: partitionCount)
    /// Per partition, the indices of its chunks in the spill file, in the order written.
    private var spilledChunks = [[Int32]](repeating: [], count: partitionCount)
    private var chunksSpilled: Int32 = 0
    private let spill = SpillFile(purpose: "key fingerprints")

    init() {
        fill.initialize(repeating: 0, count: KeyFingerprints.partitionCount)
    }

    deinit {
        buffers.deallocate()
        fill.deallocate()
    }

    /// The key's XXH3 plus the database times an odd constant. Not the database as XXH3's seed:
    /// for short keys the seed only shifts the input, so "lb:11122" in db 0 and "lb:33122" in db 2
    /// shared a fingerprint (115 such pairs in 80,000 keys), and each sent validate through a
    /// second read of the whole file. Within a database two keys now share one only when their
    /// XXH3s do; across databases, when the hashes differ by exactly a multiple of the constant.
    @inline(__always)
    static func fingerprint(db: Int, key: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(key.baseAddress, key.count) &+ UInt64(truncatingIfNeeded: db) &* 0x9E37_79B9_7F4A_7C15
    }

    @inline(__always)
    func add(db: Int, key: RDBString) throws(RDBError) {
        let fingerprint = key.withBytes { KeyFingerprints.fingerprint(db: db, key: $0) }
        let partition = Int(fingerprint >> 56)
        let n = fill[partition]
        buffers[partition * KeyFingerprints.chunkEntries + n] = fingerprint
        fill[partition] = n + 1
        if n + 1 == KeyFingerprints.chunkEntries { try spill(partition) }
    }

    private func spill(_ partition: Int) throws(RDBError) {
        let chunk = UnsafeRawBufferPointer(start: buffers + partition * KeyFingerprints.chunkEntries,
                                           count: KeyFingerprints.chunkBytes)
        try spill.append(chunk)
        spilledChunks[partition].append(chunksSpilled)
        chunksSpilled += 1
        fill[partition] = 0
    }

    /// The fingerprints seen more than once (forgets them all).
    func repeated() throws(RDBError) -> Set<UInt64> {
        var repeats: Set<UInt64> = []
        var partition: [UInt64] = []
        for p in 0..<KeyFingerprints.partitionCount {
            let chunks = spilledChunks[p]
            partition.removeAll(keepingCapacity: true)
            partition.reserveCapacity(chunks.count * KeyFingerprints.chunkEntries + fill[p])
            for chunk in chunks {
                try partition.appendChunk(from: spill, at: Int64(chunk) * Int64(KeyFingerprints.chunkBytes),
                                          count: KeyFingerprints.chunkEntries)
            }
            partition.append(contentsOf: UnsafeBufferPointer(start: buffers + p * KeyFingerprints.chunkEntries, count: fill[p]))
            partition.sort()
            var i = 1
            while i < partition.count {
                if partition[i] == partition[i - 1] { repeats.insert(partition[i]) }
                i += 1
            }
            spilledChunks[p] = []
            fill[p] = 0
        }
        spill.discard()
        chunksSpilled = 0
        return repeats
    }
}

private extension Array where Element == UInt64 {
    /// Appends `count` fingerprints read from `file` at byte `offset`.
    mutating func appendChunk(from file: SpillFile, at offset: Int64, count: Int) throws(RDBError) {
        let start = self.count
        append(contentsOf: repeatElement(0, count: count))
        let stride = MemoryLayout<UInt64>.stride
        let result: Result<Void, RDBError> = withUnsafeMutableBytes { raw in
            Result { () throws(RDBError) in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[(start * stride)...]), at: offset)
            }
        }
        try result.get()
    }
}

/// The second read: the keys whose fingerprint is a candidate, compared byte for byte.
final class DuplicateKeyFinder: RDBVisitor {
    private let candidates: Set<UInt64>
    /// Per candidate fingerprint, the (db, key, offset) of each key that has it, in file order.
    private var seen: [UInt64: [(db: Int, key: Bytes, offset: Int64)]] = [:]
    /// The first key found twice: its second copy, and where the first one is.
    private(set) var duplicate: (db: Int, key: Bytes, offset: Int64, firstOffset: Int64)?

    init(candidates: Set<UInt64>) {
        self.candidates = candidates
    }

    public var wantsStringValues: Bool { false }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        guard duplicate == nil else { return .skip }
        let fingerprint = key.withBytes { KeyFingerprints.fingerprint(db: info.db, key: $0) }
        guard candidates.contains(fingerprint) else { return .skip }
        let bytes = key.array
        if let first = seen[fingerprint]?.first(where: { $0.db == info.db && $0.key == bytes }) {
            duplicate = (info.db, bytes, info.offset, first.offset)
        } else {
            seen[fingerprint, default: []].append((info.db, bytes, info.offset))
        }
        return .skip
    }

    /// The error Redis's refusal amounts to, at the second copy.
    var error: RDBError? {
        guard let duplicate else { return nil }
        return RDBError(.corrupt("duplicate key in db \(duplicate.db), first at offset \(duplicate.firstOffset): Redis refuses to load the file (\"RDB has duplicated key\")"),
                        offset: duplicate.offset, key: duplicate.key)
    }
}

/// Whether `path` names a regular file (which can be read a second time).
func isRegularFile(_ path: String) -> Bool {
    var st = stat()
    return path != "-" && stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}
