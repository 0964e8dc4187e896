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

    /// `description`'s "ms-seq" read back (how the export writes ids); nil for any other text.
    public init?(text: [UInt8]) {
        guard let dash = text.firstIndex(of: UInt8(ascii: "-")),
              let ms = UInt64(String(decoding: text[..<dash], as: UTF8.self)),
              let seq = UInt64(String(decoding: text[(dash + 1)...], as: UTF8.self)) else { return nil }
        self.init(ms: ms, seq: seq)
    }

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
    /// RDB 14+ (stream v5): the group's NACK zone in zone order, entries of `pending` that no
    /// consumer owns (XNACK). Nil in files without the zone.
    public var nacked: [StreamID]?

    public init(name: [UInt8], lastDeliveredID: StreamID, entriesRead: UInt64?, pending: [StreamPendingEntry],
                consumers: [StreamConsumer], nacked: [StreamID]? = nil) {
        self.name = name
        self.lastDeliveredID = lastDeliveredID
        self.entriesRead = entriesRead
        self.pending = pending
        self.consumers = consumers
        self.nacked = nacked
    }
}

/// A stream's idempotent-producer state (XADD IDMP/IDMPAUTO, XCFGSET; RDB 13+, stream v4).
public struct StreamIdmp: Sendable, Equatable {
    /// One iid a producer sent and the entry it was recorded as.
    public struct Entry: Sendable, Equatable {
        public var iid: [UInt8]
        public var id: StreamID

        public init(iid: [UInt8], id: StreamID) {
            self.iid = iid
            self.id = id
        }
    }

    public struct Producer: Sendable, Equatable {
        public var pid: [UInt8]
        /// In insertion order (oldest first).
        public var entries: [Entry]

        public init(pid: [UInt8], entries: [Entry]) {
            self.pid = pid
            self.entries = entries
        }
    }

    /// server.h CONFIG_STREAM_IDMP_*: the ranges the loader accepts and XADD's defaults.
    public static let durationRange: ClosedRange<UInt64> = 1...86400
    public static let maxSizeRange: ClosedRange<UInt64> = 1...10000
    public static let defaultDuration: UInt64 = 100
    public static let defaultMaxSize: UInt64 = 100

    /// Seconds an iid is remembered.
    public var duration: UInt64
    /// iids remembered per producer.
    public var maxSize: UInt64
    public var producers: [Producer]
    public var iidsAdded: UInt64
    public var iidsDuplicates: UInt64

    public init(duration: UInt64 = StreamIdmp.defaultDuration, maxSize: UInt64 = StreamIdmp.defaultMaxSize,
                producers: [Producer] = [], iidsAdded: UInt64 = 0, iidsDuplicates: UInt64 = 0) {
        self.duration = duration
        self.maxSize = maxSize
        self.producers = producers
        self.iidsAdded = iidsAdded
        self.iidsDuplicates = iidsDuplicates
    }

    /// What a stream that never used IDMP holds: nothing is lost when it is not written.
    public var isDefault: Bool { self == StreamIdmp() }

    /// What a server holds of this state once it has loaded it at `nowMs` (unix ms), and so what
    /// it saves: rdbLoadStreamIdmpEntries drops every iid whose entry id is not younger than the
    /// duration (`id.ms <= now - duration`), and a producer left without iids. A reader of the
    /// file shows everything; a writer writes this.
    public func live(at nowMs: Int64) -> StreamIdmp {
        // A clock before the duration (never a server's) expires nothing, rather than wrapping.
        guard nowMs > 0, UInt64(nowMs) > duration &* 1000 else { return self }
        let cutoff = UInt64(nowMs) - duration * 1000
        var kept = self
        kept.producers = producers.compactMap { producer in
            let live = producer.entries.filter { $0.id.ms > cutoff }
            return live.isEmpty ? nil : Producer(pid: producer.pid, entries: live)
        }
        return kept
    }
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
    /// RDB 13+ (stream v4 and later); nil in older files.
    public var idmp: StreamIdmp?

    public init(entries: [Entry] = [], metadata: StreamMetadata = StreamMetadata(length: 0, lastID: .zero),
                groups: [StreamGroup] = [], idmp: StreamIdmp? = nil) {
        self.entries = entries
        self.metadata = metadata
        self.groups = groups
        self.idmp = idmp
    }
}
