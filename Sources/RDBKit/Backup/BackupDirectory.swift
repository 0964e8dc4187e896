#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder `rdbkit backup -o DIR` writes into: created when missing, refused when it is
/// something other than a directory (decided by stat, not by name).
enum BackupDirectory {
    static func prepare(_ path: String) throws(RDBError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw RDBError(.output("\(path) exists and is not a directory"))
            }
            return
        }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw RDBError(.output("cannot create \(path): \(errnoText())"))
        }
    }

    /// `stem + suffix`, or `stem-2 + suffix`… when a backup of the same second exists.
    static func uniqueName(in directory: String, stem: String, suffix: String) -> String {
        var name = stem + suffix
        var n = 2
        var info = stat()
        while stat(directory + "/" + name, &info) == 0 {
            name = "\(stem)-\(n)\(suffix)"
            n += 1
        }
        return name
    }
}
