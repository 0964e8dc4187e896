/// The server a converted file is for: its RDB version, the encodings it can load, and the ones
/// it would choose itself (its default `*-max-listpack-*` thresholds), so the file looks like one
/// that server wrote.
public struct RDBTarget: Sendable, Equatable {
    public var family: RDBFamily
    public var version: Int
    /// The version string written in the `redis-ver` / `valkey-ver` aux field.
    public var serverVersion: String
    /// Valkey 8 writes Redis's magic and version 11, but names itself in a `valkey-ver` aux field.
    public var writtenByValkey: Bool

    /// The encodings its server would choose (redis.conf's defaults).
    public var thresholds = EncodingThresholds()

    public init(family: RDBFamily, version: Int, serverVersion: String, writtenByValkey: Bool? = nil) {
        self.family = family
        self.version = version
        self.serverVersion = serverVersion
        self.writtenByValkey = writtenByValkey ?? (family == .valkey)
    }

    /// Named servers, and bare RDB versions (as the newest Redis release that writes them).
    public static func named(_ name: String) -> RDBTarget? {
        switch name.lowercased() {
        case "redis-2.6", "redis-2.8", "redis-3.0": return RDBTarget(family: .redis, version: 6, serverVersion: "3.0.7")
        case "redis-3.2": return RDBTarget(family: .redis, version: 7, serverVersion: "3.2.13")
        case "redis-4.0": return RDBTarget(family: .redis, version: 8, serverVersion: "4.0.14")
        case "redis-5.0", "redis-6.0", "redis-6.2": return RDBTarget(family: .redis, version: 9, serverVersion: "6.2.14")
        case "redis-7.0": return RDBTarget(family: .redis, version: 10, serverVersion: "7.0.15")
        case "redis-7.2", "valkey-7.2": return RDBTarget(family: .redis, version: 11, serverVersion: "7.2.4")
        case "valkey-8", "valkey-8.0", "valkey-8.1":
            return RDBTarget(family: .redis, version: 11, serverVersion: "8.1.1", writtenByValkey: true)
        case "redis-7.4", "redis-8.0", "redis-8.2", "redis-8.4": return RDBTarget(family: .redis, version: 12, serverVersion: "8.2.3")
        case "redis-8.6": return RDBTarget(family: .redis, version: 13, serverVersion: "8.6.0")
        case "redis-8.8": return RDBTarget(family: .redis, version: 14, serverVersion: "8.8.0")
        case "valkey-9", "valkey-9.0", "valkey-9.1": return RDBTarget(family: .valkey, version: 80, serverVersion: "9.1.2")
        default:
            guard let v = Int(name) else { return nil }
            switch v {
            case 6: return named("redis-3.0")
            case 7: return named("redis-3.2")
            case 8: return named("redis-4.0")
            case 9: return named("redis-6.2")
            case 10: return named("redis-7.0")
            case 11: return named("redis-7.2")
            case 12: return named("redis-8.2")
            case 13: return named("redis-8.6")
            case 14: return named("redis-8.8")
            case 80: return named("valkey-9")
            default: return nil
            }
        }
    }

    public static let supportedNames = ["redis-3.0", "redis-3.2", "redis-4.0", "redis-6.2", "redis-7.0",
                                        "redis-7.2", "redis-7.4", "redis-8.2", "redis-8.6", "redis-8.8", "valkey-8", "valkey-9"]

    /// The magic the file starts with.
    public var magic: String { family.magic(version: version) }

    /// Whether the target can load `type` (and so may be written it): the type table's versions.
    func holds(_ type: RDBValueType) -> Bool { type.exists(family: family, version: version) }

    /// A file with `header` holds nothing this target would store otherwise than as it stands
    /// there (the same magic: the same type bytes and encodings), so its values can be copied.
    func storesAsIs(_ header: RDBHeader) -> Bool { header.magic == magic }

    // What the target can load (and would write).
    var hasAuxFields: Bool { version >= 7 }
    var hasListpacks: Bool { holds(.RDB_TYPE_HASH_LISTPACK) }
    var hasQuicklist: Bool { holds(.RDB_TYPE_LIST_QUICKLIST) }
    /// RDB_OPCODE_RESIZEDB after SELECTDB (Redis 3.2+).
    var hasResizeHints: Bool { family == .valkey || version >= 7 }
    var hasSetListpack: Bool { holds(.RDB_TYPE_SET_LISTPACK) }
    var hasBinaryScores: Bool { holds(.RDB_TYPE_ZSET_2) }
    var hasModules: Bool { holds(.RDB_TYPE_MODULE_2) }
    var hasStreams: Bool { holds(.RDB_TYPE_STREAM_LISTPACKS) }
    var hasLRUAndLFU: Bool { family == .valkey || version >= 9 }
    var hasFunctions: Bool { family == .valkey || version >= 10 }
    var hasFieldTTLs: Bool { holds(.RDB_TYPE_HASH_METADATA) || holds(.VALKEY_RDB_TYPE_HASH_2) }
    var hasChecksum: Bool { family == .valkey || version >= 5 }
    var hasMillisecondExpiry: Bool { family == .valkey || version >= 3 }
    /// Redis 8.6+: key metadata (RDB_OPCODE_KEY_META).
    var hasKeyMetadata: Bool { family == .redis && version >= 13 }
    /// Streams' IDMP state (stream v4), consumer groups' NACK zones (stream v5), arrays.
    var hasStreamIdmp: Bool { streamType.streamLayout!.hasIdmp }
    var hasNackZones: Bool { streamType.streamLayout!.hasNackZones }
    var hasArrays: Bool { holds(.RDB_TYPE_ARRAY) }
    /// What rdbSaveObjectType writes for a stream: the newest stream type the target holds
    /// (8.8 every stream as v5, 8.6 as v4); v1 where it holds none (the stream is dropped).
    var streamType: RDBValueType {
        var newest = RDBValueType.RDB_TYPE_STREAM_LISTPACKS
        for type in RDBValueType.allCases where holds(type) {
            if let layout = type.streamLayout, layout.revision > newest.streamLayout!.revision { newest = type }
        }
        return newest
    }
}
