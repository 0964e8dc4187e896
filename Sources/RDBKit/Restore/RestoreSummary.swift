/// What a restore did, for its last line and `--json`.
public struct RestoreSummary: Sendable {
    public struct Failure: Sendable {
        public var db: Int
        public var key: Bytes
        public var error: String
    }

    /// Keys created (`restored`), overwritten (`replaced`), left alone because they existed
    /// (`skipped`), not sent because their time had passed (`expired`), dropped by the loss
    /// policy or --without-modules (`dropped`), refused by the server (`failed`).
    public var restored = 0
    public var replaced = 0
    public var skipped = 0
    public var expired = 0
    public var dropped = 0
    public var failed = 0
    /// Keys sent as plain commands (over proto-max-bulk-len).
    public var sentAsCommands = 0
    public var functions = 0
    /// AOF commands applied.
    public var commands = 0
    /// Failures by the server's error text.
    public var failuresByReason: [String: Int] = [:]
    /// The first failures, with their keys.
    public var failures: [Failure] = []
    public var losses: [ConversionLoss] = []
    public var bytesSent: Int64 = 0
    public var seconds = 0.0
    public var reconnections = 0
    public var redirections = 0
    /// Items skipped because a resume point said they were done.
    public var resumedAfter = 0
    public var nodes = 1
    public var server = ""
    /// An AOF into a cluster: the AOF whose replayed dataset was restored.
    public var replayedFrom: String?

    static let failuresKept = 100

    /// Every selected key is on the target (restored, replaced, or found there from an earlier try).
    public var complete: Bool { failed == 0 && skipped == 0 }

    mutating func count(_ outcome: RestoreOutcome, item: RestoreItem?) {
        switch outcome {
        case .restored, .alreadyPresent, .replaced:
            switch item?.body {
            case .function?: functions += 1
            case .command?: commands += 1
            default: if outcome == .replaced { replaced += 1 } else { restored += 1 }
            }
        case .existing: skipped += 1
        case .expired: expired += 1
        case .dropped: dropped += 1
        case .failed(let reason):
            failed += 1
            failuresByReason[reason, default: 0] += 1
            if failures.count < RestoreSummary.failuresKept, let item {
                failures.append(Failure(db: item.db, key: item.key, error: reason))
            }
        }
        if let item, case .plain = item.body, outcome == .restored || outcome == .replaced { sentAsCommands += 1 }
    }

    public var text: String {
        var line = "\(restored) keys restored, \(replaced) replaced, \(skipped) skipped (existing), \(failed) failed"
        if expired > 0 { line += ", \(expired) expired (not sent)" }
        if dropped > 0 { line += ", \(dropped) dropped" }
        if functions > 0 { line += ", \(functions) function librar\(functions == 1 ? "y" : "ies")" }
        if commands > 0 { line += ", \(commands) commands applied" }
        if sentAsCommands > 0 { line += " (\(sentAsCommands) as plain commands, over proto-max-bulk-len)" }
        line += "; \(bytesSent) bytes to \(server) (\(nodes) node\(nodes == 1 ? "" : "s")) in \(format1(seconds)) s"
        if seconds > 0 { line += ", \(Int(Double(restored + replaced + commands) / seconds)) keys/s" }
        if reconnections > 0 { line += ", \(reconnections) reconnection\(reconnections == 1 ? "" : "s")" }
        if redirections > 0 { line += ", \(redirections) redirection\(redirections == 1 ? "" : "s") followed" }
        if resumedAfter > 0 { line += ", resumed after \(resumedAfter) items" }
        if let replayedFrom { line += "; the dataset \(replayedFrom) replays to (an AOF into a cluster)" }
        return line
    }

    public var jsonLine: String {
        let w = JSONWriter(output: nil)
        func field(_ name: String, _ value: Int) {
            w.byte(UInt8(ascii: ","))
            w.string(Array(name.utf8))
            w.byte(UInt8(ascii: ":"))
            w.int(Int64(value))
        }
        w.raw("{\"complete\":")
        complete ? w.raw("true") : w.raw("false")
        field("restored", restored)
        field("replaced", replaced)
        field("skipped", skipped)
        field("expired", expired)
        field("dropped", dropped)
        field("failed", failed)
        field("sent_as_commands", sentAsCommands)
        field("functions", functions)
        field("commands", commands)
        field("reconnections", reconnections)
        field("redirections", redirections)
        field("resumed_after", resumedAfter)
        field("nodes", nodes)
        w.raw(",\"bytes\":")
        w.int(bytesSent)
        w.raw(",\"seconds\":")
        w.double((seconds * 1000).rounded() / 1000)
        w.raw(",\"server\":")
        w.string(Array(server.utf8))
        w.raw(",\"failures_by_reason\":{")
        for (i, (reason, count)) in failuresByReason.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(Array(reason.utf8))
            w.byte(UInt8(ascii: ":"))
            w.int(Int64(count))
        }
        w.raw("},\"failures\":[")
        for (i, failure) in failures.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"db\":")
            w.int(Int64(failure.db))
            w.raw(",\"key\":")
            w.string(failure.key)
            w.raw(",\"error\":")
            w.string(Array(failure.error.utf8))
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"losses\":[")
        for (i, loss) in losses.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(Array(loss.description.utf8))
        }
        w.raw("]}")
        return String(decoding: w.pending, as: UTF8.self)
    }
}
