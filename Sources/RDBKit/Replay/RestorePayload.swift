/// DUMP/RESTORE payloads read back (cluster.c verifyDumpPayload + rdbLoadObject): the value's
/// serialization, then the RDB version (2 bytes LE) and a CRC64 (8 bytes LE) of everything
/// before it. The value is read by the RDB reader itself, wrapped as a one-key file.
public enum RestorePayload {
    public static func decode(_ payload: Bytes) throws(RDBError) -> RedisValue {
        guard payload.count >= 11 else { throw RDBError(.truncated(needed: 11 - payload.count), offset: Int64(payload.count)) }
        let footer = payload.count - 10
        let version = Int(payload[footer]) | Int(payload[footer + 1]) << 8
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(payload[footer + 2 + i]) << (8 * UInt64(i)) }
        var crc = CRC64()
        payload[..<(footer + 2)].withUnsafeBytes { crc.update($0) }
        if stored != 0 && stored != crc.value {
            throw RDBError(.badChecksum(stored: stored, computed: crc.value), offset: Int64(footer + 2))
        }
        // A payload's footer version says the family: Redis <= 79, Valkey >= 80 (magic "VALKEY080").
        let magic = (version >= 80 ? RDBFamily.valkey : .redis).magic(version: version)
        // Redis 8.6+: a key's metadata comes before its type byte, as in a file (cluster.c createDumpPayload).
        var typeAt = 0
        if payload[0] == RDBOpcode.RDB_OPCODE_KEY_META && version < 80 {
            let input = InputWindow(source: PrefixedSource(prefix: Array(payload[1..<footer]), rest: try FileSource(path: "/dev/null")))
            _ = try RDBParser(input: input, visitor: RecordCollector { _ in }).readKeyMetadata(at: 0)
            typeAt = 1 + Int(input.offset)
            guard typeAt < footer else { throw RDBError(.truncated(needed: 1), offset: Int64(typeAt)) }
        }
        var file = Array(magic.utf8)
        file += payload[...typeAt]
        file += [1, UInt8(ascii: "k")]
        file += payload[(typeAt + 1)..<footer]
        file.append(RDBOpcode.RDB_OPCODE_EOF)
        // A zero checksum means "not computed" (the payload's own CRC was checked above).
        if version >= 5 { file += [UInt8](repeating: 0, count: 8) }
        var result: RedisValue?
        let reader = RecordCollector { record in result = record.value }
        try RDBReader.read(source: PrefixedSource(prefix: file, rest: try FileSource(path: "/dev/null")), visitor: reader)
        guard let result else { throw RDBError(.corrupt("the payload holds no value")) }
        return result
    }
}
