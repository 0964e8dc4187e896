/// What a live server is, from its `INFO server` text: the family and release, and so the RDB
/// version its RESTORE accepts (cluster.c verifyDumpPayload refuses a payload newer than its own
/// RDB_VERSION) and the encodings it would choose.
public struct TargetServer: Sendable, Equatable, CustomStringConvertible {
    public var family: RDBFamily
    /// The release, e.g. "7.0.15" (Valkey's own number, not the Redis version it reports).
    public var version: String
    public var clusterEnabled: Bool

    public init(family: RDBFamily, version: String, clusterEnabled: Bool = false) {
        self.family = family
        self.version = version
        self.clusterEnabled = clusterEnabled
    }

    /// From `INFO server` (and `INFO cluster`) fields: `redis_version`, `valkey_version` /
    /// `server_name` (Valkey 8+ reports both names; its redis_version stays 7.2.4), `cluster_enabled`.
    public init?(info fields: [String: String]) {
        if let valkey = fields["valkey_version"] {
            self.init(family: .valkey, version: valkey)
        } else if let redis = fields["redis_version"] {
            self.init(family: fields["server_name"] == "valkey" ? .valkey : .redis, version: redis)
        } else {
            return nil
        }
        clusterEnabled = fields["cluster_enabled"] == "1"
    }

    public var description: String { "\(family.rawValue) \(version)" }

    /// The payloads to write for it: the newest RDB version it loads, at most the writer's own.
    public var rdbTarget: RDBTarget {
        let parts = version.split(separator: ".").map { Int($0) ?? 0 }
        let release = (parts.first ?? 0, parts.count > 1 ? parts[1] : 0)
        let releases = family == .valkey ? TargetServer.valkeyReleases : TargetServer.redisReleases
        let name = releases.first { release >= $0.since }?.target ?? releases.last!.target
        var target = RDBTarget.named(name)!
        target.serverVersion = version
        return target
    }

    /// The first release of each RDB version (newest first) and the target that writes it.
    private static let redisReleases: [(since: (Int, Int), target: String)] = [
        ((7, 4), "redis-7.4"), ((7, 2), "redis-7.2"), ((7, 0), "redis-7.0"), ((5, 0), "redis-6.2"),
        ((4, 0), "redis-4.0"), ((3, 2), "redis-3.2"), ((0, 0), "redis-3.0"),
    ]
    private static let valkeyReleases: [(since: (Int, Int), target: String)] = [
        ((9, 0), "valkey-9"), ((8, 0), "valkey-8"), ((0, 0), "valkey-7.2"),
    ]
}
