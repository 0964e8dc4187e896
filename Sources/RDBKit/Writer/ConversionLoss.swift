/// Something in the input the target version cannot hold. By default a conversion with any loss
/// fails and lists them all; with `--lossy` they are dropped and each is reported.
public struct ConversionLoss: Sendable, Equatable, CustomStringConvertible {
    public var db: Int?
    public var key: Bytes?
    public var what: String
    /// Dropped because the user asked (e.g. --without-modules): reported, never a failure.
    public var requested = false

    public var description: String {
        guard let key else { return what }
        return "db \(db ?? 0) key \(displayKey(key)): \(what)"
    }
}

/// The words of each loss, written once for every writer: RDB files and DUMP payloads, the AOF
/// rewrite, RESTORE commands and `restore`. Each says what the target lacks by the first Redis
/// (and RDB version) that has it; the target itself is named once, by the loss policy.
enum LossText {
    static let functionLibrary = "function library dropped: no functions before Redis 7.0 (RDB 10)"
    static let stream = "stream dropped: no streams before Redis 5.0 (RDB 9)"
    static let array = "array dropped: no arrays before Redis 8.8 (RDB 14)"
    static let moduleValue = "module value dropped: no module values before Redis 4.0 (RDB 8)"
    static let fieldTTLs = "field TTLs dropped: no hash-field expiry before Redis 7.4 (RDB 12) and Valkey 9"
    static let streamCounters = "stream counters entries-added and max-deleted-id dropped: none before Redis 7.0 (RDB 10)"
    static let entriesRead = "consumer group entries-read dropped: none before Redis 7.0 (RDB 10)"
    static let consumerActiveTime = "consumer active time dropped: none before Redis 7.2 (RDB 11)"

    /// `type`: the module's name, when known before the value is read.
    static func moduleValueRequested(_ type: String?) -> String {
        (type.map { "\($0) module value" } ?? "module value") + " dropped (--without-modules)"
    }

    /// `byCommands`: written as commands (RESTORE, the AOF rewrite), where no command restores it.
    static func moduleAux(_ type: String, requested: Bool, byCommands: Bool) -> String {
        "module aux data of \(type) dropped" + (requested ? " (--without-modules)"
                                                 : byCommands ? ": no command restores it" : ": none before Redis 5.0 (RDB 9)")
    }

    /// A library where only keys are written (RESTORE payloads): `name` from its `#!` line.
    static func functionLibraryByPayload(_ name: Bytes?) -> String {
        "function library " + (name.map { displayKey($0) + " " } ?? "") + "dropped: a RESTORE payload carries keys only (convert --to resp loads libraries)"
    }

    static func nacked(_ count: Int, group: Bytes) -> String {
        "\(count) NACKed pending entries of group \(displayKey(group)) dropped: no NACK zone before Redis 8.8 (RDB 14)"
    }

    static func idmp(_ idmp: StreamIdmp) -> String {
        "stream IDMP state (\(idmp.producers.count) producers, \(idmp.iidsAdded) iids added) dropped: none before Redis 8.6 (RDB 13)"
    }

    static func keyMetadata(_ classes: [String]) -> String {
        "key metadata (\(classes.joined(separator: ", "))) dropped: none before Redis 8.6 (RDB 13)"
    }
}
