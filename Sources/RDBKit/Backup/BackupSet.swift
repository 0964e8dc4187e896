#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One restore chain of a followed backup: a Redis 7 multi-part AOF directory,
/// `DIR/set-<UTC time>/` holding `backup.aof.1.base.rdb` (the snapshot), `backup.aof.N.incr.aof`
/// (the replication stream, `#TS:` annotated every second) and `backup.aof.manifest`.
///
/// The set appears under its name only once its base validated and its manifest exists; later
/// manifests replace the old one by rename, and name an incremental file only after it exists.
/// Any moment's leftovers therefore load: the manifest's files are whole up to their last write.
public final class BackupSet {
    public static let prefix = "backup.aof"
    public static let directoryPrefix = "set-"
    public let path: String
    private var manifest = AOFManifest()
    private var file: AppendFile
    private var encoder: RESPEncoder
    private var annotatedSecond: Int64 = -1
    /// When the current incremental file was started (monotonic seconds).
    public private(set) var fileStartedAt = SystemClock.monotonicSeconds()
    public private(set) var commands = 0
    /// The database the stream has selected last: a new incremental file starts with it.
    var database = 0

    public var currentFileName: String { manifest.incrementals.last?.name ?? "" }
    public var currentFileSize: Int64 { file.size }

    /// Makes `directory/set-<time>/` around the snapshot `receiveBase` writes to the path given.
    public static func create(in directory: String, takenAt: Int64,
                              receiveBase: (String) throws(RDBError) -> SnapshotOutcome) throws(RDBError) -> (BackupSet, SnapshotOutcome) {
        try BackupDirectory.prepare(directory)
        let name = BackupDirectory.uniqueName(in: directory, stem: directoryPrefix + utcStamp(takenAt), suffix: "")
        let output = try Outputs(inputs: []).directory(directory + "/" + name)
        let baseName = "\(prefix).1.base.rdb"
        let outcome: SnapshotOutcome
        do throws(RDBError) {
            outcome = try receiveBase(output.temporaryPath + "/" + baseName)
            var manifest = AOFManifest()
            manifest.base = .init(name: baseName, sequence: 1, type: .base, extra: [:])
            manifest.incrementals = [.init(name: "\(prefix).1.incr.aof", sequence: 1, type: .incremental, extra: [:])]
            _ = try AppendFile(creating: output.temporaryPath + "/" + manifest.incrementals[0].name)
            try write(manifest, to: output.temporaryPath)
            try output.commit()
            let set = try BackupSet(path: output.destination, manifest: manifest)
            return (set, outcome)
        } catch {
            output.abandon()
            throw error
        }
    }

    private init(path: String, manifest: AOFManifest) throws(RDBError) {
        self.path = path
        self.manifest = manifest
        file = try AppendFile(appendingTo: path + "/" + manifest.incrementals.last!.name)
        encoder = RESPEncoder(output: file)
    }

    /// The newest set of `directory` that saved where its stream stood, with that state: what a
    /// restarted `backup --follow` asks the master to continue. Nil when there is none, or its
    /// current file is shorter than the state says (written but lost, e.g. by a power cut: the
    /// set cannot go on exactly).
    static func continuable(in directory: String) -> (path: String, state: ReplicationState)? {
        let sets = (directoryEntries(directory) ?? []).filter { $0.hasPrefix(directoryPrefix) && !$0.contains(".tmp-") }.sorted()
        guard let newest = sets.last.map({ directory + "/" + $0 }), let state = ReplicationState.read(set: newest),
              let manifest = try? AOFFiles.open(newest).manifest, manifest.incrementals.last?.name == state.file else { return nil }
        var info = stat()
        guard stat(newest + "/" + state.file, &info) == 0, Int64(info.st_size) >= state.size else { return nil }
        return (newest, state)
    }

