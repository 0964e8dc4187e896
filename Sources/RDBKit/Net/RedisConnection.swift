import NIOCore
import NIOPosix
import NIOSSL

/// A blocking connection to a Redis or Valkey server, built on SwiftNIO (and swift-nio-ssl for
/// `rediss://`), for command-line verbs that talk to a server from one thread.
///
///     let url = try RedisURL(parsing: "redis://user:secret@127.0.0.1:6379/0")
///     let connection = try RedisConnection.connect(url, options: ConnectionOptions(tls: TLSOptions(caCertificate: "ca.pem")))
///     defer { connection.close() }
///     let version = try connection.info("server")["redis_version"]
///     try connection.call("SET", "k", "v")             // an error reply throws, naming the server and command
///     connection.send(["RPUSH", "l", "a"].map { Array($0.utf8) })  // pipelining: queue many…
///     try connection.flush()                            // …write them…
///     let reply = try connection.readReply()            // …read one reply per command, in order
///
/// - `connect` opens the socket (with `connectTimeout`), does the TLS handshake, logs in
///   (`AUTH [user] password`) and selects the URL's database; failures are `RDBError`s of kind
///   `.io` whose message names `host:port` and what failed.
/// - `send` queues a command; `flush` writes everything queued and waits until the socket took it.
///   `call` is send + flush + readReply, and throws on an error reply; `reply(to:)` returns error
///   replies as `.error` values instead.
/// - Replies are decoded by `RESPValueReader`, with the rules the AOF reader uses (`RESPSyntax`).
/// - `input` is the raw reading side: a `RESPInput` and a `ByteSource` (a replica reads the RDB
///   of a full resync from it). Every wait is bounded by `input.timeout` (`replyTimeout`); a
///   dropped connection or a TLS failure surfaces as an error at the next read.
/// - Memory is bounded: the socket is not read while more than a few MiB wait unconsumed.
public final class RedisConnection {
    public let url: RedisURL
    public let input: ConnectionInput
    private let channel: Channel
    private var outgoing: ByteBuffer

    /// Everything written since the connection opened.
    public private(set) var bytesSent: Int64 = 0

