#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOConcurrencyHelpers

/// `rdbkit backup --follow`: a snapshot, then the replication stream written as it arrives into
/// a `BackupSet`, for as long as the session runs. Every second: whole commands flushed to the
/// file, a `#TS:` line, `REPLCONF ACK <offset>` (the offset of what is on disk), rotation when
/// due. A lost connection is retried with back-off and `PSYNC <replid> <offset+1>`: `+CONTINUE`
/// appends to the same files, `+FULLRESYNC` starts a new set. Started on a folder whose newest
/// set saved where its stream stood (`ReplicationState`), it first asks to continue that set.
/// `compactEvery` folds the set into a new base now and then (`SetCompaction`). `requestStop()`
/// (SIGINT/SIGTERM) ends it with the current file closed whole.
public final class FollowSession: @unchecked Sendable {
    public struct Options: Sendable {
        /// Start a new incremental file after this many seconds / bytes.
        public var rotateEvery: Double?
        public var rotateSize: Int64?
        /// Fold the base and the closed incremental files into a new base after this many seconds.
        public var compactEvery: Double?
        /// Older sets removed after each new set and rotation.
        public var keep: BackupRetention?
        public var showProgress = false
        /// The longest pause between reconnection attempts.
        public var maximumBackoff: Double = 10

        public init(rotateEvery: Double? = nil, rotateSize: Int64? = nil) {
            self.rotateEvery = rotateEvery
            self.rotateSize = rotateSize
        }
    }

    /// What the session reports as it goes (for --json and the tests).
    public struct Status: Sendable {
        public var event: String
        public var set: String?
        public var file: String?
        public var offset: Int64
        public var commands: Int
        public var replicationID: String?
    }

    public let url: RedisURL
    public let connectionOptions: ConnectionOptions
    public let directory: String
    public let options: Options
    public var logger = Logger(label: "rdbkit.backup")
    public var onStatus: ((Status) -> Void)?

    private let stopFlag = NIOLockedValueBox(false)
    private let acknowledged = NIOLockedValueBox<Int64>(-1)
    private var replicationID: String?
    private var offset: Int64 = 0
    private var set: BackupSet?
    private var inTransaction = false
    /// The offset of the last byte whose command reached the file: what ACK reports.
    private var flushedOffset: Int64 = 0
    /// Connection problems are retried; a failure to write the backup ends the session.
    private var diskFailure: RDBError?
    /// Sets this session wrote to (started, or continued from an earlier run), in order.
    public private(set) var sets: [String] = []
    private var compaction: SetCompaction?
    private var compactedAt = SystemClock.monotonicSeconds()
    /// Compactions swapped in, for the tests and the log.
    public private(set) var compactions = 0

    public init(url: RedisURL, connectionOptions: ConnectionOptions, directory: String, options: Options) {
        self.url = url
        self.connectionOptions = connectionOptions
        self.directory = directory
        self.options = options
    }

    /// Safe from any thread and from a signal-handling thread.
    public func requestStop() { stopFlag.withLockedValue { $0 = true } }
    public var stopRequested: Bool { stopFlag.withLockedValue { $0 } }
    /// The replication offset last acknowledged to the master (its bytes are in the files).
    public var acknowledgedOffset: Int64 { acknowledged.withLockedValue { $0 } }

    public func run() throws(RDBError) {
        var backoff = 0.5
        var earlier = BackupSet.continuable(in: directory)
        defer { closeSet() }
        while !stopRequested {
            do throws(RDBError) {
                let connection = try RedisConnection.connect(url, options: connectionOptions)
                defer { connection.close() }
                let link = try ReplicaLink(connection: connection, snapshotOnly: false)
                let resume = set != nil ? replicationID.map { ($0, offset) } : earlier.map { ($0.state.replicationID, $0.state.offset) }
                let start = try link.synchronize(from: resume)
                if set == nil, let found = earlier {
                    earlier = nil
                    try adopt(found, start)
                }
                try begin(link, start: start)
                backoff = 0.5
                try stream(link)
            } catch {
                if let diskFailure { throw diskFailure }
                if stopRequested { break }
                logger.warning("\(error.reason); reconnecting in \(format1(backoff)) s")
                report("disconnected")
                pause(backoff)
                backoff = min(backoff * 2, options.maximumBackoff)
            }
        }
        report("stopped")
    }

    /// A set an earlier run left: continued when the master answered +CONTINUE (its current file
    /// cut back to the saved length: the master sends the rest again), else left as it is.
    private func adopt(_ found: (path: String, state: ReplicationState), _ start: ReplicaLink.Start) throws(RDBError) {
        guard case .partial = start else {
            logger.notice("\(url.endpoint): cannot continue \(found.path) from offset \(found.state.offset) (the master no longer holds it): it stays as it is, starting a new set")
            return
        }
        var continued: BackupSet?
        try written { () throws(RDBError) in continued = try BackupSet.continuing(found.path, at: found.state) }
        set = continued
        sets.append(found.path)
        replicationID = found.state.replicationID
        offset = found.state.offset
        flushedOffset = offset
        inTransaction = false
        compactedAt = SystemClock.monotonicSeconds()
        logger.notice("\(url.endpoint): continuing \(found.path), left by an earlier run, at offset \(offset)")
    }

