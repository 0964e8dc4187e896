/// Builds JSON text in one reusable buffer and hands it to an `OutputFile` in large writes.
/// Byte strings become JSON strings when they are valid UTF-8, otherwise `{"base64":"..."}`.
public final class JSONWriter {
    private let out: WriteBuffer
    let buffer: ScratchBuffer
    /// `RedisType`'s names, copied once into 16-byte slots by ordinal (a length byte, then the
    /// name in quotes): a type is written on every record, and copying bytes costs a fraction of
    /// going through `String`.
    private let typeNames: UnsafeMutableRawPointer

    public init(output: OutputFile?) {
        out = WriteBuffer(sink: output)
        buffer = out.bytes
        typeNames = .allocate(byteCount: 16 * RedisType.allCases.count, alignment: 16)
        for type in RedisType.allCases {
            let quoted = Array("\"\(type.rawValue)\"".utf8)
            precondition(quoted.count < 16, "a type name longer than its slot")
            let slot = typeNames + 16 * type.ordinal
            slot.storeBytes(of: UInt8(quoted.count), as: UInt8.self)
            quoted.withUnsafeBytes { (slot + 1).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
    }

    deinit { typeNames.deallocate() }

    /// A key's type by name: in quotes as a JSON value, bare for CSV.
    @inline(__always)
    public func typeName(_ type: RedisType, quoted: Bool) {
        let slot = UnsafeRawPointer(typeNames + 16 * type.ordinal)
        let n = Int(slot.load(as: UInt8.self))
        let (from, count) = quoted ? (slot + 1, n) : (slot + 2, n - 2)
        buffer.reserve(count).copyMemory(from: from, byteCount: count)
        buffer.commit(count)
    }

    /// The text written and not yet flushed (everything, when there is no output file).
    public var pending: UnsafeRawBufferPointer { buffer.bytes }

    public func flushIfFull() throws(RDBError) {
        if out.isFull { try flush() }
    }

    public func flush() throws(RDBError) { try out.flush() }

    @inline(__always)
    public func raw(_ s: StaticString) {
        buffer.append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always)
    public func byte(_ b: UInt8) { buffer.append(b) }

    @inline(__always)
    public func int(_ v: Int64) {
        // A single digit, what databases and most counts are, without the general formatting.
        if UInt64(bitPattern: v) < 10 {
            buffer.append(UInt8(truncatingIfNeeded: v) &+ UInt8(ascii: "0"))
            return
        }
        let n = writeDecimal(v, to: buffer.reserve(20))
        buffer.commit(n)
    }

    @inline(__always)
    public func uint(_ v: UInt64) {
        if v <= UInt64(Int64.max) { int(Int64(v)) } else { text(String(v)) }
    }

    /// A score or other double; JSON has no infinities or NaN, so those are strings (`ExportScore`).
    public func double(_ d: Double) {
        if !d.isFinite {
            byte(UInt8(ascii: "\""))
            raw(ExportScore.name(d))
            byte(UInt8(ascii: "\""))
            return
        }
        if d == d.rounded(.towardZero) && abs(d) < 1e15 && !(d == 0 && d.sign == .minus) {
            int(Int64(d))
            return
        }
        text(d.description)
    }

    /// ASCII text known not to need escaping (numbers, ids).
    public func text(_ s: String) {
        var s = s
        s.withUTF8 { buffer.append(UnsafeRawBufferPointer($0)) }
    }

    /// `{"name":`: an object and its first member, named by the schema (`ExportField`).
    @inline(__always)
    public func open(_ name: StaticString) { member(UInt8(ascii: "{"), name) }

    /// `,"name":`: a member after the first.
    @inline(__always)
    public func field(_ name: StaticString) { member(UInt8(ascii: ","), name) }

    /// `"name"`: a schema word as a value (`ExportMeta`'s kinds).
    public func word(_ name: StaticString) {
        byte(UInt8(ascii: "\""))
        raw(name)
        byte(UInt8(ascii: "\""))
    }

    /// One reservation for the lead, the quoted name and the colon: as cheap as the literal it replaces.
    @inline(__always)
    private func member(_ lead: UInt8, _ name: StaticString) {
        let n = name.utf8CodeUnitCount
        let p = buffer.reserve(n + 4)
        p.storeBytes(of: lead, as: UInt8.self)
        p.storeBytes(of: UInt8(ascii: "\""), toByteOffset: 1, as: UInt8.self)
        (p + 2).copyMemory(from: name.utf8Start, byteCount: n)
        p.storeBytes(of: UInt8(ascii: "\""), toByteOffset: n + 2, as: UInt8.self)
        p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: n + 3, as: UInt8.self)
        buffer.commit(n + 4)
    }

    /// The optional attributes every key record has, in schema order after `key`/`type`.
    public func keyAttributes(expireAtMs: Int64?, idleSeconds: UInt64?, lfuFrequency: UInt8?) {
        if let expireAtMs {
            field(ExportField.expireAtMs)
            int(expireAtMs)
        }
        if let idleSeconds {
            field(ExportField.idle)
            uint(idleSeconds)
        }
        if let lfuFrequency {
            field(ExportField.freq)
            int(Int64(lfuFrequency))
        }
    }

    /// `{"base64":"…"}`: a binary string.
    public func base64Object(_ b: UnsafeRawBufferPointer) {
        open(ExportField.base64)
        byte(UInt8(ascii: "\""))
        base64(b)
        raw("\"}")
    }

    /// A stream id as `"ms-seq"`.
    public func streamID(_ id: StreamID) {
        byte(UInt8(ascii: "\""))
        uint(id.ms)
        byte(UInt8(ascii: "-"))
        uint(id.seq)
        byte(UInt8(ascii: "\""))
    }

    public func string(_ s: RDBString) {
        switch s {
        case .int(let v):
            byte(UInt8(ascii: "\""))
            int(v)
            byte(UInt8(ascii: "\""))
        case .bytes(let b):
            string(b)
        }
    }

    public func string(_ b: UnsafeRawBufferPointer) {
        // ASCII, what most keys and values are, is checked and escaped in one pass.
        if b.count <= 64 * 1024 && escaped(b, quotes: true, onlyASCII: true) { return }
        if isValidUTF8(b) {
            quoted(b)
        } else {
            base64Object(b)
        }
    }

    public func string(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { string($0) }
    }

    /// A string read back from `window` (`count` bytes), in the form `string` would give it:
    /// quoted when `isUTF8` (as checked by `UTF8Check` while it was staged), else base64.
    /// Written a piece at a time and flushed as it goes.
    func string(staged window: InputWindow, count: Int, isUTF8: Bool) throws(RDBError) {
        // A multiple of 3, so the base64 of the pieces is the base64 of the whole.
        let piece = 3 * 21_845
        var left = count
        if !isUTF8 { open(ExportField.base64) }
        byte(UInt8(ascii: "\""))
        while left > 0 {
            let bytes = try window.take(min(left, piece))
            left -= bytes.count
            if isUTF8 { escaped(bytes, quotes: false) } else { base64(bytes) }
            try flushIfFull()
        }
        isUTF8 ? byte(UInt8(ascii: "\"")) : raw("\"}")
    }

    /// Writes valid UTF-8 as a quoted JSON string, escaping quotes, backslashes and controls.
    @inline(__always)
    func quoted(_ b: UnsafeRawBufferPointer) {
        guard b.count > 64 * 1024 else {
            escaped(b, quotes: true)
            return
        }
        // In pieces, so a huge value reserves room for its worst case piece by piece, not at once.
        byte(UInt8(ascii: "\""))
        var at = 0
        while at < b.count {
            let n = min(64 * 1024, b.count - at)
            escaped(UnsafeRawBufferPointer(rebasing: b[at..<(at + n)]), quotes: false)
            at += n
        }
        byte(UInt8(ascii: "\""))
    }

    /// `onlyASCII`: gives up at the first byte above 0x7F, writing nothing (returns false), so
    /// that the caller checks the UTF-8 first.
    @inline(__always)
    @discardableResult
    func escaped(_ b: UnsafeRawBufferPointer, quotes: Bool, onlyASCII: Bool = false) -> Bool {
        let out = buffer.reserve(b.count * 6 + 2)
        var o = 0
        if quotes {
            out.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
            o = 1
        }
        guard let src = b.baseAddress else {
            if quotes { out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: o, as: UInt8.self) }
            buffer.commit(quotes ? 2 : 0)
            return true
        }
        var runStart = 0
        var i = 0
        while i < b.count {
            // Eight bytes at a time while none of them needs a look: most keys and values.
            if i + 8 <= b.count && !Self.anySpecial(src.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            let c = src.load(fromByteOffset: i, as: UInt8.self)
            i += 1
            if c >= 0x20 && c != 0x22 && c != 0x5C {
                if onlyASCII && c >= 0x80 { return false }
                continue
            }
            let at = i - 1
            if at > runStart {
                (out + o).copyMemory(from: src + runStart, byteCount: at - runStart)
                o += at - runStart
            }
            runStart = i
            out.storeBytes(of: UInt8(ascii: "\\"), toByteOffset: o, as: UInt8.self)
            o += 1
            switch c {
            case 0x22: out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: o, as: UInt8.self); o += 1
            case 0x5C: out.storeBytes(of: UInt8(ascii: "\\"), toByteOffset: o, as: UInt8.self); o += 1
            case 0x0A: out.storeBytes(of: UInt8(ascii: "n"), toByteOffset: o, as: UInt8.self); o += 1
            case 0x0D: out.storeBytes(of: UInt8(ascii: "r"), toByteOffset: o, as: UInt8.self); o += 1
            case 0x09: out.storeBytes(of: UInt8(ascii: "t"), toByteOffset: o, as: UInt8.self); o += 1
            default:
                let hexDigits: StaticString = "0123456789abcdef"
                out.storeBytes(of: UInt8(ascii: "u"), toByteOffset: o, as: UInt8.self)
                out.storeBytes(of: UInt8(ascii: "0"), toByteOffset: o + 1, as: UInt8.self)
                out.storeBytes(of: UInt8(ascii: "0"), toByteOffset: o + 2, as: UInt8.self)
                out.storeBytes(of: hexDigits.utf8Start[Int(c >> 4)], toByteOffset: o + 3, as: UInt8.self)
                out.storeBytes(of: hexDigits.utf8Start[Int(c & 15)], toByteOffset: o + 4, as: UInt8.self)
                o += 5
            }
        }
        if b.count > runStart {
            (out + o).copyMemory(from: src + runStart, byteCount: b.count - runStart)
            o += b.count - runStart
        }
        if quotes {
            out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: o, as: UInt8.self)
            o += 1
        }
        buffer.commit(o)
        return true
    }

    /// Whether any of the eight bytes in `x` is a control, a quote, a backslash or above 0x7F.
    /// A subtraction borrows out of a byte only when that byte is below what is subtracted, so
    /// each term is exact: below 0x20, equal to 0x22 (zero after the xor), equal to 0x5C.
    @inline(__always)
    static func anySpecial(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below20 = x &- ones &* 0x20
        let quote = (x ^ (ones &* 0x22)) &- ones
        let backslash = (x ^ (ones &* 0x5C)) &- ones
        return (below20 | quote | backslash | x) & highs != 0
    }

    /// Standard base64 with padding.
    func base64(_ b: UnsafeRawBufferPointer) {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let a = alphabet.utf8Start
        let out = buffer.reserve((b.count + 2) / 3 * 4)
        var o = 0
        var i = 0
        while i + 3 <= b.count {
            let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
            out.storeBytes(of: a[Int(v >> 18)], toByteOffset: o, as: UInt8.self)
            out.storeBytes(of: a[Int((v >> 12) & 63)], toByteOffset: o + 1, as: UInt8.self)
            out.storeBytes(of: a[Int((v >> 6) & 63)], toByteOffset: o + 2, as: UInt8.self)
            out.storeBytes(of: a[Int(v & 63)], toByteOffset: o + 3, as: UInt8.self)
            o += 4
            i += 3
        }
        let rest = b.count - i
        if rest > 0 {
            let v = UInt32(b[i]) << 16 | (rest == 2 ? UInt32(b[i + 1]) << 8 : 0)
            out.storeBytes(of: a[Int(v >> 18)], toByteOffset: o, as: UInt8.self)
            out.storeBytes(of: a[Int((v >> 12) & 63)], toByteOffset: o + 1, as: UInt8.self)
            out.storeBytes(of: rest == 2 ? a[Int((v >> 6) & 63)] : UInt8(ascii: "="), toByteOffset: o + 2, as: UInt8.self)
            out.storeBytes(of: UInt8(ascii: "="), toByteOffset: o + 3, as: UInt8.self)
            o += 4
        }
        buffer.commit(o)
    }
}

