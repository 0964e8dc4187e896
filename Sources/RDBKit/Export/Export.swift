/// The export verb's work: stream a dump's keys to JSON Lines or a JSON array.
public enum Export {
    public struct Summary: Sendable {
        public var keys: Int
        public var trailer: RDBTrailer
    }

    /// Exports `path` to `outputPath` (nil or "-" for standard output). The output file appears
    /// only when the export completed; on any error it is removed.
    public static func run(path: String, outputPath: String?, format: ExportFormat, withMeta: Bool,
                           filter: KeyFilter? = nil, options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Summary {
        let output = try OutputFile(path: outputPath)
        let exporter = JSONExporter(writer: JSONWriter(output: output), format: format, withMeta: withMeta)
        do {
            let trailer: RDBTrailer
            if let filter, !filter.isEmpty {
                trailer = try RDBReader.read(path: path, visitor: FilteringVisitor(exporter, filter: filter), options: options)
            } else {
                trailer = try RDBReader.read(path: path, visitor: exporter, options: options)
            }
            try output.commit()
            return Summary(keys: exporter.keysWritten, trailer: trailer)
        } catch {
            output.abandon()
            throw error
        }
    }
}