    private func begin(_ link: ReplicaLink, start: ReplicaLink.Start) throws(RDBError) {
        switch start {
        case .partial(let newID):
            if let newID { replicationID = newID }
            logger.info("\(url.endpoint): partial resynchronization, continuing \(set?.currentFileName ?? "") at offset \(offset)")
            report("continued")
        case .fullResync(let id, let startOffset):
            try newSet(link, start: start, reason: set == nil ? nil : "the master could not continue from offset \(offset)")
            replicationID = id
            offset = startOffset
            flushedOffset = startOffset
        case .legacySync:
            try newSet(link, start: start, reason: set == nil ? nil : "the server has no partial resynchronization")
            replicationID = nil
            offset = 0
            flushedOffset = 0
        }
    }

    private func newSet(_ link: ReplicaLink, start: ReplicaLink.Start, reason: String?) throws(RDBError) {
        closeSet()
        if let reason { logger.notice("\(url.endpoint): full resynchronization (\(reason)): starting a new set") }
        let takenAt = SystemClock.nowSeconds()
        let (created, outcome) = try BackupSet.create(in: directory, takenAt: takenAt) { path throws(RDBError) in
            try BackupSnapshot.receive(link: link, start: start, to: path, gzip: false, showProgress: options.showProgress)
        }
        set = created
        sets.append(created.path)
        inTransaction = false
        compactedAt = SystemClock.monotonicSeconds()
        logger.info("\(url.endpoint): snapshot of \(outcome.report.keys) keys (\(outcome.payloadBytes) bytes) from \(outcome.server) in \(created.path)")
        report("snapshot")
        applyRetention()
    }

    private func stream(_ link: ReplicaLink) throws(RDBError) {
        guard let set else { return }
        let connection = link.connection
        let input = connection.input
        let idleLimit = connectionOptions.replyTimeout ?? 60
        var lastTick = -Double.infinity
        var lastData = SystemClock.monotonicSeconds()
        // A stop waits for an open transaction's EXEC (the master sends it whole, right after).
        while !stopRequested || inTransaction {
            if SystemClock.monotonicSeconds() - lastTick >= 1 {
                try tick(set, connection)
                lastTick = SystemClock.monotonicSeconds()
            }
            guard try input.waitForData(seconds: max(0.01, 1 - (SystemClock.monotonicSeconds() - lastTick))) else {
                if SystemClock.monotonicSeconds() - lastData > idleLimit {
                    throw RDBError(.io("\(url.endpoint): nothing from the master for \(Int(idleLimit)) seconds"), offset: input.offset)
                }
                continue
            }
            lastData = SystemClock.monotonicSeconds()
            repeat {
                let before = input.offset
                let command = try RESPValueReader.read(input)
                offset += input.offset - before
                try handle(command, at: before, set, connection)
            } while input.buffered > 0 && SystemClock.monotonicSeconds() - lastTick < 1 && !(stopRequested && !inTransaction)
            if stopRequested && !inTransaction { break }
        }
        try written { () throws(RDBError) in try set.flush() }
        flushedOffset = offset
        try saveState(set)
        try acknowledge(connection)
    }

    private func handle(_ command: RESPValue, at position: Int64, _ set: BackupSet, _ connection: RedisConnection) throws(RDBError) {
        guard case .array(let items) = command, !items.isEmpty else {
            throw RDBError(.corrupt("replication stream: expected a command, got \(command)"), offset: position)
        }
        var arguments: [Bytes] = []
        arguments.reserveCapacity(items.count)
        for item in items {
            guard case .bulk(let bytes) = item else {
                throw RDBError(.corrupt("replication stream: a command argument is \(item)"), offset: position)
            }
            arguments.append(bytes)
        }
        let name = String(decoding: arguments[0], as: UTF8.self).lowercased()
        switch name {
        case "ping":
            return // the master's heartbeat: counted in the offset, not a write
        case "replconf":
            if arguments.count > 1, String(decoding: arguments[1], as: UTF8.self).lowercased() == "getack" {
                if !inTransaction {
                    try written { () throws(RDBError) in try set.flush() }
                    flushedOffset = offset
                    try saveState(set)
                }
                try acknowledge(connection)
            }
            return
        case "select":
            if arguments.count > 1, let db = Int(String(decoding: arguments[1], as: UTF8.self)) { set.database = db }
        case "multi":
            inTransaction = true
        case "exec", "discard":
            inTransaction = false
        default:
            break
        }
        try written { () throws(RDBError) in try set.append(arguments, at: SystemClock.nowSeconds()) }
        if !inTransaction, let limit = options.rotateSize, set.currentFileSize >= limit {
            try rotate(set)
        }
    }

