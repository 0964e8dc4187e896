import CXXHash
#if canImport(Glibc)
import Glibc
#endif

/// Redis refuses a file that holds a key twice in one database (rdbLoadRioWithLoadingCtx: "RDB
/// has duplicated key"). Finding one costs 8 bytes per key: a 64-bit fingerprint of (db, key) is
/// kept per key and sorted at the end. Fingerprints that repeat are only candidates (two
/// different keys may share one); a second read of the file compares the candidates' bytes, so a
/// duplicate is reported with both offsets and a shared fingerprint alone reports nothing.
struct KeyFingerprints {
    private var fingerprints: [UInt64] = []

    @inline(__always)
    static func fingerprint(db: Int, key: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits_withSeed(key.baseAddress, key.count, UInt64(truncatingIfNeeded: db))
    }

    mutating func add(db: Int, key: RDBString) {
        fingerprints.append(key.withBytes { KeyFingerprints.fingerprint(db: db, key: $0) })
    }

    /// The fingerprints seen more than once (empties the list).
    mutating func repeated() -> Set<UInt64> {
        fingerprints.sort()
        var repeats: Set<UInt64> = []
        var i = 1
        while i < fingerprints.count {
            if fingerprints[i] == fingerprints[i - 1] { repeats.insert(fingerprints[i]) }
            i += 1
        }
        fingerprints = []
        return repeats
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
