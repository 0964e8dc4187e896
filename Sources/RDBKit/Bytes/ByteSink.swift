#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where encoded bytes go: a file written under a temporary name (`OutputFile`), a gzip stream
/// in front of one (`GzipOutput`), or a live file that only grows (`AppendFile`).
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws(RDBError)
    /// The output is whole: make it visible (or durable) under its name.
    func commit() throws(RDBError)
    func abandon()
}

/// write(2) until every byte is out (retrying short writes and EINTR); the errno text on failure.
func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
    var p = bytes.baseAddress
    var left = bytes.count
    while left > 0 {
        let n = Glibc.write(fd, p, left)
        if n < 0 {
            if errno == EINTR { continue }
            return errnoText()
        }
        p = p! + n
        left -= n
    }
    return nil
}

/// Bytes gathered in memory (commands for a connection to send).
public final class MemorySink: ByteSink {
    public private(set) var bytes: Bytes = []

    public init() {}

    public func write(_ bytes: UnsafeRawBufferPointer) throws(RDBError) { self.bytes += bytes }
    public func commit() throws(RDBError) {}
    public func abandon() { bytes = [] }
}