    private func tick(_ set: BackupSet, _ connection: RedisConnection) throws(RDBError) {
        if !inTransaction {
            // Only whole transactions reach the file: Redis reverts a MULTI left open at its end.
            try written { () throws(RDBError) in
                set.annotate(SystemClock.nowSeconds())
                try set.flush()
            }
            flushedOffset = offset
            try saveState(set)
        }
        if !inTransaction, let every = options.rotateEvery, SystemClock.monotonicSeconds() - set.fileStartedAt >= every {
            try rotate(set)
        }
        if !inTransaction { try compactIfDue(set) }
        try acknowledge(connection)
        if options.showProgress {
            FileHandleStandardErrorLine.draw("following \(url.endpoint): offset \(offset), \(set.commands) commands, \(set.currentFileName) \(set.currentFileSize) bytes")
        }
    }

    /// Rotations happen between transactions: every command so far is then in the files.
    private func rotate(_ set: BackupSet) throws(RDBError) {
        try written { () throws(RDBError) in try set.rotate() }
        flushedOffset = offset
        try saveState(set)
        logger.info("started \(set.currentFileName)")
        report("rotated")
        applyRetention()
    }

    /// Swaps in a finished compaction; starts one when due (after a rotation, so that every
    /// file it folds is closed).
    private func compactIfDue(_ set: BackupSet) throws(RDBError) {
        if let running = compaction {
            guard let outcome = running.outcome else { return }
            try apply(outcome, to: set)
            return
        }
        guard let every = options.compactEvery, SystemClock.monotonicSeconds() - compactedAt >= every else { return }
        compactedAt = SystemClock.monotonicSeconds()
        try rotate(set)
        guard let foldable = set.foldable else { return }
        compaction = SetCompaction(set: set.path, base: foldable.base, incrementals: foldable.incrementals, into: set.nextBase)
    }

    private func apply(_ outcome: Result<SetCompaction.Folded, RDBError>, to set: BackupSet) throws(RDBError) {
        compaction = nil
        switch outcome {
        case .success(let folded):
            try written { () throws(RDBError) in try set.replaceBase(with: folded.base, folding: folded.folded) }
            compactions += 1
            logger.info("compacted \(set.path): \(folded.folded.count) files folded into \(folded.base.name) (\(folded.keys) keys, \(format1(folded.seconds)) s)")
            report("compacted")
        case .failure(let error):
            logger.warning("compaction of \(set.path) failed, the chain stays as it was: \(error)")
        }
    }

    private func saveState(_ set: BackupSet) throws(RDBError) {
        guard let replicationID else { return }
        try written { () throws(RDBError) in try set.state(replicationID: replicationID, offset: flushedOffset).write(to: set.path) }
    }

    private func applyRetention() {
        guard let keep = options.keep else { return }
        for removed in keep.prune(directory, keeping: set?.path, now: SystemClock.nowSeconds()) {
            logger.info("removed \(removed) (--keep)")
        }
    }

    private func acknowledge(_ connection: RedisConnection) throws(RDBError) {
        connection.send(["REPLCONF", "ACK", String(flushedOffset)])
        try connection.flush()
        let now = flushedOffset
        acknowledged.withLockedValue { $0 = now }
    }

    /// Runs a write to the backup; its failure ends the session instead of a reconnection.
    private func written(_ body: () throws(RDBError) -> Void) throws(RDBError) {
        do {
            try body()
        } catch {
            diskFailure = error
            throw error
        }
    }

    private func closeSet() {
        guard let set else { return }
        // A running compaction is waited for: its base is swapped in, or it is given up.
        if let running = compaction, running.setPath == set.path {
            do { try apply(running.wait(), to: set) } catch { logger.error("swapping in the compacted base of \(set.path): \(error)") }
        }
        do {
            try set.close()
        } catch {
            logger.error("closing \(set.currentFileName): \(error)")
            if diskFailure == nil { diskFailure = error }
        }
        self.set = nil
    }

    private func pause(_ seconds: Double) {
        let until = SystemClock.monotonicSeconds() + seconds
        while !stopRequested && SystemClock.monotonicSeconds() < until { usleep(50_000) }
    }

    private func report(_ event: String) {
        onStatus?(Status(event: event, set: set?.path ?? sets.last, file: set?.currentFileName, offset: offset,
                         commands: set?.commands ?? 0, replicationID: replicationID))
    }
}

/// A progress line redrawn in place on standard error.
enum FileHandleStandardErrorLine {
    static func draw(_ text: String) {
        var line = "\r\u{1B}[K" + text
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

extension FollowSession.Status {
    public var jsonLine: String {
        let w = JSONWriter(output: nil)
        w.raw("{\"event\":")
        w.string(Array(event.utf8))
        if let set {
            w.raw(",\"set\":")
            w.string(Array(set.utf8))
        }
        if let file {
            w.raw(",\"file\":")
            w.string(Array(file.utf8))
        }
        w.raw(",\"offset\":")
        w.int(offset)
        w.raw(",\"commands\":")
        w.int(Int64(commands))
        if let replicationID {
            w.raw(",\"replication_id\":")
            w.string(Array(replicationID.utf8))
        }
        w.byte(UInt8(ascii: "}"))
        return String(decoding: w.pending, as: UTF8.self)
    }
}
