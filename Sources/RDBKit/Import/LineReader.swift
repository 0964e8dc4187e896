/// Lines of JSON records from a byte source, each handed over without its newline (a `\r` before
/// it dropped). Linear in the input: every byte is looked at once. A JSON string longer than
/// `LongJSONString.threshold` is not kept in its line: its text goes to a temporary file as it
/// arrives and the line holds a token in its place (`longStrings[n]`), so a line holding a
/// 512 MiB string costs a few MiB of memory. `inputColumn` gives a place in the line as a
/// column of the input's line, counting each long string's own length rather than its token's.
final class LineReader {
    private let source: ByteSource
    private let chunk = ScratchBuffer(capacity: LineReader.readSize)
    private var position = 0
    private var exhausted = false
    private var line: [UInt8] = []
    /// Bytes consumed so far.
    private(set) var offset: Int64 = 0
    /// Where the line `next()` returned last starts in the input.
    private(set) var lineStart: Int64 = 0
    private(set) var lineNumber = 0
    /// The long strings of the line `next()` returned last, by the index their token carries.
    private(set) var longStrings: [LongJSONString] = []
    /// Where each long string's token starts in the line, in the order of `longStrings`.
    private var tokenStarts: [Int] = []
    /// What a long string's token starts with: random, so no string of the input is one.
    let tokenPrefix: [UInt8]

    private var inString = false
    private var escaped = false
    /// Where the open string's content starts in `line`.
    private var stringStart = 0
    private var spilling: LongJSONString?

    init(source: ByteSource) {
        self.source = source
        tokenPrefix = Array("rdbkit-long-string-\(UInt64.random(in: 0 ... .max))-".utf8)
    }

    private static let readSize = 1 << 20

    /// The next line, or nil at the end.
    func next() throws(RDBError) -> [UInt8]? {
        line.removeAll(keepingCapacity: line.capacity <= 4 * LineReader.readSize)
        longStrings = []
        tokenStarts = []
        inString = false
        escaped = false
        lineStart = offset
        var sawAny = false
        while true {
            if position == chunk.count {
                chunk.removeAll()
                position = 0
                let room = chunk.reserve(LineReader.readSize)
                let n = exhausted ? 0 : try source.read(into: UnsafeMutableRawBufferPointer(start: room, count: LineReader.readSize))
                if n == 0 {
                    exhausted = true
                    guard sawAny else { return nil }
                    try closeSpill()
                    lineNumber += 1
                    return line
                }
                chunk.commit(n)
            }
            sawAny = true
            let bytes = chunk.bytes
            var segment = position
            var i = position
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x0A {
                    try append(UnsafeRawBufferPointer(rebasing: bytes[segment..<i]))
                    try closeSpill()
                    if line.last == 0x0D { line.removeLast() }
                    offset += Int64(i + 1 - position)
                    position = i + 1
                    lineNumber += 1
                    return line
                }
                if inString {
                    if escaped {
                        escaped = false
                    } else if b == 0x5C {
                        escaped = true
                    } else if b == 0x22 {
                        try append(UnsafeRawBufferPointer(rebasing: bytes[segment..<i]))
                        try closeSpill()
                        inString = false
                        segment = i
                    }
                } else if b == 0x22 {
                    inString = true
                    stringStart = line.count + (i + 1 - segment)
                }
                i += 1
            }
            try append(UnsafeRawBufferPointer(rebasing: bytes[segment..<i]))
            offset += Int64(i - position)
            position = i
            if inString, spilling == nil, line.count - stringStart > LongJSONString.threshold {
                // The open string is long: its text so far leaves the line for a temporary file.
                let long = LongJSONString()
                try long.file.append(line[stringStart...])
                long.rawCount += line.count - stringStart
                line.removeSubrange(stringStart...)
                spilling = long
            }
        }
    }

    /// Bytes of the line: into the long string being spilled, if there is one.
    private func append(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        if let spilling { return try spilling.append(bytes) }
        line.append(contentsOf: bytes)
    }

    /// Ends the long string being spilled: its token takes its place in the line.
    private func closeSpill() throws(RDBError) {
        guard let long = spilling else { return }
        spilling = nil
        tokenStarts.append(line.count)
        line += token(longStrings.count)
        longStrings.append(long)
    }

    private func token(_ n: Int) -> [UInt8] { tokenPrefix + Array(String(n).utf8) }

    /// The column in the input's line of `index` in the line `next()` returned: each token
    /// before it counts as the text it stands for (a place inside a token is its string's start).
    func inputColumn(_ index: Int) -> Int {
        var shift = 0
        for (n, start) in tokenStarts.enumerated() where start < index {
            let tokenLength = token(n).count
            if index < start + tokenLength { return start + shift }
            shift += longStrings[n].rawCount - tokenLength
        }
        return index + shift
    }

    /// The long string a token stands for.
    func longString(_ text: [UInt8]) -> LongJSONString? {
        guard text.count > tokenPrefix.count, text.starts(with: tokenPrefix),
              let n = Int(String(decoding: text[tokenPrefix.count...], as: UTF8.self)), n < longStrings.count else { return nil }
        return longStrings[n]
    }
}

