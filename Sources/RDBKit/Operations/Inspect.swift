extension Inspector {
    /// inspect's work on any input: a dump, or the dataset an AOF replays to (`ReplayedDataset`,
    /// at `nowMs`), summarized under the input's own name with `replayedAOF` set.
    public static func inspect(input: String, nowMs: Int64, top: Int, separator: Bytes, filter: KeyFilter? = nil,
                               options: ReaderOptions = ReaderOptions()) throws(RDBError) -> Inspection {
        var inspection = try ReplayedDataset.withDataset(input, now: nowMs, options: options) { (dataset) throws(RDBError) in
            try inspect(path: dataset, nowMs: nowMs, top: top, separator: separator, filter: filter, options: options)
        }
        inspection.replayedAOF = inspection.path != input
        inspection.path = input
        return inspection
    }
}
