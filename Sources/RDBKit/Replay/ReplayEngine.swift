/// A command replay cannot apply: unknown, or not reproducible offline. Fatal unless skipped.
public struct ReplayError: Error, CustomStringConvertible, Sendable {
    public var offset: Int64
    public var command: String
    public var reason: String
    public var file: String?

    public var description: String {
        "\(file.map { $0 + ": " } ?? "")at offset \(offset): \(command): \(reason)"
    }
}

/// What Redis answers with an error: the command changes nothing (while loading, Redis goes on).
struct CommandRefusal: Error {
    var reason: String
    /// Not Redis's refusal but ours: the command cannot be reproduced offline (stops the replay).
    var cannotReplay = false
    /// A temporary file of a long string could not be written or read: stops the replay, even
    /// with `skipUnknown`.
    var failure: RDBError?

    init(reason: String, cannotReplay: Bool = false) {
        self.reason = reason
        self.cannotReplay = cannotReplay
    }

    init(_ failure: RDBError) {
        reason = failure.description
        self.failure = failure
    }
    static let wrongType = CommandRefusal(reason: "WRONGTYPE Operation against a key holding the wrong kind of value")
    static let notInteger = CommandRefusal(reason: "value is not an integer or out of range")
    static let notFloat = CommandRefusal(reason: "value is not a valid float")
    static let syntax = CommandRefusal(reason: "syntax error")
    static let noSuchKey = CommandRefusal(reason: "no such key")
}

/// Applies write commands to a `Keyspace` with Redis's semantics, as a server does while loading
/// an AOF (aof.c loadSingleAppendOnlyFile): commands run one by one on a client that starts in
/// database 0; MULTI queues until EXEC; a command Redis would refuse changes nothing; nothing
/// expires on its own. `now` stands for the server's clock where a command reads it (relative
/// expiries in pre-7.0 AOFs, `*` stream IDs).
public final class ReplayEngine {
    typealias Handler = @Sendable (ReplayEngine, [Bytes]) throws(CommandRefusal) -> Void

    let keyspace: Keyspace
    var db = 0
    public var now: Int64
    /// Apply as no-ops (counted by name), instead of failing on them, commands the engine cannot
    /// reproduce exactly: unknown ones, damaged argument counts, and those depending on chance or
    /// the server's clock (SPOP of a random member, XADD/XTRIM with ~, XAUTOCLAIM).
    public var skipUnknown = false
    public private(set) var skipped: [String: Int] = [:]
    /// Commands that Redis would have refused (they change nothing), by name.
    public private(set) var refused: [String: Int] = [:]
    public private(set) var applied = 0
    private var queued: [AOFCommand]?
    var currentTimestamp: Int64?
    /// The spilled arguments of the command being applied (`AOFCommand.spilled`) that its
    /// handler takes as they are (`takesSpilled`); the others are read back whole first.
    private(set) var spilled: [Int: SpilledString] = [:]

    init(keyspace: Keyspace, now: Int64) {
        self.keyspace = keyspace
        self.now = now
    }

    public func apply(_ command: AOFCommand) throws(ReplayError) {
        let name = command.name
        switch name {
        case "multi":
            queued = []
            return
        case "exec":
            let transaction = queued ?? []
            queued = nil
            for c in transaction { try execute(c, name: c.name) }
            return
        case "discard":
            queued = nil
            return
        default:
            break
        }
        if queued != nil {
            queued!.append(command)
            return
        }
        try execute(command, name: name)
    }

    /// The end of a file: a transaction still open is dropped, as aof.c reverts it.
    public func endOfFile() {
        queued = nil
        db = 0
    }

    public var hasOpenTransaction: Bool { queued != nil }

    private func execute(_ command: AOFCommand, name: String) throws(ReplayError) {
        currentTimestamp = command.timestamp
        // Redis runs an AOF's commands without checking their arity; a damaged count is refused here.
        if let problem = AOFCommandCheck.tableProblem(in: command), RedisCommandTable.commands[name] != nil {
            if skipUnknown {
                skipped[name, default: 0] += 1
                return
            }
            throw ReplayError(offset: command.offset, command: name, reason: problem)
        }
        guard let handler = ReplayEngine.handlers[name] else {
            if skipUnknown {
                skipped[name, default: 0] += 1
                return
            }
            throw ReplayError(offset: command.offset, command: name,
                              reason: RedisCommandTable.commands[name] == nil ? "unknown command" : "not supported by the replay engine")
        }
        do throws(CommandRefusal) {
            var arguments = command.arguments
            spilled = command.spilled
            for index in command.spilled.keys where !ReplayEngine.takesSpilled(name, index) {
                do throws(RDBError) { arguments[index] = try command.spilled[index]!.bytes() } catch { throw CommandRefusal(error) }
                spilled[index] = nil
            }
            defer { spilled = [:] }
            try handler(self, arguments)
            applied += 1
        } catch let refusal {
            if let failure = refusal.failure {
                throw ReplayError(offset: command.offset, command: name, reason: failure.description)
            }
            if refusal.cannotReplay {
                // Depends on chance or the server's clock: a no-op with --skip-unknown, as its help says.
                if skipUnknown {
                    skipped[name, default: 0] += 1
                    return
                }
                throw ReplayError(offset: command.offset, command: name, reason: refusal.reason)
            }
            refused[name, default: 0] += 1
        }
    }

