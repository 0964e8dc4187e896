#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental AOF file that grows while a backup follows its server. It is new when opened
/// (never an existing file) and named by a manifest only after it exists; every write is of
/// whole commands, so a crash leaves at worst the commands of the last unflushed second missing.
public final class AppendFile: ByteSink {
    public let path: String
    private var fd: Int32
    public private(set) var size: Int64 = 0

    public init(creating path: String) throws(RDBError) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RDBError(.output("cannot create \(path): \(errnoText())")) }
        self.path = path
    }

    /// Appends to a file this backup created (the empty one a new set was committed with).
    public init(appendingTo path: String) throws(RDBError) {
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw RDBError(.output("cannot open \(path): \(errnoText())")) }
        self.path = path
        var info = stat()
        if fstat(fd, &info) == 0 { size = Int64(info.st_size) }
    }

    deinit { if fd >= 0 { close(fd) } }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        if let failure = writeFully(fd, bytes) {
            throw RDBError(.output("write to \(path) failed: \(failure)"), offset: size)
        }
        size += Int64(bytes.count)
    }

    /// Makes what was written durable and closes the file.
    public func commit() throws(RDBError) {
        guard fd >= 0 else { return }
        defer { close(fd); fd = -1 }
        if fsync(fd) != 0 { throw RDBError(.output("fsync of \(path) failed: \(errnoText())"), offset: size) }
    }

    /// Closes the file; what was written stays (it is valid as far as it goes).
    public func abandon() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }
}
