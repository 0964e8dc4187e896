import Foundation

/// The folders of `Sources/RDBKit` and what each one's code names from the others: the types,
/// top-level functions and top-level constants a folder declares (not `private`/`fileprivate`),
/// and where another folder's code — comments and string literals left out — names them.
struct SourceLayers {
    struct File {
        var folder: String
        var name: String
        var text: String
    }

    struct Use: CustomStringConvertible {
        var user: String
        var file: String
        var line: Int
        var name: String
        var owner: String
        var description: String { "\(user)/\(file):\(line) uses \(name) from \(owner)" }
    }

    private enum Kind { case type, function, value }
    private var declared: [String: (folder: String, kind: Kind)] = [:]
    private var scanned: [(file: File, tokens: [Token])] = []

    init(_ files: [File]) {
        for file in files {
            let tokens = Self.tokens(Self.code(of: file.text))
            scanned.append((file, tokens))
            var depth = 0
            for (i, token) in tokens.enumerated() {
                if token.text == "{" { depth += 1; continue }
                if token.text == "}" { depth -= 1; continue }
                guard depth == 0, i + 1 < tokens.count, let kind = Self.declarationKinds[token.text],
                      Self.isIdentifier(tokens[i + 1].text), !Self.isFilePrivate(tokens, before: i) else { continue }
                declared[tokens[i + 1].text] = (file.folder, kind)
            }
        }
    }

    /// Every place a folder names something another folder declares.
    var uses: [Use] {
        var found: [Use] = []
        for (file, tokens) in scanned {
            let local = Set(tokens.indices.compactMap { i -> String? in
                // Members, locals and parameters of this file that shadow a top-level name.
                guard i + 1 < tokens.count else { return nil }
                if ["func", "let", "var", "case"].contains(tokens[i].text) { return tokens[i + 1].text }
                // A parameter: `(name:`, `, name:`, or after its label, `(label name:`.
                if tokens[i + 1].text == ":", i > 0,
                   ["(", ","].contains(tokens[i - 1].text) || (i > 1 && Self.isIdentifier(tokens[i - 1].text) && ["(", ","].contains(tokens[i - 2].text)) {
                    return tokens[i].text
                }
                return nil
            })
            for (i, token) in tokens.enumerated() {
                guard let owned = declared[token.text], owned.folder != file.folder else { continue }
                if i > 0, tokens[i - 1].text == "." { continue }
                let called = i + 1 < tokens.count && tokens[i + 1].text == "("
                switch owned.kind {
                case .type: break
                case .function: if !called || local.contains(token.text) { continue }
                case .value: if local.contains(token.text) { continue }
                }
                found.append(Use(user: file.folder, file: file.name, line: token.line, name: token.text, owner: owned.folder))
            }
        }
        return found
    }

    /// The uses that go upwards in `order` (lowest first), or name a folder the order leaves out.
    func violations(order: [String]) -> [String] {
        uses.compactMap { use in
            guard let user = order.firstIndex(of: use.user) else { return "\(use.user) is not in the layer order" }
            guard let owner = order.firstIndex(of: use.owner) else { return "\(use.owner) is not in the layer order" }
            return owner > user ? "\(use) (a layer above it)" : nil
        }
    }

    // MARK: scanning

    private static let declarationKinds: [String: Kind] = [
        "class": .type, "struct": .type, "enum": .type, "protocol": .type, "actor": .type, "typealias": .type,
        "func": .function, "let": .value, "var": .value,
    ]

    private struct Token {
        var text: String
        var line: Int
    }

