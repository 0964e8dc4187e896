#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Holds a hash's fields until the hash ends, because its JSON form (an object, or pairs when a
/// field name is not UTF-8) is known only then. Memory is bounded: past `memoryLimit` the staged
/// fields move to an unlinked temporary file, so a hash with millions of fields costs disk, not RAM.
///
/// Record layout: flags u8 (bit 0: has expiry) | field length u32 | field | value length u32 |
/// value | [expiry i64].
final class HashStaging {
    let memoryLimit: Int
    private let memory = ScratchBuffer(capacity: 64 * 1024)
    private let fieldCopy = ScratchBuffer()
    private let spillFile = SpillFile(purpose: "a large hash")

    /// Per-field state behind a pointer, not in stored `var`s that would be checked for
    /// exclusive access at run time on every field.
    private struct State {
        var count = 0
        var allFieldsUTF8 = true
        var anyExpiry = false
    }

    private let state = UnsafeMutablePointer<State>.allocate(capacity: 1)

    var count: Int { state.pointee.count }
    var allFieldsUTF8: Bool { state.pointee.allFieldsUTF8 }
    var anyExpiry: Bool { state.pointee.anyExpiry }

    /// 1 MiB: what the rest of an export holds at once (one input chunk, one output buffer).
    init(memoryLimit: Int = 1 << 20) {
        self.memoryLimit = memoryLimit
        state.initialize(to: State())
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    func reset() {
        memory.removeAll()
        if memory.capacity > memoryLimit { memory.shrink(to: 64 * 1024) }
        spillFile.discard()
        state.pointee = State()
    }

    func add(field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
        // Spilled before the buffer would grow past the limit, not after.
        let size = 9 + field.count + value.count + (expireAtMs == nil ? 0 : 8)
        if memory.count > 0 && memory.count + size > memoryLimit { try spill() }
        field.withBytes { f in value.withBytes { v in append(field: f, value: v, expireAtMs: expireAtMs, size: size) } }
    }

    /// One record of `size` bytes, written with one reservation.
    @inline(__always)
    private func append(field f: UnsafeRawBufferPointer, value v: UnsafeRawBufferPointer, expireAtMs: Int64?, size: Int) {
        if state.pointee.allFieldsUTF8 && !isValidUTF8(f) { state.pointee.allFieldsUTF8 = false }
        let p = memory.reserve(size)
        p.storeBytes(of: expireAtMs == nil ? 0 : 1, as: UInt8.self)
        p.storeBytes(of: UInt32(f.count).littleEndian, toByteOffset: 1, as: UInt32.self)
        if f.count > 0 { (p + 5).copyMemory(from: f.baseAddress!, byteCount: f.count) }
        p.storeBytes(of: UInt32(v.count).littleEndian, toByteOffset: 5 + f.count, as: UInt32.self)
        if v.count > 0 { (p + 9 + f.count).copyMemory(from: v.baseAddress!, byteCount: v.count) }
        if let expireAtMs {
            state.pointee.anyExpiry = true
            p.storeBytes(of: expireAtMs.littleEndian, toByteOffset: 9 + f.count + v.count, as: Int64.self)
        }
        memory.commit(size)
        state.pointee.count += 1
    }

    private func spill() throws(RDBError) {
        try spillFile.append(memory.bytes)
        memory.removeAll()
    }

    /// Calls `body` for each staged field in order.
    func forEach(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Int64?) throws(RDBError) -> Void) throws(RDBError) {
        if spillFile.isOpen {
            try spill()
            let window = spillFile.readBack()
            for _ in 0..<state.pointee.count {
                let flags = try window.readByte()
                let fieldLength = Int(try window.readUInt32LE())
                // The field must outlive the read of the value: copy it aside.
                fieldCopy.set(try window.take(fieldLength))
                let valueLength = Int(try window.readUInt32LE())
                let value = try window.take(valueLength)
                let expiry: Int64? = flags & 1 != 0 ? Int64(bitPattern: try window.readUInt64LE()) : nil
                try body(fieldCopy.bytes, value, expiry)
            }
            return
        }
        let bytes = memory.bytes
        var at = 0
        for _ in 0..<state.pointee.count {
            let flags = bytes[at]
            let fieldLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 1, as: UInt32.self)))
            let field = UnsafeRawBufferPointer(rebasing: bytes[(at + 5)..<(at + 5 + fieldLength)])
            at += 5 + fieldLength
            let valueLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            let value = UnsafeRawBufferPointer(rebasing: bytes[(at + 4)..<(at + 4 + valueLength)])
            at += 4 + valueLength
            var expiry: Int64?
            if flags & 1 != 0 {
                expiry = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self))
                at += 8
            }
            try body(field, value, expiry)
        }
    }
}
