/// The settings that decide which encoding a server gives a value, at redis.conf's defaults:
/// what the writer chooses by (so a converted file looks like one that server wrote) and what the
/// memory estimate assumes the loading server does.
public struct EncodingThresholds: Sendable, Equatable {
    /// hash-max-listpack-entries and zset-max-listpack-entries.
    public var maxListpackEntries = 128
    /// hash-max-listpack-value and zset-max-listpack-value.
    public var maxListpackValue = 64
    /// set-max-intset-entries.
    public var maxIntsetEntries = 512
    /// set-max-listpack-entries and set-max-listpack-value (Redis 7.2+).
    public var maxSetListpackEntries = 128
    public var maxSetListpackValue = 64
    /// list-max-listpack-size -2: nodes of up to 8 KB.
    public var listNodeBytes = 8192
    /// stream-node-max-bytes and stream-node-max-entries.
    public var streamNodeMaxBytes = 4096
    public var streamNodeMaxEntries = 100

    public init() {}
}
