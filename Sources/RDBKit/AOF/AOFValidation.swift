/// `validate` of an append-only file (single file or multi-part directory): every part framed
/// right, an RDB base whole. Reports the commands read, an open MULTI at the end (Redis drops
/// it, loading only what came before), and for damage the file, offset and how far it was valid.
public struct AOFValidation: Sendable {
    public var path: String
    public var files = 0
    public var commands = 0
    /// Offset of a MULTI with no EXEC before the end: Redis loads the file only up to here.
    public var openMultiAt: Int64?
    public var error: RDBError?
    /// In the damaged file, the length of the longest valid prefix (what a repair keeps).
    public var validUpTo: Int64?

    public var isValid: Bool { error == nil }

    public static func validate(path: String, options: ReaderOptions = ReaderOptions()) -> AOFValidation {
        var result = AOFValidation(path: path)
        do throws(RDBError) {
            let files = try AOFFiles.open(path)
            for part in files.parts {
                result.files += 1
                if part.isRDB {
                    let report = Validator.validate(path: part.path, options: options)
                    if var error = report.error {
                        error.context = part.path + (error.context.map { ": " + $0 } ?? "")
                        throw error
                    }
                    continue
                }
                let reader = RESPCommandReader(source: try openInput(path: part.path))
                do throws(RDBError) {
                    result.openMultiAt = nil
                    while let command = try reader.next() {
                        result.commands += 1
                        switch command.name {
                        case "multi": result.openMultiAt = command.offset
                        case "exec": result.openMultiAt = nil
                        default: break
                        }
                    }
                } catch var error {
                    result.validUpTo = reader.validUpTo
                    error.context = part.path + (error.context.map { ": " + $0 } ?? "")
                    throw error
                }
            }
        } catch {
            result.error = error
        }
        return result
    }

    public var summaryLine: String {
        if let error {
            return "BAD \(path): \(error)" + (validUpTo.map { " (valid up to offset \($0))" } ?? "")
        }
        var line = "OK  \(path): AOF, \(files) file\(files == 1 ? "" : "s"), \(commands) command\(commands == 1 ? "" : "s")"
        if let openMultiAt { line += "; warning: MULTI at offset \(openMultiAt) has no EXEC (Redis loads only what precedes it)" }
        return line
    }
}