    /// Opens a set `continuable` found, its current file cut back to the state's length: the
    /// master sends what followed again.
    static func continuing(_ path: String, at state: ReplicationState) throws(RDBError) -> BackupSet {
        guard let manifest = try AOFFiles.open(path).manifest else {
            throw RDBError(.io("\(path) has no manifest"))
        }
        let current = path + "/" + state.file
        guard truncate(current, off_t(state.size)) == 0 else {
            throw RDBError(.io("cannot cut \(current) back to \(state.size) bytes: \(errnoText())"), offset: state.size)
        }
        let set = try BackupSet(path: path, manifest: manifest)
        set.database = state.database
        return set
    }

    /// The replication state to save now (after a flush: `currentFileSize` is what is on disk).
    func state(replicationID: String, offset: Int64) -> ReplicationState {
        ReplicationState(replicationID: replicationID, offset: offset, file: currentFileName, size: currentFileSize, database: database)
    }

    /// What a compaction folds: the base and every incremental file before the current one.
    /// Nil when there is no closed incremental file yet.
    var foldable: (base: AOFManifest.Entry, incrementals: [AOFManifest.Entry])? {
        guard let base = manifest.base, manifest.incrementals.count > 1 else { return nil }
        return (base, Array(manifest.incrementals.dropLast()))
    }

    /// The name of the base a compaction writes next (`backup.aof.<base seq + 1>.base.rdb`).
    var nextBase: AOFManifest.Entry {
        let sequence = (manifest.base?.sequence ?? 0) + 1
        return AOFManifest.Entry(name: "\(BackupSet.prefix).\(sequence).base.rdb", sequence: sequence, type: .base, extra: [:])
    }

    /// Makes `base` (written beside the others and validated) the set's base in place of the old
    /// base and the incremental files it folds: one manifest rename swaps them, then the folded
    /// files are removed (a crash between leaves files no manifest names, which nothing reads).
    func replaceBase(with base: AOFManifest.Entry, folding folded: [AOFManifest.Entry]) throws(RDBError) {
        var next = manifest
        let old = [next.base].compactMap { $0 } + folded
        next.base = base
        next.incrementals.removeAll { entry in folded.contains(entry) }
        try BackupSet.write(next, to: path)
        manifest = next
        for entry in old { unlink(path + "/" + entry.name) }
    }

    /// Appends one command of the stream, after a `#TS:` line when the second changed.
    public func append(_ arguments: [Bytes], at second: Int64) throws(RDBError) {
        annotate(second)
        encoder.begin(count: arguments.count)
        for argument in arguments { argument.withUnsafeBytes { encoder.argument($0) } }
        try encoder.end()
        commands += 1
    }

    /// A `#TS:` line unless this second has one: `merge --until` then finds every second.
    public func annotate(_ second: Int64) {
        guard second != annotatedSecond else { return }
        encoder.annotation("TS:\(second)")
        annotatedSecond = second
    }

    /// Writes whole buffered commands to the file.
    public func flush() throws(RDBError) {
        try encoder.flush()
    }

    /// Starts the next incremental file; the manifest names it only once it exists.
    public func rotate() throws(RDBError) {
        try encoder.flush()
        let sequence = (manifest.incrementals.last?.sequence ?? 0) + 1
        let entry = AOFManifest.Entry(name: "\(BackupSet.prefix).\(sequence).incr.aof", sequence: sequence, type: .incremental, extra: [:])
        let next = try AppendFile(creating: path + "/" + entry.name)
        manifest.incrementals.append(entry)
        try BackupSet.write(manifest, to: path)
        try file.commit()
        file = next
        encoder = RESPEncoder(output: next)
        fileStartedAt = SystemClock.monotonicSeconds()
        annotatedSecond = -1
        // Redis loads each file from database 0 on: say where the stream is (written at once,
        // so that the saved replication state counts it).
        if database != 0 {
            encoder.begin(count: 2)
            encoder.argument("SELECT")
            encoder.argument(String(database))
            try encoder.end()
            try encoder.flush()
        }
    }

    /// Flushes and closes the current file whole (fsync).
    public func close() throws(RDBError) {
        try encoder.finish()
    }

    private static func write(_ manifest: AOFManifest, to directory: String) throws(RDBError) {
        let file = try Outputs(inputs: []).file(directory + "/" + prefix + ".manifest")
        try file.write(manifest.rendered())
        try file.commit()
    }
}
