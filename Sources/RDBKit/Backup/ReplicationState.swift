/// Where a followed set's stream stands, kept beside its manifest as `backup.replication`, so
/// that `backup --follow` started again on the same folder can ask the master to go on from it
/// (`PSYNC <replid> <offset+1>`) instead of taking a new snapshot.
///
/// It is rewritten (temporary file, fsync, rename) each time whole commands reach the current
/// incremental file, and says how long that file was then: the bytes after `size` (written
/// later, not yet recorded) are cut off when the set is continued, because the master sends
/// them again from `offset` on. So a continued set has each command exactly once.
struct ReplicationState: Equatable {
    static let fileName = "backup.replication"

    var replicationID: String
    /// The replication offset of the last byte whose command is in the files.
    var offset: Int64
    /// The incremental file being written, and its length at `offset`.
    var file: String
    var size: Int64
    /// The database the stream had selected (the master does not say it again on +CONTINUE).
    var database: Int

    var text: String {
        "replid \(replicationID)\noffset \(offset)\nfile \(file)\nsize \(size)\ndb \(database)\n"
    }

    init(replicationID: String, offset: Int64, file: String, size: Int64, database: Int) {
        self.replicationID = replicationID
        self.offset = offset
        self.file = file
        self.size = size
        self.database = database
    }

    init?(text: String) {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let id = fields["replid"], id.count == 40, let offset = fields["offset"].flatMap({ Int64($0) }),
              let file = fields["file"], !file.contains("/"), let size = fields["size"].flatMap({ Int64($0) }),
              let database = fields["db"].flatMap({ Int($0) }) else { return nil }
        self.init(replicationID: String(id), offset: offset, file: String(file), size: size, database: database)
    }

    /// The state saved in `set`, if any and well formed.
    static func read(set: String) -> ReplicationState? {
        guard let bytes = try? readPrefix(of: FileSource(path: set + "/" + fileName), count: 4096) else { return nil }
        return ReplicationState(text: String(decoding: bytes, as: UTF8.self))
    }

    func write(to set: String) throws(RDBError) {
        let output = try Outputs(inputs: []).file(set + "/" + ReplicationState.fileName)
        try output.write(Array(text.utf8))
        try output.commit()
    }
}
