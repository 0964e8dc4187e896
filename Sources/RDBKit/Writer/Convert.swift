/// The convert verb's RDB → RDB work: every key of the input re-encoded for a target version.
public enum Convert {
    public struct Summary: Sendable {
        public var keys: Int
        /// What the target could not hold (only with `lossy`; otherwise these fail the conversion).
        public var losses: [ConversionLoss]
        public var checksum: UInt64
    }

    /// Converts `inputPath` into `outputPath` for `target`. Without `lossy`, anything the target
    /// cannot hold fails the conversion, listing every such thing, and no output is left behind.
    public static func rdbToRDB(inputPath: String, outputPath: String, target: RDBTarget, lossy: Bool,
                                withoutModules: Bool = false,
                                options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Summary {
        let writer = try RDBWriter(path: outputPath, target: target)
        writer.dropModules = withoutModules
        let collector = RecordCollector { (record) throws(RDBError) in try writer.write(record) }
        collector.onFunction = { (code) throws(RDBError) in try writer.writeFunction(code) }
        collector.onModuleAux = { (aux) throws(RDBError) in try writer.writeModuleAux(aux) }
        do throws(RDBError) {
            try RDBReader.read(path: inputPath, visitor: collector, options: options)
            let unwanted = writer.losses.filter { !$0.requested }
            if !lossy && !unwanted.isEmpty {
                throw lossError(unwanted, target: target)
            }
            let checksum = try writer.finish()
            return Summary(keys: writer.keysWritten, losses: writer.losses, checksum: checksum)
        } catch {
            writer.abandon()
            throw error
        }
    }

    static func lossError(_ losses: [ConversionLoss], target: RDBTarget) -> RDBError {
        var lines = losses.prefix(50).map { "  - \($0)" }
        if losses.count > 50 { lines.append("  ... and \(losses.count - 50) more") }
        return RDBError(.unreadable("\(target.magic) cannot hold \(losses.count) thing\(losses.count == 1 ? "" : "s") in the input (--lossy drops them):\n" + lines.joined(separator: "\n")),
                        offset: 0)
    }
}
