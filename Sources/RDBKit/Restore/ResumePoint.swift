#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How far a restore got, kept in a small file (`--resume FILE`) so a run that stopped can go on:
/// the source it read (path, size and modification time, so a changed file is refused), the target,
/// the number of items done without a gap, and how many were sent (the ones between may have been
/// applied; their "already exists" then counts as restored).
struct ResumePoint: Equatable {
    var source: String
    var sourceSize: Int64
    var sourceModified: Int64
    var target: String
    var acknowledged: Int
    var sent: Int

    /// The identity of `source` as the resume point records it.
    static func identity(of source: String) -> (size: Int64, modified: Int64) {
        var info = stat()
        guard source != "-", stat(source, &info) == 0 else { return (0, 0) }
        return (Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    var text: String {
        "rdbkit-restore-resume 1\nsource \(source)\nsource-size \(sourceSize)\nsource-modified \(sourceModified)\ntarget \(target)\nacknowledged \(acknowledged)\nsent \(sent)\n"
    }

    init(source: String, target: String, acknowledged: Int, sent: Int) {
        self.source = source
        (sourceSize, sourceModified) = ResumePoint.identity(of: source)
        self.target = target
        self.acknowledged = acknowledged
        self.sent = sent
    }

    /// nil when `path` does not exist; an error when it is not a resume point.
    static func read(_ path: String) throws(RDBError) -> ResumePoint? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let bytes = try readPrefix(of: try FileSource(path: path), count: 64 * 1024)
        var fields: [Substring: Substring] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            fields[line[..<space]] = line[line.index(after: space)...]
        }
        guard fields["rdbkit-restore-resume"] == "1", let source = fields["source"], let target = fields["target"],
              let size = fields["source-size"].flatMap({ Int64($0) }), let modified = fields["source-modified"].flatMap({ Int64($0) }),
              let acknowledged = fields["acknowledged"].flatMap({ Int($0) }), let sent = fields["sent"].flatMap({ Int($0) }) else {
            throw RDBError(.corrupt("\(path) is not a restore resume point"))
        }
        var point = ResumePoint(source: String(source), target: String(target), acknowledged: acknowledged, sent: sent)
        point.sourceSize = size
        point.sourceModified = modified
        return point
    }

    /// Written under a temporary name and renamed: a crash leaves the old point or the new one.
    func write(to path: String) throws(RDBError) {
        let file = try Outputs(inputs: []).file(path)
        do throws(RDBError) {
            try file.write(Array(text.utf8))
            try file.commit()
        } catch {
            file.abandon()
            throw error
        }
    }

    static func remove(_ path: String) { unlink(path) }
}
