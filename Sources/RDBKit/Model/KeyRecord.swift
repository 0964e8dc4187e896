public struct SortedSetMember: Sendable, Equatable {
    public var member: Bytes
    public var score: Double

    public init(member: Bytes, score: Double) {
        self.member = member
        self.score = score
    }
}

public struct HashField: Sendable, Equatable {
    public var field: Bytes
    public var value: Bytes
    /// Absolute expiry of this field in unix ms (Redis 7.4+ and Valkey 9 hash-field TTLs).
    public var expireAtMs: Int64?

    public init(field: Bytes, value: Bytes, expireAtMs: Int64? = nil) {
        self.field = field
        self.value = value
        self.expireAtMs = expireAtMs
    }
}

/// A key's value, materialized. Elements are in the file's order.
public enum RedisValue: Sendable, Equatable {
    case string(Bytes)
    case list([Bytes])
    case set([Bytes])
    case sortedSet([SortedSetMember])
    case hash([HashField])
    case stream(StreamValue)
    case module(ModuleValue)
    case array(ArrayValue)

    public var type: RedisType {
        switch self {
        case .string: return .string
        case .list: return .list
        case .set: return .set
        case .sortedSet: return .zset
        case .hash: return .hash
        case .stream: return .stream
        case .module: return .module
        case .array: return .array
        }
    }
}

/// One key with everything the file says about it.
public struct KeyRecord: Sendable, Equatable {
    public var db: Int
    public var key: Bytes
    public var value: RedisValue
    /// Absolute expiry in unix ms.
    public var expireAtMs: Int64?
    public var idleSeconds: UInt64?
    public var lfuFrequency: UInt8?
    /// The RDB type the value was stored with, when it was read from a file.
    public var rdbType: RDBValueType?
    /// Module metadata classes attached to the key (Redis 8.6+).
    public var metadata: [KeyMetadata]

    public init(db: Int, key: Bytes, value: RedisValue, expireAtMs: Int64? = nil,
                idleSeconds: UInt64? = nil, lfuFrequency: UInt8? = nil, rdbType: RDBValueType? = nil,
                metadata: [KeyMetadata] = []) {
        self.db = db
        self.key = key
        self.value = value
        self.expireAtMs = expireAtMs
        self.idleSeconds = idleSeconds
        self.lfuFrequency = lfuFrequency
        self.rdbType = rdbType
        self.metadata = metadata
    }
}
