/// `validate` of an append-only file (single file, with or without RDB preamble, or a multi-part
/// directory): every part framed right, an RDB base or preamble whole, and every command one
/// Redis could have written (see `AOFCommandCheck`). For damage: the file, the offset, the reason
/// and how far the file is valid, counted as redis-check-aof counts it (a transaction is valid
/// only with its EXEC).
public struct AOFValidation: Sendable {
    public var path: String
    public var files = 0
    public var commands = 0
    /// Keys in RDB parts (a base file or preambles).
    public var rdbKeys = 0
    /// Commands of modules (not checked against Redis's table), by name.
    public var moduleCommands: [String: Int] = [:]
    public var error: RDBError?
    /// The damaged part, and the length of its longest valid prefix (what a repair keeps).
    public var damagedPart: Int?
    public var validUpTo: Int64?
    /// The damage is in RDB content (a base file or a preamble): nothing there can be cut off.
    public var damageInRDB = false
    /// Where `until` stopped reading: the part and the offset of the later `#TS:` annotation.
    public var stoppedByTimestamp: (part: Int, offset: Int64)?
    /// The parts, in load order, and the manifest they come from.
    public var layout = AOFFiles(parts: [])

    public var isValid: Bool { error == nil }

    public static func validate(path: String, options: ReaderOptions = ReaderOptions(), until: Int64? = nil,
                                check: AOFCommandCheck? = AOFCommandCheck()) -> AOFValidation {
        var result = AOFValidation(path: path)
        let reader: AOFReader
        do {
            reader = try AOFReader(path: path, options: options, until: until)
        } catch {
            result.error = error
            return result
        }
        result.layout = reader.files
        // The checks judge names, counts and numbers: a long value is passed over, not held.
        reader.longArguments = .elided
        let validator = Validator(path: path)
        var multiAt: Int64?
        var failedCommandAt: Int64?
        do throws(RDBError) {
            // aof.c: a transaction open at the end of a file is reverted there.
            try reader.read(rdb: validator, partEnded: { () throws(RDBError) in
                if let at = multiAt { throw openMulti(at) }
            }) { (command) throws(RDBError) in
                switch command.name {
                case "multi":
                    if multiAt != nil {
                        failedCommandAt = command.offset
                        throw RDBError(.corrupt("unexpected MULTI inside a transaction"), offset: command.offset)
                    }
                    multiAt = command.offset
                case "exec":
                    if multiAt == nil {
                        failedCommandAt = command.offset
                        throw RDBError(.corrupt("unexpected EXEC without MULTI"), offset: command.offset)
                    }
                    multiAt = nil
                default:
                    if let check, check.isModuleCommand(command) {
                        result.moduleCommands[command.name.uppercased(), default: 0] += 1
                    } else if let problem = check?.problem(in: command) {
                        failedCommandAt = command.offset
                        throw RDBError(.corrupt(problem), offset: command.offset)
                    }
                }
                result.commands += 1
            }
        } catch var error {
            if error.context == nil { error.context = reader.currentPart.path }
            result.error = error
            result.damagedPart = reader.partIndex
            result.damageInRDB = reader.readingRDB
            // The longest valid prefix ends before the failing command, and before its MULTI.
            result.validUpTo = min(multiAt ?? .max, failedCommandAt ?? reader.validUpTo)
        }
        result.files = min(reader.partIndex + 1, reader.files.parts.count)
        result.rdbKeys = validator.keys
        result.stoppedByTimestamp = reader.stoppedByTimestamp
        return result
    }

    private static func openMulti(_ at: Int64) -> RDBError {
        RDBError(.corrupt("MULTI without EXEC at the end of the file: Redis reverts the transaction"), offset: at)
    }

    public var summaryLine: String {
        if let error {
            return "BAD \(path): \(error)" + (validUpTo.map { " (valid up to offset \($0); \(commands) whole command\(commands == 1 ? "" : "s") before it)" } ?? "")
        }
        var line = "OK  \(path): AOF, \(files) file\(files == 1 ? "" : "s"), \(commands) command\(commands == 1 ? "" : "s")"
        if rdbKeys > 0 { line += ", \(rdbKeys) key\(rdbKeys == 1 ? "" : "s") in RDB form" }
        if !moduleCommands.isEmpty {
            line += "; unknown commands of modules (not checked; Redis loads them only with the module): "
                + moduleCommands.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        if let stop = stoppedByTimestamp { line += "; stopped at the timestamp annotation at offset \(stop.offset) of \(layout.parts[stop.part].path)" }
        return line
    }
}

extension AOFValidation {
    /// One JSON object for machines, as `ValidationReport.jsonLine` is for RDB files.
    public var jsonLine: String {
        let w = JSONWriter(output: nil)
        w.raw("{\"path\":")
        w.string(Array(path.utf8))
        w.raw(",\"valid\":")
        w.raw(isValid ? "true" : "false")
        w.raw(",\"format\":\"aof\",\"files\":[")
        for (i, part) in layout.parts.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(Array(part.path.utf8))
        }
        w.raw("],\"files_read\":")
        w.int(Int64(files))
        w.raw(",\"commands\":")
        w.int(Int64(commands))
        w.raw(",\"rdb_keys\":")
        w.int(Int64(rdbKeys))
        w.raw(",\"module_commands\":{")
        for (i, (name, count)) in moduleCommands.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(Array(name.utf8))
            w.byte(UInt8(ascii: ":"))
            w.int(Int64(count))
        }
        w.byte(UInt8(ascii: "}"))
        if let stop = stoppedByTimestamp {
            w.raw(",\"stopped_by_timestamp\":{\"file\":")
            w.string(Array(layout.parts[stop.part].path.utf8))
            w.raw(",\"offset\":")
            w.int(stop.offset)
            w.byte(UInt8(ascii: "}"))
        }
        if let error {
            w.validationError(error, beforeKey: {
                if let damagedPart, damagedPart < layout.parts.count {
                    w.raw(",\"file\":")
                    w.string(Array(layout.parts[damagedPart].path.utf8))
                }
            }, afterKey: {
                if let validUpTo {
                    w.raw(",\"valid_up_to\":")
                    w.int(validUpTo)
                }
                w.raw(",\"in_rdb\":")
                w.raw(damageInRDB ? "true" : "false")
            })
        }
        w.byte(UInt8(ascii: "}"))
        return String(decoding: w.pending, as: UTF8.self)
    }
}
