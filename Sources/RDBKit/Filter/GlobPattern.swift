/// Redis's glob matching (util.c stringmatchlen), over bytes: `*` any run, `?` any byte,
/// `[abc]`, `[^a-z]` classes, `\x` a literal x. As used by `KEYS` and `SCAN MATCH`.
public struct GlobPattern: Sendable {
    public let pattern: [UInt8]

    public init(_ pattern: [UInt8]) {
        self.pattern = pattern
    }

    public func matches(_ s: UnsafeRawBufferPointer) -> Bool {
        pattern.withUnsafeBytes { p in GlobPattern.match(p, s) }
    }

    public func matches(_ s: [UInt8]) -> Bool {
        s.withUnsafeBytes { matches($0) }
    }

    /// Greedy matching with backtracking to the last `*` only: O(pattern x key) whatever the
    /// pattern, where naive recursion is exponential ("*a*a*a...b").
    private static func match(_ p: UnsafeRawBufferPointer, _ s: UnsafeRawBufferPointer) -> Bool {
        var pi = 0, si = 0
        var star = -1, starMatch = 0
        while si < s.count {
            if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi
                starMatch = si
                pi += 1
                continue
            }
            if pi < p.count {
                let (length, matched) = token(p, pi, s[si])
                if matched {
                    pi += length
                    si += 1
                    continue
                }
            }
            guard star >= 0 else { return false }
            pi = star + 1
            starMatch += 1
            si = starMatch
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }

    /// The pattern element at `pi` (one byte's worth: `?`, a class, an escape or a literal): its
    /// length in the pattern and whether it matches `c`.
    private static func token(_ p: UnsafeRawBufferPointer, _ pi: Int, _ c: UInt8) -> (Int, Bool) {
        switch p[pi] {
        case UInt8(ascii: "?"):
            return (1, true)
        case UInt8(ascii: "\\") where pi + 1 < p.count:
            return (2, p[pi + 1] == c)
        case UInt8(ascii: "["):
            var i = pi + 1
            let negate = i < p.count && p[i] == UInt8(ascii: "^")
            if negate { i += 1 }
            var found = false
            while i < p.count && p[i] != UInt8(ascii: "]") {
                if p[i] == UInt8(ascii: "\\") && i + 1 < p.count {
                    i += 1
                    if p[i] == c { found = true }
                } else if i + 2 < p.count && p[i + 1] == UInt8(ascii: "-") && p[i + 2] != UInt8(ascii: "]") {
                    let lo = min(p[i], p[i + 2]), hi = max(p[i], p[i + 2])
                    if c >= lo && c <= hi { found = true }
                    i += 2
                } else if p[i] == c {
                    found = true
                }
                i += 1
            }
            // An unclosed class runs to the end of the pattern, as in Redis.
            return (min(i + 1, p.count) - pi, found != negate)
        default:
            return (1, p[pi] == c)
        }
    }
}
