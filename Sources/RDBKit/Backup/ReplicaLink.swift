/// A connection that has introduced itself to a master as a replica (replication.c
/// syncWithMaster): PING, AUTH (done by `RedisConnection`), `REPLCONF listening-port`,
/// `REPLCONF capa eof capa psync2` — never rdb-channel-repl (Redis 8) or dual-channel (Valkey),
/// so the snapshot and the stream always come over this one connection — and, to Valkey,
/// `REPLCONF version` so the primary sends its own RDB version rather than RDB 11.
public final class ReplicaLink {
    public let connection: RedisConnection
    /// INFO server's fields: `redis_version`, `valkey_version`, `server_name`.
    public let server: [String: String]

    /// How the master answered PSYNC (or SYNC).
    public enum Start: Sendable, Equatable {
        /// A full snapshot follows, taken at `offset` of the replication history `replicationID`.
        case fullResync(replicationID: String, offset: Int64)
        /// The stream continues from the offset asked for; the master may have changed its id.
        case partial(replicationID: String?)
        /// A server without PSYNC: a snapshot follows, with no offset to resume from later.
        case legacySync
    }

    public init(connection: RedisConnection, snapshotOnly: Bool) throws(RDBError) {
        self.connection = connection
        let pong = try connection.reply(to: "PING")
        if let message = pong.errorMessage {
            throw RDBError(.io("\(connection.url.endpoint): the server refuses replicas from this login: \(message)"))
        }
        server = try connection.info("server")
        try connection.call("REPLCONF", "listening-port", "0")
        try connection.call("REPLCONF", "capa", "eof", "capa", "psync2")
        if let valkey = server["valkey_version"] {
            // Without it a Valkey 9.1 primary sends RDB 11 and fails on keys RDB 11 cannot hold.
            _ = try connection.reply(to: "REPLCONF", "version", valkey)
        }
        if snapshotOnly {
            // Redis 7.0+ and Valkey: no replication buffer kept for us. Older servers refuse it; harmless.
            _ = try connection.reply(to: "REPLCONF", "rdb-only", "1")
        }
    }

    /// "redis 7.0.15" or "valkey 9.1.0".
    public var serverDescription: String {
        if let valkey = server["valkey_version"] { return "valkey \(valkey)" }
        return "redis \(server["redis_version"] ?? "?")"
    }

    /// Asks for the stream after `offset` of `replicationID`, or (nil) for a full snapshot.
    public func synchronize(from resume: (replicationID: String, offset: Int64)? = nil) throws(RDBError) -> Start {
        if let resume {
            connection.send(["PSYNC", resume.replicationID, String(resume.offset + 1)])
        } else {
            connection.send(["PSYNC", "?", "-1"])
        }
        try connection.flush()
        try skipKeepAlives()
        let reply = try connection.readReply()
        let words = (reply.text ?? "").split(separator: " ").map(String.init)
        switch (reply, words.first) {
        case (.simple, "FULLRESYNC"?):
            guard words.count == 3, let offset = Int64(words[2]) else { throw protocolError("PSYNC", reply) }
            return .fullResync(replicationID: words[1], offset: offset)
        case (.simple, "CONTINUE"?):
            return .partial(replicationID: words.count > 1 ? words[1] : nil)
        case (.error(let message), _) where message.hasPrefix("ERR"):
            // A master without PSYNC (before 2.8) answers -ERR; replication.c falls back to SYNC.
            connection.send(["SYNC"])
            try connection.flush()
            return .legacySync
        default:
            throw protocolError("PSYNC", reply)
        }
    }

    /// The header of the snapshot that follows a full resync: its length, or the diskless
    /// transfer's 40-byte end mark (readSyncBulkPayload).
    public func snapshotFraming() throws(RDBError) -> SnapshotPayload.Framing {
        try skipKeepAlives()
        let at = connection.input.offset
        let line = try RESPSyntax.readLine(connection.input, at: at, limit: RESPValueReader.maximumLineLength)
        let eofPrefix = Array("$EOF:".utf8)
        if line.starts(with: eofPrefix) {
            let mark = Array(line.dropFirst(eofPrefix.count))
            guard mark.count == SnapshotPayload.eofMarkLength else {
                throw RDBError(.corrupt("end mark of \(mark.count) bytes, expected \(SnapshotPayload.eofMarkLength)"), offset: at)
            }
            return .endMark(mark)
        }
        if line.first == UInt8(ascii: "-") {
            throw RDBError(.io("\(connection.url.endpoint): the master could not send a snapshot: \(String(decoding: line.dropFirst(), as: UTF8.self))"), offset: at)
        }
        return .length(Int64(try RESPSyntax.bulkLength(line, at: at, maximum: Int.max)))
    }

    /// The newlines a master sends every second while it prepares the snapshot (replicationCron).
    private func skipKeepAlives() throws(RDBError) {
        while try connection.input.peekByte() == 0x0A { _ = try connection.input.readByte() }
    }

    private func protocolError(_ command: String, _ reply: RESPValue) -> RDBError {
        RDBError(.io("\(connection.url.endpoint): unexpected answer to \(command): \(reply)"), offset: connection.input.offset)
    }
}
