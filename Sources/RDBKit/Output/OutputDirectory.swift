#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A multi-part AOF directory written whole or not at all: its files are made in a temporary
/// directory beside the destination, which is renamed into place by `commit()` (over an empty
/// directory of that name, never over one with content). `abandon()` removes the partial work,
/// and so does a signal (see `TemporaryOutputs`). A new directory gets 0777 & ~umask.
public final class OutputDirectory {
    public let destination: String
    public let temporaryPath: String
    private var finished = false

    init(path: String) throws(RDBError) {
        var info = stat()
        if stat(path, &info) == 0, directoryEntries(path)?.isEmpty != true {
            throw RDBError(.output("\(path) exists and is not an empty directory; choose a new name"), offset: 0)
        }
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw RDBError(.output("cannot create a temporary directory beside \(path): \(errnoText())"), offset: 0)
        }
        destination = path
        temporaryPath = String(cString: template)
        TemporaryOutputs.registry.add(directory: temporaryPath)
        chmod(temporaryPath, 0o777 & ~processUmask)
    }

    deinit {
        if !finished { abandon() }
    }

    /// A file inside the directory, itself written under a temporary name until committed.
    public func file(named name: String) throws(RDBError) -> OutputFile {
        try OutputFile(path: temporaryPath + "/" + name)
    }

    /// Renames the directory into place. `verify`, when given, reads the complete directory at
    /// the path it is passed first; its error abandons the output.
    public func commit(verifiedBy verify: ((String) throws(RDBError) -> Void)? = nil) throws(RDBError) {
        if let verify {
            do throws(RDBError) { try verify(temporaryPath) } catch {
                abandon()
                throw error
            }
        }
        finished = true
        let renamed = TemporaryOutputs.registry.finish(directory: temporaryPath) { () -> Int32 in
            let status = rename(temporaryPath, destination)
            if status != 0 { removeTemporaryTree(temporaryPath) }
            return status == 0 ? 0 : errno
        }
        guard renamed == 0 else {
            throw RDBError(.output("cannot rename \(temporaryPath) to \(destination): \(String(cString: strerror(renamed)))"), offset: 0)
        }
    }

    public func abandon() {
        guard !finished else { return }
        finished = true
        TemporaryOutputs.registry.finish(directory: temporaryPath) { removeTemporaryTree(temporaryPath) }
    }
}
