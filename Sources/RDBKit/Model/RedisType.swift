/// The type of a key as Redis reports it with `TYPE`.
public enum RedisType: String, Sendable, Codable, CaseIterable {
    case string, list, set, zset, hash, stream, module, array

    /// Position in `allCases`, for counting per type in an array.
    public var ordinal: Int {
        switch self {
        case .string: return 0
        case .list: return 1
        case .set: return 2
        case .zset: return 3
        case .hash: return 4
        case .stream: return 5
        case .module: return 6
        case .array: return 7
        }
    }
}
