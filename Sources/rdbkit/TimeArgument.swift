import ArgumentParser
import RDBKit

/// `--until`: Unix seconds or an ISO 8601 time with a zone.
struct TimeArgument: ExpressibleByArgument {
    var seconds: Int64

    init?(argument: String) {
        guard let seconds = UnixTime.seconds(from: argument) else { return nil }
        self.seconds = seconds
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
