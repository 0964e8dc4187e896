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
        file = try AppendFile(appendingTo: path + "/" + manifest.incrementals[0].name)
        encoder = RESPEncoder(output: file)
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
        // Redis loads each file from database 0 on: say where the stream is.
        if database != 0 {
            encoder.begin(count: 2)
            encoder.argument("SELECT")
            encoder.argument(String(database))
            try encoder.end()
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