/// Base64 of bytes given in pieces of any size, into a `JSONWriter` (at most 2 bytes are held
/// between pieces); `commit()` writes the padded end. The JSON around it is the writer's.
final class Base64Sink: ByteSink {
    private let out: JSONWriter
    private let held = ScratchBuffer(capacity: 16)

    init(_ out: JSONWriter) {
        self.out = out
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        var rest = bytes
        if held.count > 0 {
            let n = min(3 - held.count, rest.count)
            held.append(UnsafeRawBufferPointer(rebasing: rest[..<n]))
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            guard held.count == 3 else { return }
            out.base64(held.bytes)
            held.removeAll()
        }
        let whole = rest.count / 3 * 3
        var at = 0
        while at < whole {
            let n = min(whole - at, 3 * 21_845)
            out.base64(UnsafeRawBufferPointer(rebasing: rest[at..<(at + n)]))
            at += n
            try out.flushIfFull()
        }
        held.append(UnsafeRawBufferPointer(rebasing: rest[whole...]))
    }

    func commit() {
        guard held.count > 0 else { return }
        out.base64(held.bytes)
        held.removeAll()
    }

    func abandon() { held.removeAll() }
}

/// `isValidUTF8` over a string given in pieces: a sequence cut by a piece boundary is held
/// (at most 3 bytes) until the next piece completes it.
struct UTF8Check {
    private var held: UInt64 = 0
    private var heldCount = 0
    private(set) var valid = true

