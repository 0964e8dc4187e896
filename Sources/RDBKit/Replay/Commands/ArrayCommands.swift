/// Array commands (t_array.c, Redis 8.8): ARSET, ARMSET, ARDEL, ARDELRANGE, ARINSERT, ARRING and
/// ARSEEK. Redis propagates each as it was called (none is rewritten), so replaying them means
/// doing what the command does: values go through arEncode, an array left empty is deleted.
extension ReplayEngine {
    static let arrayHandlers: [String: Handler] = [
        "arset": { e, a throws(CommandRefusal) in
            let start = try arrayIndex(a[2])
            let (last, overflow) = start.addingReportingOverflow(UInt64(a.count - 4))
            guard !overflow, last != ArrayEncoding.AR_INSERT_IDX_NONE else { throw CommandRefusal(reason: "array index overflow") }
            try e.modifyArray(a[1], create: true) { ar throws(CommandRefusal) in
                for (i, value) in a[3...].enumerated() { ar.set(start + UInt64(i), value) }
            }
        },
        "armset": { e, a throws(CommandRefusal) in
            guard (a.count - 2) % 2 == 0 else { throw CommandRefusal(reason: "wrong number of arguments for 'armset' command") }
            var indices: [UInt64] = []
            for i in stride(from: 2, to: a.count, by: 2) { indices.append(try arrayIndex(a[i])) }
            try e.modifyArray(a[1], create: true) { ar throws(CommandRefusal) in
                for (n, index) in indices.enumerated() { ar.set(index, a[3 + 2 * n]) }
            }
        },
        "ardel": { e, a throws(CommandRefusal) in
            var indices: [UInt64] = []
            for raw in a.dropFirst(2) { indices.append(try arrayIndex(raw)) }
            try e.modifyArray(a[1], create: false) { ar throws(CommandRefusal) in
                for index in indices { ar.elements[index] = nil }
            }
        },
        "ardelrange": { e, a throws(CommandRefusal) in
            guard (a.count - 2) % 2 == 0 else { throw CommandRefusal(reason: "wrong number of arguments for 'ardelrange' command") }
            var ranges: [ClosedRange<UInt64>] = []
            for i in stride(from: 2, to: a.count, by: 2) {
                let start = try arrayIndex(a[i]), end = try arrayIndex(a[i + 1])
                ranges.append(min(start, end)...max(start, end))
            }
            try e.modifyArray(a[1], create: false) { ar throws(CommandRefusal) in
                // By the elements held, not the span: a range may cover 2^64 indices.
                for range in ranges {
                    for index in ar.elements.keys where range.contains(index) { ar.elements[index] = nil }
                }
            }
        },
        "arinsert": { e, a throws(CommandRefusal) in
            try e.modifyArray(a[1], create: true) { ar throws(CommandRefusal) in
                let start: UInt64
                if let insert = ar.insertIndex {
                    guard insert < UInt64.max - 1 else { throw CommandRefusal(reason: "insert index overflow") }
                    start = insert + 1
                } else {
                    start = 0
                }
                let (last, overflow) = start.addingReportingOverflow(UInt64(a.count - 3))
                guard !overflow, last != UInt64.max else { throw CommandRefusal(reason: "insert index overflow") }
                for (i, value) in a[2...].enumerated() { ar.set(start + UInt64(i), value) }
                ar.insertIndex = last
            }
        },
        "arring": { e, a throws(CommandRefusal) in
            guard let size = integer(a[2]) else { throw CommandRefusal(reason: "invalid size") }
            guard size > 0 else { throw CommandRefusal(reason: "size must be positive") }
            try e.modifyArray(a[1], create: true) { ar throws(CommandRefusal) in
                ar.ring(size: UInt64(size), values: a[3...])
            }
        },
        "arseek": { e, a throws(CommandRefusal) in
            // UINT64_MAX is allowed here: it sets the terminal state the AOF rewrite must restore.
            let index = try arrayIndex(a[2], allowMax: true)
            guard e.exists(a[1]) else { return }
            try e.modifyArray(a[1], create: false) { ar throws(CommandRefusal) in
                ar.insertIndex = index == 0 ? nil : index - 1
            }
        },
    ]

    func modifyArray(_ key: Bytes, create: Bool, _ body: (inout ReplayArray) throws(CommandRefusal) -> Void) throws(CommandRefusal) {
        try modifyValue(key, empty: create ? ReplayArray() : nil, \.array, ReplayValue.array, body)
    }

    /// getArrayIndexFromObject: an unsigned decimal; 2^64-1 only where allowed.
    private static func arrayIndex(_ b: Bytes, allowMax: Bool = false) throws(CommandRefusal) -> UInt64 {
        guard !b.isEmpty, b.count <= 20, b.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let v = UInt64(String(decoding: b, as: UTF8.self)), allowMax || v != UInt64.max else {
            throw CommandRefusal(reason: "invalid array index")
        }
        return v
    }
}

/// An array as the replay changes it: elements by index, and ARINSERT's last index.
struct ReplayArray: Sendable {
    var elements: [UInt64: StoredArrayElement] = [:]
    var insertIndex: UInt64?

    init() {}

    init(_ value: ArrayValue) {
        elements = Dictionary(value.elements.map { ($0.index, $0.value) }, uniquingKeysWith: { _, last in last })
        insertIndex = value.insertIndex
    }

    var arrayValue: ArrayValue {
        ArrayValue(insertIndex: insertIndex,
                   elements: elements.keys.sorted().map { ArrayValue.Element(index: $0, value: elements[$0]!) })
    }

    mutating func set(_ index: UInt64, _ text: Bytes) {
        elements[index] = text.withUnsafeBytes { ArrayEncoding.encode($0) }
    }

    /// arLen: the highest index plus one.
    private var length: UInt64 { elements.keys.max().map { $0 + 1 } ?? 0 }

    /// arringCommand: rework the retained tail when the ring's size changes (arRingNeedsRework /
    /// arRingRework), then write each value at the next cursor modulo the size.
    mutating func ring(size: UInt64, values: ArraySlice<Bytes>) {
        let span = length
        var keep: UInt64 = 0
        if span > 0 {
            if size < span {
                keep = size
            } else if size > span, let insert = insertIndex, insert &+ 1 < span {
                keep = span
            }
        }
        if keep > 0 {
            let anchor = insertIndex.map { $0 % span } ?? span - 1
            var retained: [StoredArrayElement] = []
            var at = anchor
            while UInt64(retained.count) < keep, let v = elements[at] {
                retained.append(v)
                at = at == 0 ? span - 1 : at - 1
            }
            elements = [:]
            for (i, v) in retained.reversed().enumerated() { elements[UInt64(i)] = v }
            insertIndex = retained.isEmpty ? nil : UInt64(retained.count - 1)
        }
        for value in values {
            var cursor = insertIndex.map { $0 &+ 1 } ?? 0
            if cursor >= size { cursor %= size }
            set(cursor, value)
            insertIndex = cursor
        }
    }
}
