import ArgumentParser

/// The options of the summary verbs (inspect, report).
struct SummaryOptions: ParsableArguments {
    @Option(help: "How many of the biggest keys to list.")
    var top = 10

    @Option(help: "Where a key's prefix ends.")
    var separator = ":"

    func validate() throws {
        guard separator.utf8.count == 1 else { throw ValidationError("--separator must be one byte") }
        guard top >= 0 else { throw ValidationError("--top must not be negative") }
    }

    var separatorByte: UInt8 { separator.utf8.first! }
}