    mutating func update(_ piece: UnsafeRawBufferPointer) {
        guard valid, piece.count > 0 else { return }
        var rest = piece
        if heldCount > 0 {
            let needed = UTF8Check.sequenceLength(lead: withUnsafeBytes(of: held) { $0[0] })
            let taken = min(needed - heldCount, rest.count)
            withUnsafeMutableBytes(of: &held) { h in
                for i in 0..<taken { h[heldCount + i] = rest[i] }
            }
            heldCount += taken
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            guard heldCount == needed else { return }
            valid = withUnsafeBytes(of: held) { isValidUTF8(UnsafeRawBufferPointer(rebasing: $0[..<needed])) }
            heldCount = 0
            guard valid else { return }
        }
        // Hold back a last sequence that the piece cuts short.
        var cut = rest.count
        var i = rest.count - 1
        while i >= 0 && i >= rest.count - 3 {
            let c = rest[i]
            if c < 0x80 { break }
            if c >= 0xC0 {
                if i + UTF8Check.sequenceLength(lead: c) > rest.count { cut = i }
                break
            }
            i -= 1
        }
        valid = isValidUTF8(UnsafeRawBufferPointer(rebasing: rest[..<cut]))
        if valid && cut < rest.count {
            withUnsafeMutableBytes(of: &held) { h in
                for j in cut..<rest.count { h[j - cut] = rest[j] }
            }
            heldCount = rest.count - cut
        }
    }

