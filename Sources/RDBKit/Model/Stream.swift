/// A stream entry id, `ms-seq`.
public struct StreamID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var ms: UInt64
    public var seq: UInt64

    public init(ms: UInt64, seq: UInt64) {
        self.ms = ms
        self.seq = seq
    }

    public static let zero = StreamID(ms: 0, seq: 0)

    public static func < (a: StreamID, b: StreamID) -> Bool {
        a.ms != b.ms ? a.ms < b.ms : a.seq < b.seq
    }

    public var description: String { "\(ms)-\(seq)" }

    /// The 16-byte form used as rax key and in PELs: ms then seq, both big-endian.
    public init(raw: UnsafeRawBufferPointer) {
        ms = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        seq = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }
}

/// What a stream records about itself after its entries.
public struct StreamMetadata: Sendable, Equatable {
    /// Live entries.
    public var length: UInt64
    public var lastID: StreamID
    /// RDB 10+ (stream v2); absent in older files rather than guessed.
    public var firstID: StreamID?
    public var maxDeletedID: StreamID?
    public var entriesAdded: UInt64?

    public init(length: UInt64, lastID: StreamID, firstID: StreamID? = nil,
                maxDeletedID: StreamID? = nil, entriesAdded: UInt64? = nil) {
        self.length = length
        self.lastID = lastID
        self.firstID = firstID
        self.maxDeletedID = maxDeletedID
        self.entriesAdded = entriesAdded
    }
}

public struct StreamPendingEntry: Sendable, Equatable {
    public var id: StreamID
    /// The consumer that owns the entry (from the consumers' own PELs); nil if none claims it.
    public var consumer: [UInt8]?
    public var deliveryTimeMs: Int64
    public var deliveryCount: UInt64
}

public struct StreamConsumer: Sendable, Equatable {
    public var name: [UInt8]
    public var seenTimeMs: Int64
    /// RDB 11+ (stream v3).
    public var activeTimeMs: Int64?
    public var pending: [StreamID]
}

public struct StreamGroup: Sendable, Equatable {
    public var name: [UInt8]
    public var lastDeliveredID: StreamID
    /// RDB 10+ (stream v2); `invalidEntriesRead` when the server did not know it.
    public var entriesRead: UInt64?
    public var pending: [StreamPendingEntry]

    /// SCG_INVALID_ENTRIES_READ: -1 in Redis, stored in the RDB as 2^64-1, shown as nil by XINFO.
    public static let invalidEntriesRead = UInt64.max
    public var consumers: [StreamConsumer]
}

/// One entry handed to a visitor: field/value pairs borrowed from the listpack being read.
public struct StreamEntryFields {
    /// Alternating field, value.
    public let storage: UnsafeBufferPointer<RDBString>

    public var count: Int { storage.count / 2 }
    public func field(_ i: Int) -> RDBString { storage[2 * i] }
    public func value(_ i: Int) -> RDBString { storage[2 * i + 1] }
}

/// A materialized stream.
public struct StreamValue: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var id: StreamID
        public var fields: [(field: [UInt8], value: [UInt8])]

        public static func == (a: Entry, b: Entry) -> Bool {
            a.id == b.id && a.fields.elementsEqual(b.fields) { $0.field == $1.field && $0.value == $1.value }
        }
    }

    public var entries: [Entry] = []
    public var metadata = StreamMetadata(length: 0, lastID: .zero)
    public var groups: [StreamGroup] = []
}
