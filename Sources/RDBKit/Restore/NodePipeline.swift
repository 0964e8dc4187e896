import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The commands for one server (one cluster primary), used from one thread: at most
/// `options.pipeline` commands (and `options.bytesInFlight` bytes) in flight, each reply checked
/// against the item that asked for it, in order. A key that exists is resent with REPLACE
/// (--replace) or counted as skipped; a network error closes the connection, waits (doubling from
/// `retryDelay`), reconnects and sends again what had no reply yet.
final class NodePipeline {
    let url: RedisURL
    private let options: RestoreOptions
    private let tracker: RestoreTracker
    /// Where MOVED slots go, for the router (cluster only).
    private let onMoved: ((ClusterRedirect) -> Void)?
    private var connection: RedisConnection?
    /// The database the connection has selected.
    private var selectedDB = 0
    private var waiting = CircularBuffer<RestoreItem>()
    private var inFlight = CircularBuffer<Entry>()
    private var bytesInFlight = 0
    /// Connections to other nodes for ASK and MOVED, opened when a redirection names them.
    private var redirectConnections: [ClusterTopology.Endpoint: RedisConnection] = [:]

    private struct Entry {
        /// nil for a SELECT.
        var item: RestoreItem?
        var repliesLeft = 1
        /// Plain commands: the DEL before them removed a key.
        var deleted = false
        var error: String?
    }