    /// Whether everything given was valid UTF-8 (nothing left cut short).
    var isValid: Bool { valid && heldCount == 0 }

    private static func sequenceLength(lead: UInt8) -> Int {
        switch lead {
        case 0xE0...0xEF: return 3
        case 0xF0...0xF7: return 4
        default: return 2
        }
    }
}

/// UTF-8 validity as JSON needs it: no overlong forms, no surrogates, nothing above U+10FFFF.
@inline(__always)
public func isValidUTF8(_ b: UnsafeRawBufferPointer) -> Bool {
    guard let p = b.baseAddress else { return true }
    let n = b.count
    var i = 0
    // ASCII fast path, eight bytes at a time.
    while i + 8 <= n {
        if p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
        i += 8
    }
    while i < n {
        let c = p.load(fromByteOffset: i, as: UInt8.self)
        if c < 0x80 { i += 1; continue }
        @inline(__always) func continuation(_ k: Int) -> Bool {
            i + k < n && p.load(fromByteOffset: i + k, as: UInt8.self) & 0xC0 == 0x80
        }
        switch c {
        case 0xC2...0xDF:
            guard continuation(1) else { return false }
            i += 2
        case 0xE0...0xEF:
            guard continuation(1), continuation(2) else { return false }
            let c1 = p.load(fromByteOffset: i + 1, as: UInt8.self)
            if c == 0xE0 && c1 < 0xA0 { return false }  // overlong
            if c == 0xED && c1 > 0x9F { return false }  // surrogate
            i += 3
        case 0xF0...0xF4:
            guard continuation(1), continuation(2), continuation(3) else { return false }
            let c1 = p.load(fromByteOffset: i + 1, as: UInt8.self)
            if c == 0xF0 && c1 < 0x90 { return false }  // overlong
            if c == 0xF4 && c1 > 0x8F { return false }  // above U+10FFFF
            i += 4
        default:
            return false
        }
    }
    return true
}
