#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A multi-part AOF directory written whole or not at all: its files are made in a temporary
/// directory beside the destination, which is renamed into place by `commit()` (over an empty
/// directory of that name, never over one with content). `abandon()` removes the partial work.
public final class OutputDirectory {
    public let destination: String
    public let temporaryPath: String
    private var finished = false

    public init(path: String) throws(RDBError) {
        var info = stat()
        if stat(path, &info) == 0, !Self.isEmptyDirectory(path) {
            throw RDBError(.io("\(path) exists and is not an empty directory; choose a new name"), offset: 0)
        }
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw RDBError(.io("cannot create a temporary directory beside \(path): \(errnoText())"), offset: 0)
        }
        destination = path
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(temporaryPath, 0o755)
    }

    deinit {
        if !finished { abandon() }
    }

    /// A file inside the directory, itself written under a temporary name until committed.
    public func file(named name: String) throws(RDBError) -> OutputFile {
        try OutputFile(path: temporaryPath + "/" + name)
    }

    public func commit() throws(RDBError) {
        finished = true
        guard rename(temporaryPath, destination) == 0 else {
            let reason = errnoText()
            removeTree(temporaryPath)
            throw RDBError(.io("cannot rename \(temporaryPath) to \(destination): \(reason)"), offset: 0)
        }
    }

    public func abandon() {
        finished = true
        removeTree(temporaryPath)
    }

    private static func isEmptyDirectory(_ path: String) -> Bool { directoryEntries(path)?.isEmpty == true }

    /// The temporary directory holds only plain files this class made.
    private func removeTree(_ path: String) {
        for name in directoryEntries(path) ?? [] { unlink(path + "/" + name) }
        rmdir(path)
    }
}
