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
    private var spillFD: Int32 = -1
    private(set) var count = 0
    private(set) var allFieldsUTF8 = true
    private(set) var anyExpiry = false

    init(memoryLimit: Int = 8 << 20) {
        self.memoryLimit = memoryLimit
    }

    deinit {
        if spillFD >= 0 { close(spillFD) }
    }

    func reset() {
        memory.removeAll()
        if memory.capacity > memoryLimit { memory.shrink(to: 64 * 1024) }
        if spillFD >= 0 {
            close(spillFD)
            spillFD = -1
        }
        count = 0
        allFieldsUTF8 = true
        anyExpiry = false
    }

    func add(field: RDBString, value: RDBString, expireAtMs: Int64?) throws(RDBError) {
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
        if memory.count >= memoryLimit { try spill() }
    }

    private func appendSized(_ b: UnsafeRawBufferPointer) {
        withUnsafeBytes(of: UInt32(b.count).littleEndian) { memory.append($0) }
        memory.append(b)
    }

    private func spill() throws(RDBError) {
        if spillFD < 0 {
            var template = Array("/tmp/rdbkit-hash-XXXXXX".utf8CString)
            if let dir = getenv("TMPDIR") {
                template = Array((String(cString: dir) + "/rdbkit-hash-XXXXXX").utf8CString)
            }
            spillFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard spillFD >= 0 else {
                throw RDBError(.io("cannot create a temporary file for a large hash: \(errnoText())"), offset: 0)
            }
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        }
        var p = memory.bytes.baseAddress
        var left = memory.count
        while left > 0 {
            let n = write(spillFD, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw RDBError(.io("cannot write a large hash to a temporary file: \(errnoText())"), offset: 0)
            }
            p = p! + n
            left -= n
        }
        memory.removeAll()
    }

    /// Calls `body` for each staged field in order.
    func forEach(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Int64?) throws(RDBError) -> Void) throws(RDBError) {
        if spillFD >= 0 {
            try spill()
            lseek(spillFD, 0, SEEK_SET)
            let window = InputWindow(source: FileSource(borrowing: spillFD), checksummed: false)
            for _ in 0..<count {
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
        for _ in 0..<count {
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
