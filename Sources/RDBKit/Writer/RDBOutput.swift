/// The bytes of an RDB file as they are written: buffered, checksummed (CRC64 as Redis computes
/// it), and encoded with Redis's own primitives (rdbSaveLen, rdbSaveRawString, ...).
public final class RDBOutput {
    private let buffer = ScratchBuffer(capacity: 1 << 20)
    private let lzfScratch = ScratchBuffer()
    private lazy var longStringStage = SpillFile(purpose: "a long string value")
    private lazy var longStringDecoder = LZFStreamDecoder(pieceSize: 1 << 20)
    private let file: ByteSink?
    /// The CRC64 of the flushed bytes; for an `OutputFile`, computed by its writing thread.
    private let crc = UnsafeMutablePointer<CRC64>.allocate(capacity: 1)
    private let outputFile: OutputFile?
    /// Whether strings longer than 20 bytes are tried with LZF (rdbcompression).
    let compress: Bool
    public private(set) var bytesWritten: Int64 = 0

    public init(file: ByteSink?, compress: Bool = true) {
        self.file = file
        self.compress = compress
        crc.initialize(to: CRC64())
        outputFile = file as? OutputFile
        outputFile?.digest = { [crc] in crc.pointee.update($0) }
    }

    deinit {
        // The file's writing thread may still hold the digest: it is done once the file is.
        outputFile?.abandon()
        crc.deallocate()
    }

    /// Everything written so far when there is no file (RESTORE payloads, tests).
    public var pending: [UInt8] { [UInt8](buffer.bytes) }

    /// CRC64 of every byte written so far, flushed or not.
    var checksum: UInt64 {
        // A write that failed is reported again by the file's commit.
        try? outputFile?.drain()
        var c = crc.pointee
        c.update(buffer.bytes)
        return c.value
    }

    func flush() throws(RDBError) {
        guard let file, buffer.count > 0 else { return }
        if outputFile == nil { crc.pointee.update(buffer.bytes) }
        try file.write(buffer.bytes)
        bytesWritten += Int64(buffer.count)
        buffer.removeAll()
    }

    @inline(__always)
    func flushIfFull() throws(RDBError) {
        if buffer.count >= 1 << 20 { try flush() }
    }

    func byte(_ b: UInt8) { buffer.append(b) }

    func raw(_ b: UnsafeRawBufferPointer) { buffer.append(b) }

    func raw(_ b: [UInt8]) { b.withUnsafeBytes { buffer.append($0) } }

    func uint64LE(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { buffer.append($0) } }

    func uint64BE(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { buffer.append($0) } }

    func uint32LE(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { buffer.append($0) } }

    /// rdbSaveMillisecondTime: 8 bytes little-endian.
    func millisecondTime(_ ms: Int64) { uint64LE(UInt64(bitPattern: ms)) }

    /// rdbSaveBinaryDoubleValue: 8 bytes little-endian IEEE.
    func binaryDouble(_ d: Double) { uint64LE(d.bitPattern) }

    /// rdbSaveDoubleValue, the old string form (type 3 zsets before RDB 8): 253/254/255 for
    /// NaN/+inf/-inf, else a length byte and the shortest text that reads back the same.
    func stringDouble(_ d: Double) {
        if d.isNaN { return byte(253) }
        if d.isInfinite { return byte(d > 0 ? 254 : 255) }
        let text = DoubleText.rdbStringDouble(d)
        byte(UInt8(text.utf8.count))
        raw(Array(text.utf8))
    }

    /// rdbSaveLen: the shortest of the 6-, 14-, 32- and 64-bit forms, big-endian.
    func length(_ v: UInt64) {
        if v < 1 << 6 {
            byte(UInt8(v))
        } else if v < 1 << 14 {
            byte(0x40 | UInt8(v >> 8))
            byte(UInt8(v & 0xFF))
        } else if v <= UInt64(UInt32.max) {
            byte(0x80)
            withUnsafeBytes(of: UInt32(v).bigEndian) { buffer.append($0) }
        } else {
            byte(0x81)
            withUnsafeBytes(of: v.bigEndian) { buffer.append($0) }
        }
    }

