/// A rule broken inside an embedded container (listpack, ziplist, intset, zipmap), at a byte
/// position relative to the container's first byte. The reader turns it into an `RDBError`.
public struct ContainerError: Error, Sendable {
    public var position: Int
    public var message: String

    public init(_ message: String, at position: Int) {
        self.message = message
        self.position = position
    }
}
