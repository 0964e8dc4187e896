/// The verdict on one file: parsed to the end and checksum checked, or where it broke.
public struct ValidationReport: Sendable {
    public var path: String
    public var header: RDBHeader?
    public var keys = 0
    public var keysByType: [RedisType: Int] = [:]
    public var databases: Set<Int> = []
    public var writtenBy: String?
    public var checksum: ChecksumState?
    public var trailingBytes: (offset: Int64, count: Int64)?
    public var bytesRead: Int64 = 0
    public var error: RDBError?
    /// Key fingerprints that repeat within a database in an input that could not be read again
    /// to compare the keys (`DuplicateKeyFinder`).
    public var repeatedFingerprints = 0

    public var isValid: Bool { error == nil }

    /// Non-fatal findings, e.g. bytes after the checksum (Redis ignores them).
    public var warnings: [String] {
        var found: [String] = []
        if let trailingBytes {
            found.append("\(trailingBytes.count) bytes after the checksum at offset \(trailingBytes.offset) (ignored, as Redis does)")
        }
        if repeatedFingerprints > 0 {
            found.append("\(repeatedFingerprints) key fingerprint\(repeatedFingerprints == 1 ? "" : "s") repeat within a database: the input may hold a key twice, which Redis refuses to load; validate the file itself (a stream cannot be read twice) to compare the keys")
        }
        return found
    }
}

/// Reads a whole file without producing output: every structure decoded and checked.
public final class Validator: RDBVisitor {
    private(set) var report: ValidationReport
    /// Key metadata classes the loading server registers (its modules'): others must allow
    /// being ignored.
    private let registeredMetadataClasses: Set<String>

    /// Key fingerprints, kept to find a key held twice (`DuplicateKeyFinder`), when asked for.
    private let fingerprints: KeyFingerprints?

    init(path: String, registeredMetadataClasses: Set<String> = [], findsDuplicates: Bool = false) {
        report = ValidationReport(path: path)
        self.registeredMetadataClasses = registeredMetadataClasses
        fingerprints = findsDuplicates ? KeyFingerprints() : nil
    }

    public var wantsStringValues: Bool { false }

    public func header(_ header: RDBHeader) throws(RDBError) { report.header = header }

    public func aux(name: RDBString, value: RDBString) throws(RDBError) {
        let n = name.array
        if n == Array("redis-ver".utf8) { report.writtenBy = "Redis " + String(decoding: value.array, as: UTF8.self) }
        if n == Array("valkey-ver".utf8) { report.writtenBy = "Valkey " + String(decoding: value.array, as: UTF8.self) }
    }

    /// What every key updates. Behind a pointer, as `ScratchBuffer`'s state: stored `var`s of a class
    /// are checked for exclusive access at run time on each use, which was a fifth of the
    /// instructions of validating a dump of tiny keys. Types are counted in a plain array: hashing
    /// on every key would be a visible share too.
    private struct Tally {
        var keys = 0
        var typeCounts = [Int](repeating: 0, count: RedisType.allCases.count)
        var lastDB = -1
    }

    private let tally: UnsafeMutablePointer<Tally> = {
        let p = UnsafeMutablePointer<Tally>.allocate(capacity: 1)
        p.initialize(to: Tally())
        return p
    }()

    deinit {
        tally.deinitialize(count: 1)
        tally.deallocate()
    }

    /// Keys read so far (the report has them once the read is finished).
    var keys: Int { tally.pointee.keys }

    public func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        tally.pointee.keys += 1
        tally.pointee.typeCounts[info.type.ordinal] += 1
        try fingerprints?.add(db: info.db, key: key)
        if info.db != tally.pointee.lastDB {
            report.databases.insert(info.db)
            tally.pointee.lastDB = info.db
        }
        if !info.metadata.isEmpty { try checkMetadata(info, key: key) }
        return .read
    }

    private func checkMetadata(_ info: KeyInfo, key: RDBString) throws(RDBError) {
        for meta in info.metadata where !meta.allowsIgnore && !registeredMetadataClasses.contains(meta.className) {
            throw RDBError(.unreadable("key metadata of class \(meta.className) (version \(meta.version)) does not allow being ignored: Redis refuses to load the file unless a module registers that class (declare it with --metadata-class)"),
                           offset: info.metadataOffset ?? info.offset, key: key.array)
        }
    }

    public func end(_ trailer: RDBTrailer) throws(RDBError) {
        report.checksum = trailer.checksum
        report.trailingBytes = trailer.trailingBytes
    }

    private func finish() {
        report.keys = tally.pointee.keys
        for type in RedisType.allCases where tally.pointee.typeCounts[type.ordinal] > 0 {
            report.keysByType[type] = tally.pointee.typeCounts[type.ordinal]
        }
    }

    /// Validates the file at `path` (`-` for standard input, gzip unwrapped). With a `filter`, the
    /// keys it rejects are checked for framing only (skipped by their lengths) and not counted.
    /// Key metadata classes not in `registeredMetadataClasses` must allow being ignored.
    public static func validate(path: String, filter: KeyFilter? = nil, options: ReaderOptions = ReaderOptions(),
                                registeredMetadataClasses: Set<String> = []) -> ValidationReport {
        let validator = Validator(path: path, registeredMetadataClasses: registeredMetadataClasses, findsDuplicates: true)
        do {
            let (input, progress) = try RDBReader.window(path: path, options: options)
            defer { progress?.finish() }
            do {
                try RDBReader.run(input: input, visitor: validator, filter: filter, options: options)
            } catch {
                validator.report.error = error
            }
            validator.report.bytesRead = input.offset
        } catch {
            validator.report.error = error
        }
        if validator.report.error == nil { validator.report.error = validator.duplicateKey(path: path, filter: filter, options: options) }
        validator.finish()
        return validator.report
    }

    /// A key the file holds twice in one database, found by a second read when fingerprints repeat
    /// (standard input or a pipe cannot be read again: then that they repeat is a warning).
    private func duplicateKey(path: String, filter: KeyFilter?, options: ReaderOptions) -> RDBError? {
        let candidates: Set<UInt64>
        do {
            guard let fingerprints else { return nil }
            candidates = try fingerprints.repeated()
        } catch {
            return error
        }
        guard !candidates.isEmpty else { return nil }
        guard isRegularFile(path) else {
            report.repeatedFingerprints = candidates.count
            return nil
        }
        let finder = DuplicateKeyFinder(candidates: candidates)
        var quiet = options
        quiet.showProgress = false
        do {
            try RDBReader.read(path: path, visitor: finder, filter: filter, options: quiet)
        } catch {
            return error
        }
        return finder.error
    }

    /// Validates bytes as they arrive (a replica's snapshot), named `path` in the report.
    public static func validate(source: ByteSource, path: String, options: ReaderOptions = ReaderOptions()) -> ValidationReport {
        let validator = Validator(path: path)
        let input = InputWindow(source: source)
        do {
            try RDBParser(input: input, visitor: validator, options: options).run()
        } catch {
            validator.report.error = error
        }
        validator.report.bytesRead = input.offset
        validator.finish()
        return validator.report
    }
}