    /// Opens, logs in and selects `url.database`.
    public static func connect(_ url: RedisURL, options: ConnectionOptions = ConnectionOptions()) throws(RDBError) -> RedisConnection {
        let connection = try RedisConnection(url: url, options: options)
        do {
            try connection.logIn()
            if url.database != 0 { try connection.call("SELECT", String(url.database)) }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private init(url: RedisURL, options: ConnectionOptions) throws(RDBError) {
        self.url = url
        let queue = InboundQueue()
        let tls = url.useTLS ? options.tls ?? TLSOptions() : nil
        let sslContext = try tls?.makeContext()
        let sni = tls?.sniName(host: url.host)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(options.connectTimeout * 1000)))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: sni))
                    }
                    try channel.pipeline.syncOperations.addHandler(InboundQueueHandler(queue: queue))
                }
            }
        do {
            channel = try bootstrap.connect(host: url.host, port: url.port).wait()
        } catch {
            throw RDBError(.io("cannot connect to \(url.endpoint): \(Self.describe(error))"))
        }
        outgoing = channel.allocator.buffer(capacity: 16 * 1024)
        input = ConnectionInput(queue: queue, channel: channel, endpoint: url.endpoint, timeout: options.replyTimeout)
    }

    deinit { channel.close(promise: nil) }

    public func close() {
        try? channel.close().wait()
    }

    /// Seconds a reply may take; nil waits for ever (a replica between the master's pings).
    public var replyTimeout: Double? {
        get { input.timeout }
        set { input.timeout = newValue }
    }

    // MARK: Writing

    /// Queues one command (a RESP array of bulk strings) until `flush`.
    public func send(_ arguments: [Bytes]) {
        outgoing.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            outgoing.writeString("$\(argument.count)\r\n")
            outgoing.writeBytes(argument)
            outgoing.writeString("\r\n")
        }
    }

    public func send(_ words: [String]) {
        send(words.map { Array($0.utf8) })
    }

    /// Queues bytes as they are (a command already encoded, or a replica's newline keep-alive).
    public func send(raw bytes: UnsafeRawBufferPointer) {
        outgoing.writeBytes(bytes)
    }

    /// Bytes queued and not yet flushed.
    public var pendingBytes: Int { outgoing.readableBytes }

    /// Writes everything queued and waits until the socket has taken it.
    public func flush() throws(RDBError) {
        guard outgoing.readableBytes > 0 else { return }
        let count = outgoing.readableBytes
        let buffer = outgoing
        outgoing = channel.allocator.buffer(capacity: 16 * 1024)
        do {
            try channel.writeAndFlush(buffer).wait()
        } catch {
            let reason = input.closeReason ?? Self.describe(error)
            throw RDBError(.io("\(url.endpoint): cannot send: \(reason)"), offset: input.offset)
        }
        bytesSent += Int64(count)
    }

    // MARK: Reading

    /// The next reply; error replies are returned as `.error`.
    public func readReply() throws(RDBError) -> RESPValue {
        try RESPValueReader.read(input)
    }

    /// Sends one command and returns its reply, error replies included.
    public func reply(to words: String...) throws(RDBError) -> RESPValue {
        try reply(to: words.map { Array($0.utf8) })
    }

    public func reply(to arguments: [Bytes]) throws(RDBError) -> RESPValue {
        send(arguments)
        try flush()
        return try readReply()
    }

    /// Sends one command and returns its reply; an error reply throws, naming the command.
    @discardableResult
    public func call(_ words: String...) throws(RDBError) -> RESPValue {
        try call(words.map { Array($0.utf8) })
    }

    @discardableResult
    public func call(_ arguments: [Bytes]) throws(RDBError) -> RESPValue {
        let value = try reply(to: arguments)
        if let message = value.errorMessage {
            let name = String(decoding: arguments.first ?? [], as: UTF8.self).uppercased()
            throw RDBError(.io("\(url.endpoint): \(name) failed: \(message)"), offset: input.offset)
        }
        return value
    }

    // MARK: Server facts

    /// One INFO section as field → value (`redis_version` → `7.0.15`).
    public func info(_ section: String = "server") throws(RDBError) -> [String: String] {
        guard let text = try call("INFO", section).text else { return [:] }
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }

    /// HELLO's answer (server, version, proto, id, mode, role, modules) as text fields, or nil
    /// from a server older than 6.0, which has no HELLO. Switches the connection to `protocolVersion`.
    public func hello(protocolVersion: Int = 2) throws(RDBError) -> [String: RESPValue]? {
        let value = try reply(to: "HELLO", String(protocolVersion))
        if value.errorMessage != nil { return nil }
        var fields: [String: RESPValue] = [:]
        let items = value.elements ?? []
        for i in stride(from: 0, to: items.count - 1, by: 2) {
            if let key = items[i].text { fields[key] = items[i + 1] }
        }
        return fields
    }

    private func logIn() throws(RDBError) {
        guard let password = url.password else { return }
        let reply = try reply(to: url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        if let message = reply.errorMessage {
            throw RDBError(.io("\(url.endpoint): login as \(url.user ?? "default") failed: \(message)"), offset: input.offset)
        }
    }

    private func reply(to words: [String]) throws(RDBError) -> RESPValue {
        try reply(to: words.map { Array($0.utf8) })
    }

    static func describe(_ error: Error) -> String {
        if let io = error as? IOError { return io.description }
        return String(describing: error)
    }
}

/// Time limits and TLS settings of a connection.
public struct ConnectionOptions: Sendable {
    /// Used for `rediss://` URLs; nil means the system's trust roots and full verification.
    public var tls: TLSOptions?
    public var connectTimeout: Double
    /// Seconds to wait for each reply; nil waits for ever.
    public var replyTimeout: Double?

    public init(tls: TLSOptions? = nil, connectTimeout: Double = 10, replyTimeout: Double? = 30) {
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
    }
}
