/// The export verb's work: stream a dump's keys to JSON Lines, a JSON array, the CSV report or key names.
public enum Export {
    public struct Summary: Sendable {
        public var keys: Int
        public var trailer: RDBTrailer
    }

    /// Exports `path` to `outputPath` (nil or "-" for standard output). The output file appears
    /// only when the export completed; on any error it is removed.
    /// `keysWithDB`: with the `keys` format, each name follows its database and a tab.
    public static func run(path: String, outputPath: String?, format: ExportFormat, withMeta: Bool,
                           filter: KeyFilter? = nil, options: ReaderOptions = ReaderOptions(),
                           keysWithDB: Bool = false) throws(RDBError) -> Summary {
        let output = try Outputs(inputs: [path]).file(outputPath)
        let writer = JSONWriter(output: output)
        do {
            let trailer: RDBTrailer
            let keys: Int
            switch format {
            case .json, .jsonl:
                let exporter = JSONExporter(writer: writer, format: format, withMeta: withMeta)
                trailer = try read(path, exporter, filter, options)
                keys = exporter.keysWritten
            case .csv:
                let csv = CSVExporter(writer: writer)
                trailer = try read(path, KeyStatsCollector { (stats) throws(RDBError) in try csv.write(stats) }, filter, options)
                try writer.flush()
                keys = csv.rows
            case .keys:
                let names = KeyNameWriter(writer: writer, withDB: keysWithDB)
                trailer = try read(path, names, filter, options)
                try writer.flush()
                keys = names.keys
            }
            try output.commit()
            return Summary(keys: keys, trailer: trailer)
        } catch {
            output.abandon()
            throw error
        }
    }

    private static func read<V: RDBVisitor>(_ path: String, _ visitor: V, _ filter: KeyFilter?,
                                            _ options: ReaderOptions) throws(RDBError) -> RDBTrailer {
        try RDBReader.read(path: path, visitor: visitor, filter: filter, options: options)
    }
}

/// `--format keys`: each key name on a line (after its database and a tab with `withDB`; a
/// name holding a tab is written in base64, as every control character), values skipped undecoded.
final class KeyNameWriter: RDBVisitor {
    let out: JSONWriter
    let withDB: Bool
    private(set) var keys = 0

    init(writer: JSONWriter, withDB: Bool = false) {
        out = writer
        self.withDB = withDB
    }

    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        if withDB {
            out.int(Int64(info.db))
            out.byte(UInt8(ascii: "\t"))
        }
        key.withBytes { KeyText.write($0, to: out) }
        out.byte(UInt8(ascii: "\n"))
        keys += 1
        try out.flushIfFull()
        return .skip
    }
}
