/// Which primary serves each of the 16384 slots, as the cluster itself says (`CLUSTER SHARDS`,
/// Redis 7.0+, or `CLUSTER SLOTS` before it), and the redirections a node answers with when the
/// map is stale (`-MOVED slot host:port`, `-ASK slot host:port`).
public struct ClusterTopology: Sendable, Equatable {
    /// The primaries, as `host:port` endpoints.
    public private(set) var primaries: [Endpoint]
    /// Slot → index into `primaries`; -1 for a slot no node serves.
    private var owners: [Int16]

    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }
    }

    public init() {
        primaries = []
        owners = [Int16](repeating: -1, count: ClusterSlot.count)
    }

    /// The primary serving `slot`, if any.
    public func primary(forSlot slot: Int) -> Int? {
        let owner = owners[slot]
        return owner < 0 ? nil : Int(owner)
    }

    public var uncoveredSlots: Int { owners.lazy.filter { $0 < 0 }.count }

    /// Hands `slots` to `endpoint` (a MOVED reply does this for one slot).
    public mutating func assign(_ slots: ClosedRange<Int>, to endpoint: Endpoint) {
        guard slots.lowerBound >= 0, slots.upperBound < ClusterSlot.count else { return }
        let index: Int
        if let known = primaries.firstIndex(of: endpoint) {
            index = known
        } else {
            index = primaries.count
            primaries.append(endpoint)
        }
        for slot in slots { owners[slot] = Int16(index) }
    }

    /// `CLUSTER SHARDS`: per shard `slots` (a flat list of range bounds) and `nodes` (maps with
    /// `ip`/`endpoint`, `port` or `tls-port`, `role`, `health`); the shard's healthy primary serves them.
    /// `defaultHost` replaces an endpoint the node does not know or hides ("?" / "").
    public init?(shards reply: RESPValue, defaultHost: String) {
        guard let shards = reply.elements else { return nil }
        self.init()
        for shard in shards {
            let fields = ClusterTopology.fields(of: shard)
            guard let bounds = fields["slots"]?.elements?.compactMap(\.integerValue),
                  let nodes = fields["nodes"]?.elements else { return nil }
            let primary = nodes.map(ClusterTopology.fields(of:)).first {
                $0["role"]?.text == "master" && ($0["health"]?.text ?? "online") == "online"
            }
            guard let primary, let port = (primary["port"] ?? primary["tls-port"])?.integerValue else { continue }
            let endpoint = Endpoint(host: ClusterTopology.host(primary["endpoint"]?.text ?? primary["ip"]?.text, defaultHost),
                                    port: Int(port))
            for i in stride(from: 0, to: bounds.count - 1, by: 2) where bounds[i] <= bounds[i + 1] {
                assign(Int(bounds[i])...Int(bounds[i + 1]), to: endpoint)
            }
        }
    }

    /// `CLUSTER SLOTS`: `[start, end, [host, port, id?, …] primary, replicas…]` per range.
    public init?(slots reply: RESPValue, defaultHost: String) {
        guard let ranges = reply.elements else { return nil }
        self.init()
        for range in ranges {
            guard let items = range.elements, items.count >= 3,
                  let start = items[0].integerValue, let end = items[1].integerValue, start <= end,
                  let node = items[2].elements, node.count >= 2, let port = node[1].integerValue else { return nil }
            assign(Int(start)...Int(end), to: Endpoint(host: ClusterTopology.host(node[0].text, defaultHost), port: Int(port)))
        }
    }

    private static func host(_ reported: String?, _ fallback: String) -> String {
        guard let reported, !reported.isEmpty, reported != "?" else { return fallback }
        return reported
    }

    /// A RESP2 flat list of name, value… or a RESP3 map, by name.
    private static func fields(of value: RESPValue) -> [String: RESPValue] {
        var fields: [String: RESPValue] = [:]
        let items = value.elements ?? []
        for i in stride(from: 0, to: items.count - 1, by: 2) {
            if let name = items[i].text { fields[name] = items[i + 1] }
        }
        return fields
    }
}

/// A cluster node's answer that a key lives elsewhere (cluster.c getNodeByQuery's replies).
public struct ClusterRedirect: Sendable, Equatable {
    public enum Kind: Sendable { case moved, ask }
    public var kind: Kind
    public var slot: Int
    public var endpoint: ClusterTopology.Endpoint

    /// `MOVED 3999 127.0.0.1:6381` or `ASK 3999 127.0.0.1:6381` (an error reply's text); an
    /// empty host (a node that does not know its own address) means the node that answered.
    public init?(error message: String, answeringHost: String) {
        let words = message.split(separator: " ")
        guard words.count == 3, let slot = Int(words[1]), slot >= 0, slot < ClusterSlot.count,
              let colon = words[2].lastIndex(of: ":"), let port = Int(words[2][words[2].index(after: colon)...]) else { return nil }
        switch words[0] {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        self.slot = slot
        var host = String(words[2][..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        endpoint = ClusterTopology.Endpoint(host: host.isEmpty ? answeringHost : host, port: port)
    }
}

extension RESPValue {
    var integerValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .bulk, .simple: return text.flatMap { Int64($0) }
        default: return nil
        }
    }
}
