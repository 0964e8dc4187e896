/// What a writer does with what its target cannot hold (hash-field TTLs before Redis 7.4,
/// functions before 7.0, ...): fail, listing every such thing, or, when `lossy`, drop each and
/// report it. Drops the user asked for (`--without-modules`) are reported and never fail.
/// Every verb that writes for a target applies this one policy.
public struct LossPolicy: Sendable {
    public var lossy: Bool

    public init(lossy: Bool) { self.lossy = lossy }

    /// Throws when `losses` hold a drop nobody asked for and the policy is not lossy. `aofAt`: the
    /// AOF being written, which is named instead of the RDB magic it is not. Verbs reach it only
    /// through `write` (and its `LossCheckpoint`).
    func check(_ losses: [ConversionLoss], target: RDBTarget, aofAt: String? = nil) throws(RDBError) {
        let unwanted = losses.filter { !$0.requested }
        guard !lossy, !unwanted.isEmpty else { return }
        var lines = unwanted.prefix(50).map { "  - \($0)" }
        if unwanted.count > 50 { lines.append("  ... and \(unwanted.count - 50) more") }
        let holder = aofAt.map { "the AOF \($0) (for \(target.family == .valkey ? "Valkey" : "Redis") \(target.serverVersion))" } ?? target.magic
        throw RDBError(.cannotHold("\(holder) cannot hold \(unwanted.count) thing\(unwanted.count == 1 ? "" : "s") in the input (--lossy drops them):\n"
                                   + lines.joined(separator: "\n")), offset: 0)
    }

    /// The line reporting one drop (standard error of every verb that writes).
    public static func report(_ loss: ConversionLoss) -> String { "dropped: \(loss)" }
}

extension LossPolicy {
    /// The one way a verb writes for a target: `body` writes into `output`; then its losses go
    /// through the policy and the output is finished. Any error, a refused loss among them,
    /// abandons the output, so nothing partial or lossy is left under its name.
    public func write<Output: TargetOutput, T>(_ output: Output, for target: RDBTarget, aofAt: String? = nil,
                                        _ body: () throws(RDBError) -> T) throws(RDBError) -> T {
        do throws(RDBError) {
            let result = try body()
            try check(output.losses, target: target, aofAt: aofAt)
            try output.finish()
            return result
        } catch {
            output.abandon()
            throw error
        }
    }
}

extension LossPolicy {
    /// The scaffold for an output that cannot wait for its end to be judged — a live server,
    /// where what was sent stays sent: `body` gets a `LossCheckpoint` to pass before sending
    /// each thing; the end is checked, finished or abandoned as by `write`.
    public func write<Output: TargetOutput, T>(_ output: Output, for target: RDBTarget, aofAt: String? = nil,
                                               checkingAsItGoes body: (LossCheckpoint) throws(RDBError) -> T) throws(RDBError) -> T {
        let checkpoint = LossCheckpoint(policy: self, output: output, target: target, aofAt: aofAt)
        return try write(output, for: target, aofAt: aofAt) { () throws(RDBError) -> T in try body(checkpoint) }
    }
}

/// The loss policy applied to what an output lost since the checkpoint was last passed.
public final class LossCheckpoint {
    private let policy: LossPolicy
    private let output: TargetOutput
    private let target: RDBTarget
    private let aofAt: String?
    /// How many of the output's losses were judged.
    private var judged = 0

    fileprivate init(policy: LossPolicy, output: TargetOutput, target: RDBTarget, aofAt: String?) {
        self.policy = policy
        self.output = output
        self.target = target
        self.aofAt = aofAt
    }

    /// Throws when the output lost, since the last pass, something the policy refuses.
    public func pass() throws(RDBError) {
        let losses = output.losses
        guard losses.count > judged else { return }
        let fresh = Array(losses[judged...])
        judged = losses.count
        try policy.check(fresh, target: target, aofAt: aofAt)
    }
}
