/// One JSON value of a verb's report (inspect's summary, the backup catalog, a validation or
/// restore line), built by names and values: the commas, colons and quotes are written here,
/// so no report spells them. Strings go through `JSONWriter` (`{"base64":…}` for bytes that are
/// not UTF-8). Names are ASCII words of the report's own.
///
///     let r = JSONReport()
///     r.object {
///         r.field("path", path)
///         r.name("types"); r.object { for (name, n) in counts { r.field(name, n) } }
///     }
///     print(r.text)
public final class JSONReport {
    private let w = JSONWriter(output: nil)
    /// Per open object or array: whether nothing is in it yet.
    private var empty: [Bool] = []
    /// A name was written; its value follows it with no comma.
    private var named = false

    public init() {}

    /// The text built so far.
    public var text: String { String(decoding: w.pending, as: UTF8.self) }

    private func value() {
        if named {
            named = false
        } else if let last = empty.indices.last {
            if empty[last] { empty[last] = false } else { w.byte(UInt8(ascii: ",")) }
        }
    }

    private func container(_ open: UInt8, _ close: UInt8, _ body: () -> Void) {
        value()
        w.byte(open)
        empty.append(true)
        body()
        empty.removeLast()
        w.byte(close)
    }

    public func object(_ body: () -> Void) { container(UInt8(ascii: "{"), UInt8(ascii: "}"), body) }

    public func array(_ body: () -> Void) { container(UInt8(ascii: "["), UInt8(ascii: "]"), body) }

    /// A member's name: its value is what is written next.
    public func name(_ name: String) {
        value()
        w.string(Array(name.utf8))
        w.byte(UInt8(ascii: ":"))
        named = true
    }

    public func int<I: BinaryInteger>(_ v: I) {
        value()
        if let signed = Int64(exactly: v) { w.int(signed) } else { w.uint(UInt64(v)) }
    }

    public func bool(_ v: Bool) {
        value()
        v ? w.raw("true") : w.raw("false")
    }

    public func null() {
        value()
        w.raw("null")
    }

    /// JSONWriter's number form ("inf", "-inf" and "nan" as strings).
    public func double(_ v: Double) {
        value()
        w.double(v)
    }

    public func string(_ s: String) {
        value()
        w.string(Array(s.utf8))
    }

    public func string(_ bytes: [UInt8]) {
        value()
        w.string(bytes)
    }

    public func field<I: BinaryInteger>(_ name: String, _ v: I) {
        self.name(name)
        int(v)
    }

    public func field(_ name: String, _ v: Bool) {
        self.name(name)
        bool(v)
    }

    public func field(_ name: String, _ v: Double) {
        self.name(name)
        double(v)
    }

    public func field(_ name: String, _ s: String) {
        self.name(name)
        string(s)
    }

    public func field(_ name: String, _ bytes: [UInt8]) {
        self.name(name)
        string(bytes)
    }
}
