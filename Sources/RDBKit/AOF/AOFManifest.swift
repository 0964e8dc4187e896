/// A Redis 7+ multi-part AOF manifest (aof.c aofLoadManifestFromFile): one line per file,
/// `file <name> seq <n> type <b|h|i>` as key/value pairs split like sdssplitargs (quotes and
/// escapes allowed), keys case-insensitive, unknown keys ignored; `#` lines are comments.
public struct AOFManifest: Sendable, Equatable {
    public enum FileType: Character, Sendable {
        case base = "b"
        case history = "h"
        case incremental = "i"
    }

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var sequence: Int64
        public var type: FileType
        /// Other keys on the line (Redis 8.0's startoffset/endoffset, future ones), kept as given.
        public var extra: [String: String]
    }

    public var base: Entry?
    public var history: [Entry] = []
    public var incrementals: [Entry] = []

    /// Every entry: base, history, incremental files.
    var all: [Entry] { (base.map { [$0] } ?? []) + history + incrementals }

    /// The files Redis loads, in order: the base, then the incremental files.
    public var loadOrder: [Entry] { (base.map { [$0] } ?? []) + incrementals }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var line: Int
        /// Where the line starts in the manifest.
        public var offset = 0
        public var message: String

        init(line: Int, offset: Int = 0, message: String) {
            self.line = line
            self.offset = offset
            self.message = message
        }

        public var description: String { "manifest line \(line): \(message)" }
    }

    /// Where line `number` (1-based) of `text` starts.
    static func offset(ofLine number: Int, in text: [UInt8]) -> Int {
        var line = 1, at = 0
        while line < number, let newline = text[at...].firstIndex(of: 0x0A) {
            at = newline + 1
            line += 1
        }
        return at
    }

    /// The line (1-based) and offset of the entry naming `file`.
    static func place(of file: String, in text: [UInt8]) -> (line: Int, offset: Int)? {
        var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for (index, raw) in lines.enumerated() where raw.first != UInt8(ascii: "#") {
            guard let tokens = splitArgs(Array(raw)) else { continue }
            if stride(from: 0, to: tokens.count - 1, by: 2).contains(where: {
                String(decoding: tokens[$0], as: UTF8.self).lowercased() == "file" && tokens[$0 + 1] == Array(file.utf8)
            }) {
                return (index + 1, offset(ofLine: index + 1, in: text))
            }
        }
        return nil
    }

    public static func parse(_ text: [UInt8]) throws(Failure) -> AOFManifest {
        do {
            return try parseLines(text)
        } catch var failure {
            failure.offset = offset(ofLine: failure.line, in: text)
            throw failure
        }
    }

    private static func parseLines(_ text: [UInt8]) throws(Failure) -> AOFManifest {
        var manifest = AOFManifest()
        var lastIncrementalSequence: Int64 = 0
        var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw Failure(line: 0, message: "found an empty AOF manifest") }
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            guard raw.count + 1 <= 1024 else { throw Failure(line: number, message: "the AOF manifest file contains too long line") }
            if raw.first == UInt8(ascii: "#") { continue }
            // aof.c reads lines with fgets: one without its newline was cut short (or too long).
            guard index < lines.count - 1 || text.last == 0x0A else {
                throw Failure(line: number, message: "the AOF manifest file contains too long line (or one cut short: no newline)")
            }
            var line = Array(raw)
            if line.last == 0x0D { line.removeLast() }
            guard let tokens = splitArgs(line), tokens.count >= 6, tokens.count % 2 == 0 else {
                throw Failure(line: number, message: "invalid AOF manifest file format")
            }
            var name: String?, sequence: Int64?, type: FileType?
            var extra: [String: String] = [:]
            for pair in stride(from: 0, to: tokens.count, by: 2) {
                let key = String(decoding: tokens[pair], as: UTF8.self).lowercased()
                let value = String(decoding: tokens[pair + 1], as: UTF8.self)
                switch key {
                case "file": name = value
                case "seq": sequence = Int64(value)
                case "type":
                    guard value.count == 1, let t = FileType(rawValue: value.first!) else {
                        throw Failure(line: number, message: "unknown AOF file type \(value)")
                    }
                    type = t
                default: extra[key] = value
                }
            }
            guard let name, let sequence, sequence > 0, let type else {
                throw Failure(line: number, message: "invalid AOF manifest file format")
            }
            guard !name.contains("/") else { throw Failure(line: number, message: "file can't be a path, just a filename") }
            let entry = Entry(name: name, sequence: sequence, type: type, extra: extra)
            guard !manifest.all.contains(where: { $0.name == name }) else {
                throw Failure(line: number, message: "found duplicate file \(name)")
            }
            switch type {
            case .base:
                guard manifest.base == nil else { throw Failure(line: number, message: "found duplicate base file information") }
                manifest.base = entry
            case .history:
                manifest.history.append(entry)
            case .incremental:
                guard sequence > lastIncrementalSequence else {
                    throw Failure(line: number, message: "found a non-monotonic sequence number")
                }
                lastIncrementalSequence = sequence
                manifest.incrementals.append(entry)
            }
        }
        return manifest
    }

    /// sdssplitargs: words separated by spaces; "double quotes" with \n \r \t \b \a \\ \" and \xHH
    /// escapes; 'single quotes' with only \' ; a closing quote must be followed by a space or the end.
    static func splitArgs(_ line: [UInt8]) -> [[UInt8]]? {
        var tokens: [[UInt8]] = []
        var i = 0
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x0B || c == 0x0C }
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 65...70: return c - 55
            case 97...102: return c - 87
            default: return nil
            }
        }
        while true {
            while i < line.count && isSpace(line[i]) { i += 1 }
            guard i < line.count else { return tokens }
            var token: [UInt8] = []
            var inDouble = false, inSingle = false, done = false
            while !done {
                if inDouble {
                    guard i < line.count else { return nil }
                    if line[i] == UInt8(ascii: "\\") && i + 3 < line.count && line[i + 1] == UInt8(ascii: "x"),
                       let h = hex(line[i + 2]), let l = hex(line[i + 3]) {
                        token.append(h << 4 | l)
                        i += 3
                    } else if line[i] == UInt8(ascii: "\\") && i + 1 < line.count {
                        i += 1
                        switch line[i] {
                        case UInt8(ascii: "n"): token.append(0x0A)
                        case UInt8(ascii: "r"): token.append(0x0D)
                        case UInt8(ascii: "t"): token.append(0x09)
                        case UInt8(ascii: "b"): token.append(0x08)
                        case UInt8(ascii: "a"): token.append(0x07)
                        default: token.append(line[i])
                        }
                    } else if line[i] == UInt8(ascii: "\"") {
                        if i + 1 < line.count && !isSpace(line[i + 1]) { return nil }
                        done = true
                    } else {
                        token.append(line[i])
                    }
                } else if inSingle {
                    guard i < line.count else { return nil }
                    if line[i] == UInt8(ascii: "\\") && i + 1 < line.count && line[i + 1] == UInt8(ascii: "'") {
                        i += 1
                        token.append(UInt8(ascii: "'"))
                    } else if line[i] == UInt8(ascii: "'") {
                        if i + 1 < line.count && !isSpace(line[i + 1]) { return nil }
                        done = true
                    } else {
                        token.append(line[i])
                    }
                } else {
                    if i >= line.count || isSpace(line[i]) {
                        done = true
                        tokens.append(token)
                        break
                    }
                    switch line[i] {
                    case UInt8(ascii: "\""): inDouble = true
                    case UInt8(ascii: "'"): inSingle = true
                    default: token.append(line[i])
                    }
                }
                if i < line.count { i += 1 }
                if done && (inDouble || inSingle) {
                    tokens.append(token)
                }
            }
        }
    }
}
