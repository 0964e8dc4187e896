/// One element of a Redis 8.8 array (RDB_TYPE_ARRAY) as the file tags it (sparsearray.h AR_RDB_TAG_*),
/// borrowed from the reader for the duration of the call that receives it.
public enum ArrayElement {
    /// AR_RDB_TAG_SDS: a heap string (normally 8 bytes or more).
    case string(RDBString)
    /// AR_RDB_TAG_INT: rdbSaveSignedInteger, 8 bytes little-endian.
    case int(Int64)
    /// AR_RDB_TAG_FLOAT: rdbSaveBinaryDoubleValue, with the low 2 bits already cleared in memory.
    case double(Double)
    /// AR_RDB_TAG_SMALLSTR: an inline string of at most `ArrayEncoding.AR_SMALLSTR_MAXLEN` bytes.
    case smallString(RDBString)

    /// Runs `body` over the element's bytes as ARGET returns them (arDecode).
    public func withText<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E>
        switch self {
        case .string(let s), .smallString(let s): result = s.withBytes { catching(body, $0) }
        case .int(let v): result = RDBString.int(v).withBytes { catching(body, $0) }
        case .double(let d):
            var text = DoubleText.arrayElement(d)
            result = text.withUTF8 { catching(body, UnsafeRawBufferPointer($0)) }
        }
        return try result.get()
    }

    /// An owned copy.
    public var stored: StoredArrayElement {
        switch self {
        case .string(let s): return .string(s.array)
        case .int(let v): return .int(v)
        case .double(let d): return .double(d)
        case .smallString(let s): return .smallString(s.array)
        }
    }
}

/// An `ArrayElement` that owns its bytes.
public enum StoredArrayElement: Sendable, Equatable {
    case string(Bytes)
    case int(Int64)
    case double(Double)
    case smallString(Bytes)

    /// A borrowed view for `body`, as the reader would deliver it.
    public func withElement<R, E: Error>(_ body: (ArrayElement) throws(E) -> R) throws(E) -> R {
        switch self {
        case .string(let b): return try b.withUnsafeBytes { catching(body, .string(.bytes($0))) }.get()
        case .smallString(let b): return try b.withUnsafeBytes { catching(body, .smallString(.bytes($0))) }.get()
        case .int(let v): return try body(.int(v))
        case .double(let d): return try body(.double(d))
        }
    }

    /// The element's bytes as ARGET returns them.
    public var text: Bytes { withElement { $0.withText { Bytes($0) } } }
}

/// A materialized array: its non-empty elements in ascending index order.
public struct ArrayValue: Sendable, Equatable {
    public struct Element: Sendable, Equatable {
        public var index: UInt64
        public var value: StoredArrayElement

        public init(index: UInt64, value: StoredArrayElement) {
            self.index = index
            self.value = value
        }
    }

    /// Where ARINSERT puts its next element; nil when no insert happened (AR_INSERT_IDX_NONE).
    public var insertIndex: UInt64?
    public var elements: [Element]

    public init(insertIndex: UInt64? = nil, elements: [Element] = []) {
        self.insertIndex = insertIndex
        self.elements = elements
    }
}

/// Carries a typed error out of a closure API that only rethrows untyped ones.
@inline(__always)
func catching<A, R, E: Error>(_ body: (A) throws(E) -> R, _ argument: A) -> Result<R, E> {
    do throws(E) { return .success(try body(argument)) } catch { return .failure(error) }
}