    /// Errors worth waiting out: the server is starting up or the cluster is rearranging.
    private static let transientErrors = ["LOADING", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN"]
    private static let maximumRedirections = 5

    init(url: RedisURL, options: RestoreOptions, tracker: RestoreTracker, onMoved: ((ClusterRedirect) -> Void)? = nil) {
        self.url = url
        self.options = options
        self.tracker = tracker
        self.onMoved = onMoved
    }

    deinit {
        connection?.close()
        for c in redirectConnections.values { c.close() }
    }

    func submit(_ item: RestoreItem) throws(RDBError) {
        waiting.append(item)
        try resilient { () throws(RDBError) in try pump(draining: false) }
    }

    /// Waits for every reply.
    func finish() throws(RDBError) {
        try resilient { () throws(RDBError) in try pump(draining: true) }
    }

    // MARK: sending and receiving

    private func pump(draining: Bool) throws(RDBError) {
        while true {
            while let next = waiting.first, inFlight.count < options.pipeline,
                  bytesInFlight < options.bytesInFlight || inFlight.isEmpty {
                if case .plain = next.body, !inFlight.isEmpty { break }  // plain commands go on their own
                waiting.removeFirst()
                do throws(RDBError) {
                    try send(next)
                } catch {
                    waiting.prepend(next)  // sent again after the reconnection
                    throw error
                }
            }
            let link = try connected()
            if waiting.isEmpty && (!draining || inFlight.isEmpty) {
                if link.pendingBytes >= 64 * 1024 || draining { try link.flush() }
                return
            }
            try link.flush()
            try receiveBatch(link)
        }
    }

    /// One reply at least; then what has already arrived, and, when the window is full, replies
    /// down to half of it: the next sending is a batch with one flush, not a flush per command
    /// (each flush is a wait on the event loop).
    private func receiveBatch(_ link: RedisConnection) throws(RDBError) {
        guard !inFlight.isEmpty else { return }
        let full = inFlight.count >= options.pipeline || bytesInFlight >= options.bytesInFlight
        try receive()
        while !inFlight.isEmpty {
            let overHalf = inFlight.count > options.pipeline / 2 || bytesInFlight > options.bytesInFlight / 2
            guard (full && overHalf) || link.input.buffered > 0 else { return }
            try receive()
        }
    }

    private func send(_ item: RestoreItem) throws(RDBError) {
        let link = try connected()
        if case .plain = item.body, item.db != selectedDB {
            // Plain commands may ask EXISTS first: no reply may be pending before it.
            try link.call("SELECT", String(item.db))
            selectedDB = item.db
        }
        if item.db != selectedDB {
            link.send([RestoreItem.word("SELECT"), RestoreItem.word(String(item.db))])
            inFlight.append(Entry(item: nil))
            selectedDB = item.db
        }
        var entry = Entry(item: item, repliesLeft: item.replies)
        if case .plain(let commands, _) = item.body {
            // Elements are added to what is there: the key must not exist before (it is ours to
            // redo when a reconnection left it half-written).
            if options.existing == .skip && !item.resent && !item.inDoubt {
                try link.flush()
                let exists = try link.reply(to: [RestoreItem.word("EXISTS"), item.key])
                if case .integer(let n) = exists, n > 0 { return finishItem(entry, .existing) }
            }
            link.send([RestoreItem.word("DEL"), item.key])
            commands.withUnsafeBytes { link.send(raw: $0) }
        } else {
            link.send(item.arguments)
            entry.repliesLeft = 1
        }
        inFlight.append(entry)
        bytesInFlight += item.size
        tracker.sent(item.sequence, bytes: item.size)
    }

    private func receive() throws(RDBError) {
        let reply = try connected().readReply()
        guard var entry = inFlight.first else { return }
        guard let item = entry.item else {
            inFlight.removeFirst()
            if let message = reply.errorMessage {
                throw RDBError(.io("\(url.endpoint): SELECT failed: \(message)"))
            }
            return
        }
        if case .plain = item.body {
            inFlight[inFlight.startIndex].repliesLeft -= 1
            entry.repliesLeft -= 1
            let first = entry.repliesLeft == item.replies - 1
            if first, case .integer(let n) = reply { inFlight[inFlight.startIndex].deleted = n > 0; entry.deleted = n > 0 }
            if entry.error == nil, let message = NodePipeline.error(in: reply) {
                inFlight[inFlight.startIndex].error = message
                entry.error = message
            }
            guard entry.repliesLeft == 0 else { return }
            inFlight.removeFirst()
            bytesInFlight -= item.size
            let replaced = entry.deleted && !item.resent && !item.inDoubt
            return finishItem(entry, entry.error.map { .failed($0) } ?? (replaced ? .replaced : .restored))
        }
        inFlight.removeFirst()
        bytesInFlight -= item.size
        try settle(item, reply: reply, redirections: 0)
    }

    /// What a reply means for its item: an outcome, a second sending, or a redirection.
    private func settle(_ item: RestoreItem, reply: RESPValue, redirections: Int) throws(RDBError) {
        guard let message = NodePipeline.error(in: reply) else {
            return finishItem(Entry(item: item), item.replacing ? (item.resent || item.inDoubt ? .alreadyPresent : .replaced) : .restored)
        }
        if NodePipeline.saysExists(message, item) {
            if item.resent || item.inDoubt {
                return finishItem(Entry(item: item), .alreadyPresent)
            }
            guard options.existing == .replace && !item.replacing else { return finishItem(Entry(item: item), .existing) }
            var again = item
            again.replacing = true
            waiting.append(again)
            return
        }
        if let redirect = ClusterRedirect(error: message, answeringHost: url.host), redirections < NodePipeline.maximumRedirections {
            tracker.redirected()
            if redirect.kind == .moved { onMoved?(redirect) }
            let link = try redirectConnection(redirect.endpoint)
            if redirect.kind == .ask { link.send([RestoreItem.word("ASKING")]) }
            link.send(item.arguments)
            try link.flush()
            if redirect.kind == .ask { _ = try link.readReply() }
            return try settle(item, reply: try link.readReply(), redirections: redirections + 1)
        }
        if NodePipeline.transientErrors.contains(where: { message.hasPrefix($0) }) {
            usleep(100_000)
            waiting.append(item)
            return
        }
        finishItem(Entry(item: item), .failed(message))
    }

    private func finishItem(_ entry: Entry, _ outcome: RestoreOutcome) {
        guard let item = entry.item else { return }
        tracker.complete(item.sequence, outcome, item: item)
    }

    /// BUSYKEY from RESTORE, or a library FUNCTION LOAD already has.
    private static func saysExists(_ message: String, _ item: RestoreItem) -> Bool {
        if message.hasPrefix("BUSYKEY") { return true }
        if case .function = item.body { return message.contains("already exists") }
        return false
    }

    /// An error reply, or the first error inside an EXEC's replies.
    private static func error(in reply: RESPValue) -> String? {
        if let message = reply.errorMessage { return message }
        if case .array(let items) = reply { return items.lazy.compactMap(\.errorMessage).first }
        return nil
    }

    // MARK: connections

    private func connected() throws(RDBError) -> RedisConnection {
        if let connection { return connection }
        let link = try RedisConnection.connect(url, options: options.connection)
        connection = link
        selectedDB = url.database
        return link
    }

    private func redirectConnection(_ endpoint: ClusterTopology.Endpoint) throws(RDBError) -> RedisConnection {
        if let known = redirectConnections[endpoint] { return known }
        var target = url
        target.host = endpoint.host
        target.port = endpoint.port
        let link = try RedisConnection.connect(target, options: options.connection)
        redirectConnections[endpoint] = link
        return link
    }

    /// Runs `body`; after a network error, reconnects with back-off and runs it again, having
    /// put back what was sent without a reply. AOF commands are not idempotent: a connection lost
    /// with some of them unanswered stops the restore (its resume point is before them).
    private func resilient(_ body: () throws(RDBError) -> Void) throws(RDBError) {
        var attempt = 0
        var delay = options.retryDelay
        while true {
            do throws(RDBError) {
                try body()
                return
            } catch {
                guard case .io = error.kind, attempt < options.retries else { throw error }
                connection?.close()
                connection = nil
                for c in redirectConnections.values { c.close() }
                redirectConnections = [:]
                if inFlight.contains(where: { if case .command? = $0.item?.body { return true } else { return false } }) {
                    throw RDBError(.io("\(error.reason); AOF commands were in flight and may have been applied, so they are not resent"))
                }
                var resend: [RestoreItem] = []
                for entry in inFlight {
                    guard var item = entry.item else { continue }
                    item.resent = true
                    resend.append(item)
                }
                inFlight.removeAll()
                bytesInFlight = 0
                for item in resend.reversed() { waiting.prepend(item) }
                attempt += 1
                usleep(UInt32(delay * 1_000_000))
                delay = min(delay * 2, 5)
                tracker.reconnected()
            }
        }
    }
}
