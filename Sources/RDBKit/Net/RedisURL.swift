/// Where a server is and how to log in: `redis://[[user]:password@]host[:port][/db]`, or
/// `rediss://` for TLS. The user info follows redis-cli's reading (parseRedisUri): without a colon
/// it is the password (for the `default` user); parts are percent-decoded; IPv6 hosts are bracketed.
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var useTLS: Bool
    /// An ACL user; nil logs in as `default` (a plain `AUTH password`).
    public var user: String?
    public var password: String?
    public var database: Int

    public static let defaultPort = 6379

    public init(host: String, port: Int = RedisURL.defaultPort, useTLS: Bool = false,
                user: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.useTLS = useTLS
        self.user = user
        self.password = password
        self.database = database
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public init(parsing text: String) throws(Failure) {
        let scheme: Bool
        if text.hasPrefix("redis://") {
            scheme = false
        } else if text.hasPrefix("rediss://") {
            scheme = true
        } else {
            throw Failure(description: "\(text): a server address starts with redis:// or rediss://")
        }
        var rest = Substring(text.drop(while: { $0 != "/" }).dropFirst(2))
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = info.firstIndex(of: ":") {
                let name = try Self.percentDecoded(info[..<colon])
                user = name.isEmpty ? nil : name
                password = try Self.percentDecoded(info[info.index(after: colon)...])
            } else {
                password = try Self.percentDecoded(info)
            }
        }
        var host = rest
        var port = RedisURL.defaultPort
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw Failure(description: "\(text): unclosed [ in the host") }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Failure(description: "\(text): unexpected \(after) after the host") }
                port = try Self.port(after.dropFirst(), in: text)
            }
        } else if let colon = host.lastIndex(of: ":") {
            port = try Self.port(host[host.index(after: colon)...], in: text)
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw Failure(description: "\(text): no host") }
        var database = 0
        if let dbText = path.split(separator: "?").first, !dbText.isEmpty {
            guard let db = Int(dbText), db >= 0 else { throw Failure(description: "\(text): database \(dbText) is not a number") }
            database = db
        }
        self.init(host: String(host), port: port, useTLS: scheme, user: user, password: password, database: database)
    }

    /// `host:port` as people write it (brackets around IPv6).
    public var endpoint: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    /// The URL without its password, for logs and messages.
    public var redacted: String {
        let login = user.map { $0 + (password == nil ? "" : ":***") + "@" } ?? (password == nil ? "" : ":***@")
        return (useTLS ? "rediss://" : "redis://") + login + endpoint + (database == 0 ? "" : "/\(database)")
    }

    private static func port(_ text: Substring, in url: String) throws(Failure) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw Failure(description: "\(url): port \(text) is not a number from 1 to 65535")
        }
        return port
    }

    private static func percentDecoded(_ text: Substring) throws(Failure) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let b = utf8.next() {
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            guard let high = utf8.next(), let low = utf8.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                throw Failure(description: "bad percent escape in \(text)")
            }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
