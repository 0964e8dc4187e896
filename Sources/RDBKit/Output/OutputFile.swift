#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where output goes, decided by what the path is (`stat`), never by its name:
/// - nil or `-`, or the file standard output already is (`/dev/stdout`): standard output;
/// - a character or block device, a FIFO or a socket: written directly, as they cannot be renamed over;
/// - a regular file, or nothing yet: written to a temporary name beside it and renamed over the
///   name by `commit()` (replacing a symbolic link there, never following it); the new file gets
///   0666 & ~umask, a replaced one keeps its mode and, where allowed, its owner.
/// If the work fails, `abandon()` (or deinit) removes the temporary file, and so does a signal
/// (see `TemporaryOutputs`). Make one through `Outputs`, which refuses an output that is an input.
public final class OutputFile {
    public let fd: Int32
    /// The name the output appears under, as given ("-" for standard output).
    public let path: String
    private let temporaryPath: String?
    private let ownsDescriptor: Bool
    private var finished = false
    private var written: Int64 = 0

    init(path given: String?) throws(RDBError) {
        let path = given ?? "-"
        self.path = path
        var info = stat()
        let exists = path != "-" && stat(path, &info) == 0
        if path == "-" || (exists && FileIdentity(info) == FileIdentity(descriptor: STDOUT_FILENO)) {
            fd = STDOUT_FILENO
            ownsDescriptor = false
            temporaryPath = nil
            return
        }
        ownsDescriptor = true
        let type = info.st_mode & S_IFMT
        if exists && type == S_IFDIR {
            throw RDBError(.output("cannot write \(path): it is a directory"), offset: 0)
        }
        if exists && type != S_IFREG {
            fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw RDBError(.output("cannot open \(path): \(errnoText())"), offset: 0) }
            temporaryPath = nil
            return
        }
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw RDBError(.output("cannot create a temporary file beside \(path): \(errnoText())"), offset: 0)
        }
        let temporary = String(cString: template)
        TemporaryOutputs.registry.add(file: temporary)
        if exists {
            fchmod(descriptor, info.st_mode & 0o7777)
            _ = fchown(descriptor, info.st_uid, info.st_gid)
        } else {
            fchmod(descriptor, 0o666 & ~processUmask)
        }
        fd = descriptor
        temporaryPath = temporary
    }

    deinit {
        if !finished { abandon() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        if let failure = writeFully(fd, bytes) {
            throw RDBError(.output("cannot write \(path): \(failure)"), offset: written)
        }
        written += Int64(bytes.count)
    }

    public func write(_ bytes: [UInt8]) throws(RDBError) {
        let result: Result<Void, RDBError> = bytes.withUnsafeBytes { raw in Result { () throws(RDBError) in try write(raw) } }
        try result.get()
    }

    /// Makes the output visible under its name. `verify`, when given, reads the complete bytes at
    /// the path it is passed before the rename; its error abandons the output.
    public func commit() throws(RDBError) { try commit(verifiedBy: nil) }

    public func commit(verifiedBy verify: ((String) throws(RDBError) -> Void)?) throws(RDBError) {
        guard let temporaryPath else {
            finished = true
            if ownsDescriptor { close(fd) }
            return
        }
        if fsync(fd) != 0 && errno != EINVAL {
            let reason = errnoText()
            abandon()
            throw RDBError(.output("cannot write \(path): \(reason)"), offset: written)
        }
        if let verify {
            do throws(RDBError) { try verify(temporaryPath) } catch {
                abandon()
                throw error
            }
        }
        finished = true
        close(fd)
        let renamed = TemporaryOutputs.registry.finish(file: temporaryPath) { () -> Int32 in
            let status = rename(temporaryPath, path)
            if status != 0 { unlink(temporaryPath) }
            return status == 0 ? 0 : errno
        }
        guard renamed == 0 else {
            throw RDBError(.output("cannot rename \(temporaryPath) to \(path): \(String(cString: strerror(renamed)))"), offset: written)
        }
    }

    /// Drops a partial output.
    public func abandon() {
        guard !finished else { return }
        finished = true
        guard let temporaryPath else {
            if ownsDescriptor { close(fd) }
            return
        }
        close(fd)
        TemporaryOutputs.registry.finish(file: temporaryPath) { unlink(temporaryPath) }
    }
}

extension OutputFile: ByteSink {}