    private static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        return first == "_" || CharacterSet.letters.contains(first)
    }

    /// Whether the declaration keyword at `i` is modified by `private` or `fileprivate`
    /// (modifiers are the words right before it on its line).
    private static func isFilePrivate(_ tokens: [Token], before i: Int) -> Bool {
        var j = i - 1
        while j >= 0, tokens[j].line == tokens[i].line, isIdentifier(tokens[j].text) || tokens[j].text.hasPrefix("@") {
            if tokens[j].text == "private" || tokens[j].text == "fileprivate" { return true }
            j -= 1
        }
        return false
    }

    /// Identifiers, numbers (as `0`) and each punctuation character, with lines.
    private static func tokens(_ code: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var line = 1
        var i = 0
        func isWord(_ b: UInt8) -> Bool { b == 0x5F || (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b >= 0x80 }
        while i < code.count {
            let b = code[i]
            if b == 0x0A { line += 1; i += 1; continue }
            if isWord(b) && !(0x30...0x39).contains(b) {
                var j = i
                while j < code.count, isWord(code[j]) { j += 1 }
                tokens.append(Token(text: String(decoding: code[i..<j], as: UTF8.self), line: line))
                i = j
                continue
            }
            if b == UInt8(ascii: "@") {  // attributes, kept whole so they read as modifiers
                var j = i + 1
                while j < code.count, isWord(code[j]) { j += 1 }
                tokens.append(Token(text: String(decoding: code[i..<j], as: UTF8.self), line: line))
                i = j
                continue
            }
            if (0x30...0x39).contains(b) {  // numbers, so 1.5 is not "." followed by a name
                while i < code.count, isWord(code[i]) || code[i] == UInt8(ascii: ".") { i += 1 }
                tokens.append(Token(text: "0", line: line))
                continue
            }
            if b > 0x20 { tokens.append(Token(text: String(UnicodeScalar(b)), line: line)) }
            i += 1
        }
        return tokens
    }

    /// `text` with comments and string literals blanked (their newlines kept, so lines still
    /// count), and the code inside string interpolations kept.
    static func code(of text: String) -> [UInt8] {
        let s = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        scan(s, &i, &out, untilCloseParen: false)
        return out
    }

    private static func blank(_ b: UInt8, _ out: inout [UInt8]) { out.append(b == 0x0A ? 0x0A : 0x20) }

    private static func starts(_ s: [UInt8], _ i: Int, _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        return i + p.count <= s.count && Array(s[i..<(i + p.count)]) == p
    }

    /// Copies code from `i`, blanking comments and strings; with `untilCloseParen`, stops after
    /// the `)` that closes an interpolation.
    private static func scan(_ s: [UInt8], _ i: inout Int, _ out: inout [UInt8], untilCloseParen: Bool) {
        var parens = 0
        while i < s.count {
            if starts(s, i, "//") {
                while i < s.count, s[i] != 0x0A { blank(s[i], &out); i += 1 }
                continue
            }
            if starts(s, i, "/*") {
                var depth = 0
                repeat {
                    if starts(s, i, "/*") { depth += 1; out += [0x20, 0x20]; i += 2 }
                    else if starts(s, i, "*/") { depth -= 1; out += [0x20, 0x20]; i += 2 }
                    else { blank(s[i], &out); i += 1 }
                } while depth > 0 && i < s.count
                continue
            }
            var hashes = 0
            while i + hashes < s.count, s[i + hashes] == UInt8(ascii: "#") { hashes += 1 }
            if i + hashes < s.count, s[i + hashes] == UInt8(ascii: "\"") {
                string(s, &i, &out, hashes: hashes)
                continue
            }
            if untilCloseParen {
                if s[i] == UInt8(ascii: "(") { parens += 1 }
                if s[i] == UInt8(ascii: ")") {
                    if parens == 0 { i += 1; out.append(0x20); return }
                    parens -= 1
                }
            }
            out.append(s[i])
            i += 1
        }
    }

    /// A string literal at `i` (after `hashes` `#`s): single-line or multi-line, raw or not.
    private static func string(_ s: [UInt8], _ i: inout Int, _ out: inout [UInt8], hashes: Int) {
        let multiline = starts(s, i + hashes, "\"\"\"")
        let quote = multiline ? "\"\"\"" : "\""
        let close = Array((quote + String(repeating: "#", count: hashes)).utf8)
        let interpolation = Array(("\\" + String(repeating: "#", count: hashes) + "(").utf8)
        let escape = Array(("\\" + String(repeating: "#", count: hashes)).utf8)
        for _ in 0..<(hashes + quote.utf8.count) { out.append(0x20) }
        i += hashes + quote.utf8.count
        while i < s.count {
            if i + close.count <= s.count, Array(s[i..<(i + close.count)]) == close {
                for _ in close { out.append(0x20) }
                i += close.count
                return
            }
            if i + interpolation.count <= s.count, Array(s[i..<(i + interpolation.count)]) == interpolation {
                for _ in interpolation { out.append(0x20) }
                i += interpolation.count
                scan(s, &i, &out, untilCloseParen: true)
                continue
            }
            if i + escape.count < s.count, Array(s[i..<(i + escape.count)]) == escape {
                for _ in 0...escape.count { out.append(0x20) }
                i += escape.count + 1
                continue
            }
            blank(s[i], &out)
            i += 1
        }
    }
}
