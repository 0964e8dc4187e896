extension Diff {
    /// diff's work on any inputs: dumps, or the datasets AOFs replay to (at `filter`'s clock).
    public static func run(inputs a: String, _ b: String, filter: KeyFilter? = nil, options: ReaderOptions = ReaderOptions(),
                           valueLimit: Int? = nil, report: @escaping (Difference) throws(RDBError) -> Void) throws(RDBError) -> Summary {
        let now = filter?.nowMs ?? SystemClock.nowMs()
        return try ReplayedDataset.withDataset(a, now: now, options: options) { (a) throws(RDBError) in
            try ReplayedDataset.withDataset(b, now: now, options: options) { (b) throws(RDBError) in
                try run(a, b, filter: filter, options: options, valueLimit: valueLimit, report: report)
            }
        }
    }
}
