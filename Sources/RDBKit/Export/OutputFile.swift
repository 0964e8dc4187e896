#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where output goes: standard output, or a file that appears under its name only when complete.
/// A file is written to a temporary name beside it and renamed over the destination by `commit()`;
/// if the work fails, `abandon()` (or deinit) removes the temporary file. Inputs are never touched.
public final class OutputFile {
    public let fd: Int32
    private let destination: String?
    private let temporaryPath: String?
    private var finished = false
    private var written: Int64 = 0

    /// `path` nil or "-" means standard output.
    public init(path: String?) throws(RDBError) {
        guard let path, path != "-" else {
            fd = STDOUT_FILENO
            destination = nil
            temporaryPath = nil
            return
        }
        if path == "/dev/null" || path.hasPrefix("/dev/") || path.hasPrefix("/proc/self/fd/") {
            // Devices and pipes cannot be renamed over; write to them directly.
            fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw RDBError(.io("cannot open \(path): \(errnoText())"), offset: 0) }
            destination = nil
            temporaryPath = nil
            return
        }
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw RDBError(.io("cannot create a temporary file beside \(path): \(errnoText())"), offset: 0)
        }
        fchmod(descriptor, 0o644)
        fd = descriptor
        destination = path
        temporaryPath = String(cString: template)
    }

    deinit {
        if !finished { abandon() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        if let failure = writeFully(fd, bytes) {
            throw RDBError(.io("write failed: \(failure)"), offset: written)
        }
        written += Int64(bytes.count)
    }

    public func write(_ bytes: [UInt8]) throws(RDBError) {
        let result: Result<Void, RDBError> = bytes.withUnsafeBytes { raw in Result { () throws(RDBError) in try write(raw) } }
        try result.get()
    }

    /// Makes the output visible under its name.
    public func commit() throws(RDBError) {
        finished = true
        guard let temporaryPath, let destination else { return }
        if fsync(fd) != 0 && errno != EINVAL {
            throw RDBError(.io("fsync failed: \(errnoText())"), offset: written)
        }
        close(fd)
        guard rename(temporaryPath, destination) == 0 else {
            let reason = errnoText()
            unlink(temporaryPath)
            throw RDBError(.io("cannot rename \(temporaryPath) to \(destination): \(reason)"), offset: written)
        }
    }

    /// Drops a partial output.
    public func abandon() {
        finished = true
        guard let temporaryPath else { return }
        close(fd)
        unlink(temporaryPath)
    }
}
