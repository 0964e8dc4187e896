import CLZF

/// LZF as Redis uses it for strings (RDB_ENC_LZF), through the system liblzf.
public enum LZF {
    /// LZF cannot expand input by more than this: a 3-byte back-reference yields at most 264 bytes.
    public static let maximumExpansion = 88

    /// Decompresses `input` into `output` (replacing its content); true when exactly
    /// `expectedLength` bytes came out, as Redis requires.
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedLength: Int, into output: ScratchBuffer) -> Bool {
        output.removeAll()
        guard expectedLength > 0 else { return input.count == 0 }
        let destination = output.reserve(expectedLength)
        let produced = lzf_decompress(input.baseAddress, UInt32(input.count), destination, UInt32(expectedLength))
        guard produced == expectedLength else { return false }
        output.commit(Int(produced))
        return true
    }
}

extension LZF {
    /// Compresses `input` as rdbSaveLzfStringObject does: only worth it when the output is at
    /// least four bytes smaller; nil otherwise.
    public static func compressIfWorthIt(_ input: UnsafeRawBufferPointer, into output: ScratchBuffer) -> Bool {
        output.removeAll()
        guard input.count > 4 else { return false }
        let limit = input.count - 4
        let destination = output.reserve(limit + 1)
        let produced = lzf_compress(input.baseAddress, UInt32(input.count), destination, UInt32(limit))
        guard produced > 0 else { return false }
        output.commit(Int(produced))
        return true
    }
}

extension LZF {
    /// `input` as LZF literal runs only (at most 32 bytes each, after a control byte of length − 1):
    /// what a piece that does not compress becomes inside a longer LZF string.
    public static func literals(_ input: UnsafeRawBufferPointer, into output: ScratchBuffer) {
        output.removeAll()
        var at = 0
        while at < input.count {
            let n = min(32, input.count - at)
            output.append(UInt8(n - 1))
            output.append(UnsafeRawBufferPointer(rebasing: input[at..<(at + n)]))
            at += n
        }
    }
}
