/// `--key-regex`: a Swift regular expression searched in the key (keys that are not UTF-8 are
/// matched with U+FFFD in place of their invalid bytes).
public struct KeyRegex: RegexMatcher, @unchecked Sendable {
    private let regex: Regex<AnyRegexOutput>

    public init(_ pattern: String) throws {
        regex = try Regex(pattern)
    }

    public func matches(_ key: UnsafeRawBufferPointer) -> Bool {
        String(decoding: key, as: UTF8.self).contains(regex)
    }
}
