/// What the first bytes of the file say.
public struct RDBHeader: Sendable, Equatable {
    public var family: RDBFamily
    public var version: Int
    /// The magic as written, e.g. "REDIS0011" or "VALKEY080".
    public var magic: String
}

/// A module type id unpacked: nine characters of name and a 10-bit encoding version.
public struct ModuleTypeID: Sendable, Equatable {
    public var raw: UInt64
    public var name: String
    public var encodingVersion: Int

    static let charset = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public init(raw: UInt64) {
        self.raw = raw
        encodingVersion = Int(raw & 1023)
        var id = raw >> 10
        var chars = [UInt8](repeating: 0, count: 9)
        for i in stride(from: 8, through: 0, by: -1) {
            chars[i] = ModuleTypeID.charset[Int(id & 63)]
            id >>= 6
        }
        name = String(decoding: chars, as: UTF8.self)
    }
}

/// A module value: opaque to anyone but the module, kept as the exact bytes that followed the
/// module id (its opcodes through RDB_MODULE_OPCODE_EOF) so it can be written back unchanged.
public struct ModuleValue: Sendable, Equatable {
    public var typeID: ModuleTypeID
    public var payload: [UInt8]
}

/// Module data saved outside any key (RDB_OPCODE_MODULE_AUX).
public struct ModuleAux: Sendable, Equatable {
    public var typeID: ModuleTypeID
    /// 1: before the keyspace, 2: after it (REDISMODULE_AUX_BEFORE_RDB / AFTER_RDB).
    public var when: UInt64
    /// The bytes after the `when` field, through RDB_MODULE_OPCODE_EOF.
    public var payload: [UInt8]
}

/// Cluster slot statistics written before the keys of a slot (RDB_OPCODE_SLOT_INFO).
public struct SlotInfo: Sendable, Equatable {
    public var slot: UInt64
    public var size: UInt64
    public var expiresSize: UInt64
}

/// What the end of the file says about its integrity.
public enum ChecksumState: Sendable, Equatable {
    /// The stored CRC64 matched.
    case verified(UInt64)
    /// Stored as zero: the server was told not to compute it (rdbchecksum no).
    case disabled
    /// Versions before 5 have no checksum.
    case absent
}

public struct RDBTrailer: Sendable, Equatable {
    public var checksum: ChecksumState
    /// Bytes after the checksum that Redis ignores: where they start and how many there are.
    public var trailingBytes: (offset: Int64, count: Int64)?

    public static func == (a: RDBTrailer, b: RDBTrailer) -> Bool {
        a.checksum == b.checksum && a.trailingBytes?.offset == b.trailingBytes?.offset
            && a.trailingBytes?.count == b.trailingBytes?.count
    }
}

/// Module metadata attached to one key (Redis 8.6+, RDB_OPCODE_KEY_META before the key's type):
/// a class named by four characters, its version and flags, and the class's data kept raw.
public struct KeyMetadata: Sendable, Equatable {
    public var className: String
    public var version: Int
    /// Bit 0 of these: the class may be ignored by a server that lacks it (ALLOW_IGNORE).
    public var flags: UInt8
    /// The class's data as module opcodes through RDB_MODULE_OPCODE_EOF.
    public var payload: [UInt8]

    /// KEY_META_FLAG_ALLOW_IGNORE: a server that has no module registering the class skips it;
    /// without the flag it refuses to load the file (rdbLoadSkipMetaIfAllowed).
    public var allowsIgnore: Bool { flags & 1 != 0 }

    /// keymeta.c: the name's charset ends "_-", unlike the module type charset ("-_").
    static let charset = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)

    /// Unpacks the 32-bit class spec: 24 bits of name (6 per character), 5 of version, 3 of flags.
    public init(classSpec: UInt32, payload: [UInt8]) {
        flags = UInt8(classSpec & 0x7)
        version = Int((classSpec >> 3) & 0x1F)
        var nameBits = classSpec >> 8
        var chars = [UInt8](repeating: 0, count: 4)
        for i in stride(from: 3, through: 0, by: -1) {
            chars[i] = KeyMetadata.charset[Int(nameBits & 0x3F)]
            nameBits >>= 6
        }
        className = String(decoding: chars, as: UTF8.self)
        self.payload = payload
    }

    /// keyMetaClassEncode: the spec the file stores (4 bytes, host order); nil when the name is not
    /// 4 characters of the charset, the version over 31 or the flags over 7.
    public var classSpec: UInt32? {
        let name = Array(className.utf8)
        guard name.count == 4, version >= 0, version <= 31, flags <= 7 else { return nil }
        var bits: UInt32 = 0
        for c in name {
            guard let i = KeyMetadata.charset.firstIndex(of: c) else { return nil }
            bits = bits << 6 | UInt32(i)
        }
        return bits << 8 | UInt32(version) << 3 | UInt32(flags)
    }
}

/// A Valkey 9 slot-import job in progress when the file was written (VALKEY_RDB_OPCODE_SLOT_IMPORT).
public struct SlotImport: Sendable, Equatable {
    public var jobName: [UInt8]
    public var slotRanges: [(from: UInt64, to: UInt64)]

    public static func == (a: SlotImport, b: SlotImport) -> Bool {
        a.jobName == b.jobName && a.slotRanges.elementsEqual(b.slotRanges) { $0.from == $1.from && $0.to == $1.to }
    }
}
