/// Something in the input the target version cannot hold. By default a conversion with any loss
/// fails and lists them all; with `--lossy` they are dropped and each is reported.
public struct ConversionLoss: Sendable, Equatable, CustomStringConvertible {
    public var db: Int?
    public var key: Bytes?
    public var what: String
    /// Dropped because the user asked (e.g. --without-modules): reported, never a failure.
    public var requested = false

    public var description: String {
        guard let key else { return what }
        return "db \(db ?? 0) key \(displayKey(key)): \(what)"
    }
}
