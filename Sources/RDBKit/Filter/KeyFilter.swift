/// Which keys a verb works on: by database, key pattern, type and expiry. Decided before a key's
/// value is read, so a rejected key is skipped by its lengths, without decoding.
public struct KeyFilter: Sendable {
    public var databases: Set<Int> = []
    public var keyPatterns: [GlobPattern] = []
    public var keyRegex: (any RegexMatcher)?
    public var types: Set<RedisType> = []
    /// true: only keys whose expiry has passed; false: only keys that have not expired.
    public var expired: Bool?
    /// "Now" for `expired`, in unix ms.
    public var nowMs: Int64
    /// Only keys whose estimated memory is at least this many bytes (decided after reading them).
    public var minimumSize: Int?

    public init(nowMs: Int64) {
        self.nowMs = nowMs
    }

    public var isEmpty: Bool {
        databases.isEmpty && keyPatterns.isEmpty && keyRegex == nil && types.isEmpty && expired == nil && minimumSize == nil
    }

    public func accepts(_ info: KeyInfo, key: UnsafeRawBufferPointer) -> Bool {
        if !databases.isEmpty && !databases.contains(info.db) { return false }
        if !types.isEmpty && !types.contains(info.type) { return false }
        if let expired {
            let hasPassed = (info.expireAtMs ?? .max) <= nowMs
            if hasPassed != expired { return false }
        }
        if !keyPatterns.isEmpty && !keyPatterns.contains(where: { $0.matches(key) }) { return false }
        if let keyRegex, !keyRegex.matches(key) { return false }
        return true
    }
}

/// A regular expression over key bytes (keys that are not UTF-8 are matched with U+FFFD for
/// their invalid bytes). A protocol so the library needs no regex engine of its own.
public protocol RegexMatcher: Sendable {
    func matches(_ key: UnsafeRawBufferPointer) -> Bool
}
