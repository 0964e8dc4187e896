#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thing a backup folder can restore: a snapshot (`dump-<time>.rdb[.gz]`), or a followed
/// chain (`set-<time>/`) that restores any second from its snapshot to its last `#TS:` line.
public struct RestorePoint: Sendable {
    public enum Kind: String, Sendable { case snapshot, chain }
    public var path: String
    public var kind: Kind
    /// Unix seconds of the snapshot (the RDB's ctime; the name's time when it has none).
    public var first: Int64?
    /// The latest second it restores: the snapshot's own for a snapshot, the last `#TS:` for a chain.
    public var last: Int64?
    public var bytes: Int64 = 0
    public var files = 0
    public var keys = 0
    public var commands = 0
    public var error: RDBError?
    public var isValid: Bool { error == nil }

    public func covers(_ second: Int64) -> Bool {
        guard let first, let last else { return false }
        return first <= second && second <= last
    }
}

/// The restore points of a backup folder, oldest first, each checked in full (every structure,
/// the base's checksum, every command's framing), and the spans between them nothing covers.
public struct BackupCatalog: Sendable {
    public var directory: String
    public var points: [RestorePoint] = []
    /// `set-…tmp-…` folders of a set whose snapshot never completed (never restored from).
    public var interrupted: [String] = []

    /// Whether `path` is a folder of backups rather than one AOF directory.
    public static func isBackupFolder(_ path: String) -> Bool {
        guard let names = directoryEntries(path), !names.contains(where: { $0.hasSuffix(".manifest") }) else { return false }
        return names.contains { ($0.hasPrefix(BackupSet.directoryPrefix) || $0.hasPrefix("dump-")) && !$0.contains(".tmp-") }
    }

    public static func scan(_ directory: String) throws(RDBError) -> BackupCatalog {
        guard let names = directoryEntries(directory) else {
            throw RDBError(.io("\(directory) is not a directory"))
        }
        var catalog = BackupCatalog(directory: directory)
        for name in names {
            let path = directory + "/" + name
            if name.contains(".tmp-") {
                if name.hasPrefix(BackupSet.directoryPrefix) { catalog.interrupted.append(path) }
                continue
            }
            if name.hasPrefix(BackupSet.directoryPrefix), directoryEntries(path) != nil {
                catalog.points.append(chain(path))
            } else if name.hasPrefix("dump-"), name.hasSuffix(".rdb") || name.hasSuffix(".rdb.gz") {
                catalog.points.append(snapshot(path))
            }
        }
        catalog.points.sort { ($0.first ?? 0, $0.path) < ($1.first ?? 0, $1.path) }
        return catalog
    }

    /// Spans between restore points that none covers (a full resynchronization, a stopped backup).
    public var gaps: [(from: Int64, to: Int64)] {
        var out: [(Int64, Int64)] = []
        var coveredUpTo: Int64?
        for point in points where point.isValid {
            guard let first = point.first, let last = point.last else { continue }
            if let end = coveredUpTo, first > end + 1 { out.append((end, first)) }
            coveredUpTo = max(coveredUpTo ?? last, last)
        }
        return out
    }

    /// For `merge DIR --until T`: a valid chain covering T, else the latest valid point before T
    /// (the data as it was then). Nil `second` chooses the newest.
    public func choose(until second: Int64?) -> RestorePoint? {
        let valid = points.filter(\.isValid)
        guard let second else { return valid.max { ($0.last ?? 0) < ($1.last ?? 0) } }
        if let covering = valid.last(where: { $0.kind == .chain && $0.covers(second) }) { return covering }
        return valid.filter { ($0.first ?? .max) <= second }.max { ($0.last ?? 0) < ($1.last ?? 0) }
    }

    /// What `merge DIR` and `restore DIR` restore from a backup folder at `until` (`choose`),
    /// with the line that tells the user which point it is and what it does not cover.
    public static func restorePoint(in folder: String, until: Int64?) throws(RDBError) -> (point: RestorePoint, note: String) {
        guard let point = try scan(folder).choose(until: until) else {
            throw RDBError(.io("\(folder) holds no valid restore point" + (until.map { " at or before \(isoSeconds($0))" } ?? "")))
        }
        var note = "restoring from \(point.path) (\(point.first.map(isoSeconds) ?? "?") to \(point.last.map(isoSeconds) ?? "?"))"
        if let until, let last = point.last, until > last { note += "; nothing between \(isoSeconds(last)) and \(isoSeconds(until)) is backed up" }
        return (point, note)
    }

    private static func snapshot(_ path: String) -> RestorePoint {
        var point = RestorePoint(path: path, kind: .snapshot)
        point.files = 1
        point.bytes = fileSize(path)
        let visitor = CreationTime()
        do {
            try RDBReader.read(path: path, visitor: visitor)
        } catch {
            point.error = error
        }
        point.keys = visitor.keys
        point.first = visitor.ctime ?? timeInName(path)
        point.last = point.first
        return point
    }

    private static func chain(_ path: String) -> RestorePoint {
        var point = RestorePoint(path: path, kind: .chain)
        let visitor = CreationTime()
        do throws(RDBError) {
            let reader = try AOFReader(path: path)
            point.files = reader.files.parts.count
            point.bytes = reader.files.parts.reduce(0) { $0 + fileSize($1.path) }
            var commands = 0
            defer {
                point.commands = commands
                point.last = reader.timestamp
            }
            try reader.read(rdb: visitor) { _ in commands += 1 }
        } catch {
            point.error = error
        }
        point.keys = visitor.keys
        point.first = visitor.ctime ?? timeInName(path)
        point.last = max(point.last ?? point.first ?? 0, point.first ?? 0)
        return point
    }

    /// `…-20261201T223700Z…` in a name, as Unix seconds.
    static func timeInName(_ path: String) -> Int64? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let t = name.firstIndex(of: "T"), name.distance(from: name.startIndex, to: t) >= 8 else { return nil }
        let digits = name[name.index(t, offsetBy: -8)..<t] + name[name.index(after: t)...].prefix(6)
        guard digits.count == 14, digits.allSatisfy(\.isNumber) else { return nil }
        let n = digits.compactMap { Int32(String($0)) }
        var parts = tm()
        parts.tm_year = n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3] - 1900
        parts.tm_mon = n[4] * 10 + n[5] - 1
        parts.tm_mday = n[6] * 10 + n[7]
        parts.tm_hour = n[8] * 10 + n[9]
        parts.tm_min = n[10] * 10 + n[11]
        parts.tm_sec = n[12] * 10 + n[13]
        return Int64(timegm(&parts))
    }

    private static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}

/// Reads every key (as validate does), counts them and keeps the `ctime` aux field (when the server forked for the snapshot).
private final class CreationTime: RDBVisitor {
    var ctime: Int64?
    var keys = 0
    var wantsStringValues: Bool { false }

    func aux(name: RDBString, value: RDBString) throws(RDBError) {
        if name.array == Array("ctime".utf8) { ctime = Int64(String(decoding: value.array, as: UTF8.self)) }
    }

    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        keys += 1
        return .read
    }
}
