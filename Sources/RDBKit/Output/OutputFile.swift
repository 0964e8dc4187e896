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
    /// Bytes written so far (by the writing thread once there is one; read after it has stopped).
    private let progress = WriteProgress()
    private var written: Int64 { progress.written }
    /// Once a write is large (a buffer's flush), writing moves to a second thread: the caller
    /// copies the bytes and goes on formatting while the kernel takes them (write(2) of a big
    /// output costs as much time as producing it). Every later write goes the same way, in order;
    /// `commit` and `abandon` wait for it.
    private var background: BackgroundWorker?
    private let failure = WriteFailure()
    /// Runs over each chunk on the writing thread before it is written (an output checksum), so
    /// that it too leaves the caller's thread. Set before the first write.
    var digest: ((UnsafeRawBufferPointer) -> Void)?
    private static let backgroundThreshold = 256 * 1024

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
        if background == nil && bytes.count >= OutputFile.backgroundThreshold { startBackground() }
        guard let background else { return try writeNow(bytes) }
        if let error = failure.error { throw error }
        var at = 0
        while at < bytes.count {
            let n = min(BackgroundWorker.bufferSize, bytes.count - at)
            background.submit(bytes: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)]))
            at += n
        }
    }

    private func writeNow(_ bytes: UnsafeRawBufferPointer) throws(RDBError) {
        try Self.write(bytes, fd: fd, path: path, digest: digest, progress: progress)
    }

    private static func write(_ bytes: UnsafeRawBufferPointer, fd: Int32, path: String,
                              digest: ((UnsafeRawBufferPointer) -> Void)?, progress: WriteProgress) throws(RDBError) {
        digest?(bytes)
        if let failure = writeFully(fd, bytes) {
            throw RDBError(.output("cannot write \(path): \(failure)"), offset: progress.written)
        }
        progress.written += Int64(bytes.count)
    }

    private func startBackground() {
        // The thread holds what it needs, not the file (whose deinit stops it).
        background = BackgroundWorker(buffers: 2) { [fd, path, digest, progress, failure] job in
            guard failure.error == nil else { return }
            do throws(RDBError) {
                try OutputFile.write(UnsafeRawBufferPointer(start: job.buffer, count: job.count), fd: fd, path: path,
                                     digest: digest, progress: progress)
            } catch {
                failure.error = error
            }
        }
    }

    /// Waits until every write has reached the file; throws the first that failed.
    func drain() throws(RDBError) {
        guard let background else { return }
        background.drain()
        if let error = failure.error { throw error }
    }

    private func stopBackground() {
        background?.stop()
        background = nil
    }

    public func write(_ bytes: [UInt8]) throws(RDBError) {
        let result: Result<Void, RDBError> = bytes.withUnsafeBytes { raw in Result { () throws(RDBError) in try write(raw) } }
        try result.get()
    }

    /// Makes the output visible under its name. `verify`, when given, reads the complete bytes at
    /// the path it is passed before the rename; its error abandons the output.
    public func commit() throws(RDBError) { try commit(verifiedBy: nil) }

    public func commit(verifiedBy verify: ((String) throws(RDBError) -> Void)?) throws(RDBError) {
        do throws(RDBError) {
            try drain()
            stopBackground()
        } catch {
            abandon()
            throw error
        }
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
        stopBackground()
        guard let temporaryPath else {
            if ownsDescriptor { close(fd) }
            return
        }
        close(fd)
        TemporaryOutputs.registry.finish(file: temporaryPath) { unlink(temporaryPath) }
    }
}

extension OutputFile: ByteSink {}

private final class WriteProgress: @unchecked Sendable {
    var written: Int64 = 0
}

/// The first write that failed on `OutputFile`'s writing thread, read by the caller's.
private final class WriteFailure: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var stored: RDBError?

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    var error: RDBError? {
        get {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return stored
        }
        set {
            pthread_mutex_lock(mutex)
            stored = newValue
            pthread_mutex_unlock(mutex)
        }
    }
}
