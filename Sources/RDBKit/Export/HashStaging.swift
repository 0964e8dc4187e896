#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Holds a hash's fields until the hash ends, because its JSON form (an object, or pairs when a
/// field name is not UTF-8) is known only then. Memory is bounded: past `memoryLimit` the staged
/// fields move to an unlinked temporary file, so a hash with millions of fields costs disk, not RAM.
///
/// Record layout: flags u8 (bit 0: has expiry, bit 1: value in `longValues`, bit 2: that value is
/// UTF-8) | field length u32 | field | value length u32 | value (unless in `longValues`) | [expiry i64].
/// A value that arrives in pieces goes to a file of its own as it comes (its UTF-8 is known only
/// at its end, and the record before it must say so), read back in the same order.
final class HashStaging {
    /// A staged value: in memory, or `count` bytes next in a spill file's window.
    enum Value {
        case bytes(UnsafeRawBufferPointer)
        case staged(count: Int, isUTF8: Bool, from: InputWindow)

        var count: Int {
            switch self {
            case .bytes(let b): b.count
            case .staged(let count, _, _): count
            }
        }
    }

    let memoryLimit: Int
    private let memory = ScratchBuffer(capacity: 64 * 1024)
    private let fieldCopy = ScratchBuffer()
    private let spillFile = SpillFile(purpose: "a large hash")
    private let longValues = SpillFile(purpose: "a hash's long values")
    private var longValuesRead: InputWindow?
    private(set) var count = 0
    private(set) var allFieldsUTF8 = true
    private(set) var anyExpiry = false

    /// 1 MiB: what the rest of an export holds at once (one input chunk, one output buffer).
    init(memoryLimit: Int = 1 << 20) {
        self.memoryLimit = memoryLimit
    }

    func reset() {
        memory.removeAll()
        if memory.capacity > memoryLimit { memory.shrink(to: 64 * 1024) }
        spillFile.discard()
        longValues.discard()
        longValuesRead = nil
        count = 0
        allFieldsUTF8 = true
        anyExpiry = false
    }

    func add(field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        // Spilled before the buffer would grow past the limit, not after.
        let size = 9 + field.count + value.count + (expireAtMs == nil ? 0 : 8)
        if memory.count > 0 && memory.count + size > memoryLimit { try spill() }
        memory.append(expireAtMs == nil ? 0 : 1)
        field.withBytes { f in
            if allFieldsUTF8 && !isValidUTF8(f) { allFieldsUTF8 = false }
            appendSized(f)
        }
        value.withBytes { appendSized($0) }
        if let expireAtMs {
            anyExpiry = true
            withUnsafeBytes(of: expireAtMs.littleEndian) { memory.append($0) }
        }
        count += 1
    }

    /// A field whose value arrives in pieces: the value is written to `longValues` as it comes.
    func add(field: RDBString, longValue value: StringValue, expireAtMs: Int64?) throws(RDBError) {
        var utf8 = UTF8Check()
        try value.forEachPiece { (piece) throws(RDBError) in
            utf8.update(piece)
            try longValues.append(piece)
        }
        let size = 9 + field.count + (expireAtMs == nil ? 0 : 8)
        if memory.count > 0 && memory.count + size > memoryLimit { try spill() }
        memory.append((expireAtMs == nil ? 0 : 1) | 2 | (utf8.isValid ? 4 : 0))
        field.withBytes { f in
            if allFieldsUTF8 && !isValidUTF8(f) { allFieldsUTF8 = false }
            appendSized(f)
        }
        withUnsafeBytes(of: UInt32(value.count).littleEndian) { memory.append($0) }
        if let expireAtMs {
            anyExpiry = true
            withUnsafeBytes(of: expireAtMs.littleEndian) { memory.append($0) }
        }
        count += 1
    }

    private func appendSized(_ b: UnsafeRawBufferPointer) {
        withUnsafeBytes(of: UInt32(b.count).littleEndian) { memory.append($0) }
        memory.append(b)
    }

    private func spill() throws(RDBError) {
        try spillFile.append(memory.bytes)
        memory.removeAll()
    }

    /// Calls `body` for each staged field in order. A value staged on its own is read from its
    /// window by the first pass only (the one that writes the values), each in full.
    func forEach(_ body: (UnsafeRawBufferPointer, Value, Int64?) throws(RDBError) -> Void) throws(RDBError) {
        if longValues.isOpen && longValuesRead == nil { longValuesRead = longValues.readBack() }
        func value(_ flags: UInt8, _ length: Int, _ bytes: () throws(RDBError) -> UnsafeRawBufferPointer) throws(RDBError) -> Value {
            flags & 2 != 0 ? .staged(count: length, isUTF8: flags & 4 != 0, from: longValuesRead!) : .bytes(try bytes())
        }
        if spillFile.isOpen {
            try spill()
            let window = spillFile.readBack()
            for _ in 0..<count {
                let flags = try window.readByte()
                let fieldLength = Int(try window.readUInt32LE())
                // The field must outlive the read of the value: copy it aside.
                fieldCopy.set(try window.take(fieldLength))
                let valueLength = Int(try window.readUInt32LE())
                let v = try value(flags, valueLength) { () throws(RDBError) in try window.take(valueLength) }
                let expiry: Int64? = flags & 1 != 0 ? Int64(bitPattern: try window.readUInt64LE()) : nil
                try body(fieldCopy.bytes, v, expiry)
            }
            return
        }
        let bytes = memory.bytes
        var at = 0
        for _ in 0..<count {
            let flags = bytes[at]
            let fieldLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 1, as: UInt32.self)))
            let field = UnsafeRawBufferPointer(rebasing: bytes[(at + 5)..<(at + 5 + fieldLength)])
            at += 5 + fieldLength
            let valueLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            let inMemory = flags & 2 == 0 ? valueLength : 0
            let v = try value(flags, valueLength) { UnsafeRawBufferPointer(rebasing: bytes[(at + 4)..<(at + 4 + valueLength)]) }
            at += 4 + inMemory
            var expiry: Int64?
            if flags & 1 != 0 {
                expiry = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self))
                at += 8
            }
            try body(field, v, expiry)
        }
    }
}
