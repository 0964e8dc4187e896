/// `export` of an append-only file: its commands as JSON Lines,
/// `{"file":F,"offset":N,"db":N,"ts":N?,"args":[...]}` (`file` for multi-part directories), the
/// database tracked through SELECT. RDB content (a base file or a preamble) is exported as keys,
/// in the RDB schema, where it comes. `until` stops at the first later `#TS:` annotation;
/// `databases` (when not empty) keeps the commands and keys of those databases.
public enum AOFExport {
    public static func run(path: String, outputPath: String?, options: ReaderOptions = ReaderOptions(),
                           until: Int64? = nil, databases: Set<Int> = []) throws(RDBError) -> Int {
        let reader = try AOFReader(path: path, options: options, until: until)
        // A long argument (a 512 MiB SET) is copied out of a temporary file, never held.
        reader.longArguments = .spilled
        let output = try Outputs(inputs: [path]).file(outputPath)
        let json = JSONWriter(output: output)
        var byDatabase = KeyFilter(nowMs: 0)
        byDatabase.databases = databases
        let keys = FilteringVisitor(JSONExporter(writer: json, format: .jsonl, withMeta: false), filter: byDatabase)
        var commands = 0
        do throws(RDBError) {
            var db = 0
            try reader.read(rdb: keys) { (command) throws(RDBError) in
                if command.name == "select", command.arguments.count == 2, let n = integer(command.arguments[1]) {
                    db = Int(n)
                }
                if !databases.isEmpty && !databases.contains(db) { return }
                json.raw("{")
                if reader.files.manifest != nil {
                    json.raw("\"file\":")
                    json.string(Array(reader.currentPart.path.split(separator: "/").last.map(String.init)?.utf8 ?? "".utf8))
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
                    if let long = command.spilled[i] {
                        try long.write(to: json)
                    } else {
                        json.string(a)
                    }
                }
                json.raw("]}\n")
                try json.flushIfFull()
                commands += 1
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