    func length(_ v: Int) { length(UInt64(v)) }

    /// rdbSaveRawString: canonical integers up to 11 characters as INT8/16/32, strings over 20
    /// bytes as LZF when that saves at least 4 bytes, everything else verbatim.
    func string(_ s: UnsafeRawBufferPointer) {
        if s.count <= 11, let v = canonicalInt64(s), let encoded = Self.integerEncoding(v) {
            return raw(encoded)
        }
        if compress && s.count > 20 && LZF.compressIfWorthIt(s, into: lzfScratch) {
            byte(0xC0 | RDBStringEncoding.RDB_ENC_LZF)
            length(lzfScratch.count)
            length(s.count)
            raw(lzfScratch.bytes)
            return
        }
        length(s.count)
        raw(s)
    }

    func string(_ s: [UInt8]) { s.withUnsafeBytes { string($0) } }

    /// rdbSaveRawString for a value that arrives in pieces (never an integer: it is too long).
    /// Uncompressed, it streams through. Compressed, each piece is LZF-compressed on its own (LZF
    /// token streams concatenate: a back-reference never leaves its piece) and staged in a
    /// temporary file until the total says whether LZF saves the 4 bytes Redis asks for; when it
    /// does not, the stage is expanded again into the plain form.
    func string(_ value: StringValue) throws(RDBError) {
        if let whole = value.whole { return whole.withBytes { string($0) } }
        guard compress else {
            length(value.count)
            try value.forEachPiece { (piece) throws(RDBError) in
                raw(piece)
                try flushIfFull()
            }
            return
        }
        let stage = longStringStage
        defer { stage.discard() }
        var compressedCount = 0
        try value.forEachPiece { (piece) throws(RDBError) in
            if !LZF.compressIfWorthIt(piece, into: lzfScratch) { LZF.literals(piece, into: lzfScratch) }
            compressedCount += lzfScratch.count
            try stage.append(lzfScratch.bytes)
        }
        lzfScratch.shrink(to: 64 * 1024)
        let staged = stage.readBack()
        if compressedCount <= value.count - 4 {
            byte(0xC0 | RDBStringEncoding.RDB_ENC_LZF)
            length(compressedCount)
            length(value.count)
            var left = compressedCount
            while left > 0 {
                let piece = try staged.take(min(left, 1 << 20))
                left -= piece.count
                raw(piece)
                try flushIfFull()
            }
            return
        }
        length(value.count)
        let expanded = try longStringDecoder.decode(from: staged, compressedLength: compressedCount, expandedLength: value.count) {
            (piece) throws(RDBError) in
            raw(piece)
            try flushIfFull()
        }
        precondition(expanded, "a staged LZF string did not expand to its own length")
    }

    /// rdbEncodeInteger: INT8, INT16 or INT32, little-endian; nil when the value needs more.
    static func integerEncoding(_ v: Int64) -> [UInt8]? {
        if v >= Int64(Int8.min) && v <= Int64(Int8.max) {
            return [0xC0 | RDBStringEncoding.RDB_ENC_INT8, UInt8(bitPattern: Int8(v))]
        }
        if v >= Int64(Int16.min) && v <= Int64(Int16.max) {
            let u = UInt16(bitPattern: Int16(v))
            return [0xC0 | RDBStringEncoding.RDB_ENC_INT16, UInt8(u & 0xFF), UInt8(u >> 8)]
        }
        if v >= Int64(Int32.min) && v <= Int64(Int32.max) {
            let u = UInt32(bitPattern: Int32(v))
            return [0xC0 | RDBStringEncoding.RDB_ENC_INT32, UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF),
                    UInt8((u >> 16) & 0xFF), UInt8(u >> 24)]
        }
        return nil
    }
}
