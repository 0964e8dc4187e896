import ArgumentParser

/// The options of the summary verbs (inspect, report).
struct SummaryOptions: ParsableArguments {
    // Unconditional: "-1" is this option's (refused) value, not an unknown flag.
    @Option(parsing: .unconditional, help: "How many of the biggest keys to list.")
    var top = 10

    @Option(help: "Where a key's prefix ends (any string; keys without it belong to no prefix).")
    var separator = ":"

    func validate() throws {
        guard !separator.isEmpty else { throw ValidationError("--separator must not be empty") }
        guard top >= 0 else { throw ValidationError("--top must be 0 or more (got \(top))") }
    }

    var separatorBytes: [UInt8] { Array(separator.utf8) }
}
