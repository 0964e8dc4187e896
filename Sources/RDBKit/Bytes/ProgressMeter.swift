#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress line on standard error for long reads — bytes read of the total, rate and time
/// left — redrawn at most five times a second, only when standard error is a terminal.
public final class ProgressMeter {
    private let total: Int64?
    private let label: String
    private let started = SystemClock.monotonicSeconds()
    private var lastDraw = 0.0
    private var drawn = false
    /// Appended to each line: what the verb made of the bytes so far ("80000 keys restored").
    public var detail: (() -> String)?

    /// nil when standard error is not a terminal (piped output stays clean).
    public init?(label: String, total: Int64?) {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        self.label = label
        self.total = total
    }

    public func update(_ done: Int64) {
        let now = SystemClock.monotonicSeconds()
        guard now - lastDraw >= 0.2, now - started >= 0.5 else { return }
        lastDraw = now
        let rate = Double(done) / max(now - started, 0.001)
        var line = "\r\u{1B}[K\(label): \(megabytes(done))"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            line += " / \(megabytes(total)) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                + "] \(Int(fraction * 100))%"
            if rate > 0 { line += ", ETA \(Int(Double(total - done) / rate))s" }
        }
        line += ", \(megabytes(Int64(rate)))/s"
        if let detail { line += ", " + detail() }
        write(line)
        drawn = true
    }

    /// Clears the line.
    public func finish() {
        guard drawn else { return }
        write("\r\u{1B}[K")
    }

    private func megabytes(_ n: Int64) -> String {
        let tenths = n / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }

    private func write(_ s: String) {
        var s = s
        s.withUTF8 { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
