/// `export` of an append-only file: its commands as JSON Lines,
/// `{"file":F,"offset":N,"db":N,"ts":N?,"args":[...]}` (`file` for multi-part directories), the
/// database tracked through SELECT. A base in RDB form is exported as keys (the RDB schema).
public enum AOFExport {
    public static func run(path: String, outputPath: String?, options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Int {
        let files = try AOFFiles.open(path)
        let output = try OutputFile(path: outputPath)
        let json = JSONWriter(output: output)
        var commands = 0
        do throws(RDBError) {
            var db = 0
            for part in files.parts {
                if part.isRDB {
                    try RDBReader.read(path: part.path, visitor: JSONExporter(writer: json, format: .jsonl, withMeta: false), options: options)
                    continue
                }
                let reader = RESPCommandReader(source: try openInput(path: part.path))
                do throws(RDBError) {
                    while let command = try reader.next() {
                        if command.name == "select", command.arguments.count == 2,
                           let n = command.arguments[1].withUnsafeBytes({ canonicalInt64($0) }) {
                            db = Int(n)
                        }
                        json.raw("{")
                        if files.manifest != nil {
                            json.raw("\"file\":")
                            json.string(Array(part.path.split(separator: "/").last.map(String.init)?.utf8 ?? "".utf8))
                            json.byte(UInt8(ascii: ","))
                        }
                        json.raw("\"offset\":")
                        json.int(command.offset)
                        json.raw(",\"db\":")
                        json.int(Int64(db))
                        if let ts = command.timestamp {
                            json.raw(",\"ts\":")
                            json.int(ts)
                        }
                        json.raw(",\"args\":[")
                        for (i, a) in command.arguments.enumerated() {
                            if i > 0 { json.byte(UInt8(ascii: ",")) }
                            json.string(a)
                        }
                        json.raw("]}\n")
                        try json.flushIfFull()
                        commands += 1
                    }
                } catch var error {
                    if error.context == nil { error.context = part.path }
                    throw error
                }
            }
            try json.flush()
            try output.commit()
            return commands
        } catch {
            output.abandon()
            throw error
        }
    }
}
