/// Every failure the reader reports: what went wrong, where in the file, and which key was being read.
public struct RDBError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The input ended while `needed` more bytes were expected.
        case truncated(needed: Int)
        /// A length field claims more than the input can hold.
        case lyingLength(claimed: UInt64, limit: UInt64)
        /// A length field claims more bytes than are left before the end of a file of known size:
        /// the file is truncated there, or the length is damaged.
        case pastEndOfFile(claimed: UInt64, left: UInt64)
        /// A magic, type, opcode or encoding byte that this format does not define.
        case badEncoding(String)
        /// The stored CRC64 does not match the bytes read.
        case badChecksum(stored: UInt64, computed: UInt64)
        /// A version this reader does not know.
        case unsupportedVersion(String)
        /// A structure that is well framed but breaks a rule Redis enforces.
        case corrupt(String)
        /// Something in the file that exists but that no one can read (pre-release formats).
        case unreadable(String)
        /// The operating system refused a read.
        case io(String)
        /// An output could not be made, written or renamed into place (the message names it).
        case output(String)
        /// The target cannot hold what the input has, and the loss policy refuses to drop it.
        case cannotHold(String)
        /// An output names the same file as an input (refused before anything is written).
        case outputIsInput(output: String, input: String)
    }

    public var kind: Kind
    /// Absolute byte offset in the (decompressed) input where the problem was found.
    public var offset: Int64
    /// The key being read, when the error happened inside a key.
    public var key: [UInt8]?
    /// What was being read, e.g. "listpack of hash".
    public var context: String?

    public init(_ kind: Kind, offset: Int64, key: [UInt8]? = nil, context: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.key = key
        self.context = context
    }

    /// An error with no place in an input: a server that refused, a path that cannot be opened,
    /// a directory that cannot be made. Its `offset` is `RDBError.unplaced`.
    public init(_ kind: Kind, key: [UInt8]? = nil, context: String? = nil) {
        self.init(kind, offset: RDBError.unplaced, key: key, context: context)
    }

    /// The offset of an error that has no place in an input.
    public static let unplaced: Int64 = -1

    public var reason: String {
        switch kind {
        case .truncated(let needed): return "unexpected end of input: truncated here (\(needed) more bytes were expected)"
        case .pastEndOfFile(let claimed, let left):
            return "the file is truncated here, or this length is damaged: it says \(claimed) bytes follow, the file ends \(left) bytes later"
        case .lyingLength(let claimed, let limit):
            return "length \(claimed) is larger than the \(limit) bytes that can follow"
        case .badEncoding(let s), .corrupt(let s), .unreadable(let s), .io(let s): return s
        case .badChecksum(let stored, let computed):
            return "checksum mismatch: file says \(hex(stored)), content gives \(hex(computed))"
        case .unsupportedVersion(let s), .output(let s), .cannotHold(let s): return s
        case .outputIsInput(let output, let input):
            return "the output \(output) is the input \(input) (the same file); choose another output"
        }
    }

    /// An error of an output, not of the input being read: it has no input offset or key.
    public var isOutputError: Bool {
        switch kind {
        case .output, .outputIsInput: return true
        default: return false
        }
    }

    /// Whether the error has a place in the input (not so for outputs and refused losses).
    public var isPositional: Bool {
        if offset == RDBError.unplaced { return false }
        switch kind {
        case .output, .outputIsInput, .cannotHold: return false
        default: return true
        }
    }

    public var description: String {
        if !isPositional { return (context.map { $0 + ": " } ?? "") + reason }
        var s = "at offset \(offset)"
        if let key { s += " (key \(displayKey(key)))" }
        s += ": "
        if let context { s += "\(context): " }
        return s + reason
    }
}

func hex(_ v: UInt64) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}

/// A key shown to people: printable ASCII as is, everything else as \xNN, at most 80 bytes.
public func displayKey(_ key: [UInt8]) -> String {
    var s = "\""
    for b in key.prefix(80) {
        switch b {
        case 0x22: s += "\\\""
        case 0x5C: s += "\\\\"
        case 0x20...0x7E: s.unicodeScalars.append(Unicode.Scalar(b))
        default:
            let h = String(b, radix: 16)
            s += "\\x" + (h.count == 1 ? "0" + h : h)
        }
    }
    s += key.count > 80 ? "\"…" : "\""
    return s
}