/// A JSON string's text (escapes unresolved) kept in a temporary file, decoded in pieces.
final class LongJSONString {
    /// Strings longer than this leave their line.
    static let threshold = 1 << 20

    let file = SpillFile(purpose: "a long JSON string")
    var rawCount = 0

    func append(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        try file.append(bytes)
        rawCount += bytes.count
    }

    /// The string's bytes, escapes resolved (or, with `base64`, the bytes its base64 text
    /// encodes), staged in a temporary file: nil when the text is not valid.
    func decoded(base64: Bool) throws(RDBError) -> (file: SpillFile, count: Int)? {
        let out = SpillFile(purpose: "a long string value")
        var count = 0
        let input = file.readBack()
        var carry: [UInt8] = []
        var left = rawCount
        while left > 0 || !carry.isEmpty {
            let piece = try input.take(min(left, 1 << 20))
            left -= piece.count
            var text = carry + Array(piece)
            let cut = left == 0 ? text.count : (base64 ? text.count / 4 * 4 : LongJSONString.safeCut(text))
            carry = Array(text[cut...])
            text.removeSubrange(cut...)
            let bytes: [UInt8]
            if base64 {
                guard let b = Base64.decode(text) else { return nil }
                bytes = b
            } else {
                guard case .string(let s) = try? JSONParser.parse([0x22] + text + [0x22]) else { return nil }
                bytes = s
            }
            try out.append(bytes[...])
            count += bytes.count
        }
        return (out, count)
    }

    /// The string whole, for a place that keeps its values anyway (memory: its length).
    func bytes(base64: Bool) throws(RDBError) -> [UInt8]? {
        guard let (staged, count) = try decoded(base64: base64) else { return nil }
        let window = staged.readBack()
        let bytes = Array(try window.take(count))
        withExtendedLifetime(window) {}
        return bytes
    }

    /// The longest prefix of `text` that ends between escapes (a `\uD8xx\uDCxx` pair kept whole).
    static func safeCut(_ text: [UInt8]) -> Int {
        var i = 0
        while i < text.count {
            guard text[i] == 0x5C else {
                i += 1
                continue
            }
            guard i + 1 < text.count else { break }
            var length = 2
            if text[i + 1] == UInt8(ascii: "u") {
                guard i + 6 <= text.count else { break }
                length = 6
                // A high surrogate (D800-DBFF) needs the low one after it.
                let first = text[i + 2] | 0x20, second = text[i + 3] | 0x20
                if first == UInt8(ascii: "d"), (UInt8(ascii: "8")...UInt8(ascii: "b")).contains(second) { length = 12 }
            }
            guard i + length <= text.count else { break }
            i += length
        }
        return i
    }
}