    static let handlers: [String: Handler] = {
        var all: [String: Handler] = [:]
        for table in [keyHandlers, stringHandlers, listHandlers, setHandlers, sortedSetHandlers, hashHandlers,
                      streamHandlers, functionHandlers, hyperLogLogHandlers, geoHandlers, bitfieldHandlers, arrayHandlers] {
            all.merge(table) { first, _ in first }
        }
        return all
    }()

    // MARK: access to the current database

    func entry(_ key: Bytes) -> Keyspace.Entry? { keyspace[db, key] }

    func exists(_ key: Bytes) -> Bool { keyspace[db, key] != nil }

    /// A key's value of one type (nil when missing); another type is WRONGTYPE.
    func value<Value>(_ key: Bytes, _ unwrap: KeyPath<ReplayValue, Value?>) throws(CommandRefusal) -> Value? {
        guard let entry = entry(key) else { return nil }
        guard let value = entry.value[keyPath: unwrap] else { throw .wrongType }
        return value
    }

    /// Runs `body` on the key's entry taken out of the keyspace (so changes copy nothing) and
    /// puts back what it leaves: nil deletes the key, an empty collection too.
    func modify<R>(_ key: Bytes, in database: Int? = nil,
                   _ body: (inout Keyspace.Entry?) throws(CommandRefusal) -> R) throws(CommandRefusal) -> R {
        let target = database ?? db
        var entry = keyspace.take(db: target, key: key)
        let saved = entry
        do {
            let result = try body(&entry)
            keyspace[target, key] = entry
            return result
        } catch {
            keyspace[target, key] = saved
            throw error
        }
    }

    /// Changes a key's value of one type in place, keeping its TTL: a missing key starts as
    /// `empty` (nil leaves it missing), another type is WRONGTYPE.
    func modifyValue<Value>(_ key: Bytes, empty: Value?, _ unwrap: KeyPath<ReplayValue, Value?>, _ wrap: (Value) -> ReplayValue,
                            _ body: (inout Value) throws(CommandRefusal) -> Void) throws(CommandRefusal) {
        try modify(key) { (entry) throws(CommandRefusal) in
            guard var current = entry ?? empty.map({ Keyspace.Entry(value: wrap($0), expireAtMs: nil) }) else { return }
            guard var value = current.value[keyPath: unwrap] else { throw .wrongType }
            // Drop the entry's reference first, so that `body` changes the only copy.
            current.value = .string([])
            try body(&value)
            current.value = wrap(value)
            entry = current
        }
    }

    func delete(_ key: Bytes) -> Bool {
        keyspace.take(db: db, key: key) != nil
    }

    /// Sets a key to a new value, dropping its TTL unless `keepTTL`.
    func store(_ key: Bytes, _ value: ReplayValue, keepTTL: Bool = false) {
        let old = keyspace.take(db: db, key: key)
        keyspace[db, key] = Keyspace.Entry(value: value, expireAtMs: keepTTL ? old?.expireAtMs : nil)
    }

    /// Refuses a command that cannot be reproduced offline (fatal, see `execute`).
    static func cannotReplay(_ why: String) -> CommandRefusal {
        CommandRefusal(reason: "cannot replay: " + why, cannotReplay: true)
    }
}

// MARK: argument parsing as Redis parses it

func argInteger(_ bytes: Bytes) throws(CommandRefusal) -> Int64 {
    guard let v = integer(bytes) else { throw .notInteger }
    return v
}

func argDouble(_ bytes: Bytes) throws(CommandRefusal) -> Double {
    guard let v = parseDoubleArgument(bytes) else { throw .notFloat }
    return v
}

func word(_ bytes: Bytes) -> String { String(decoding: bytes, as: UTF8.self).lowercased() }

func text(_ s: String) -> Bytes { Array(s.utf8) }
