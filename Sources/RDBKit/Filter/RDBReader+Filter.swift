extension RDBReader {
    /// Streams `path` through `visitor`, leaving out what `filter` rejects: by name, type,
    /// database and expiry before a value is read, by size after.
    @discardableResult
    public static func read<V: RDBVisitor>(path: String, visitor: V, filter: KeyFilter?,
                                           options: ReaderOptions = ReaderOptions()) throws(RDBError) -> RDBTrailer {
        let (input, progress) = try window(path: path, options: options)
        defer { progress?.finish() }
        return try run(input: input, visitor: visitor, filter: filter, options: options)
    }

    /// Parses `input` into `visitor` through `filter`.
    @discardableResult
    static func run<V: RDBVisitor>(input: InputWindow, visitor: V, filter: KeyFilter?,
                                   options: ReaderOptions) throws(RDBError) -> RDBTrailer {
        guard let filter, !filter.isEmpty else {
            return try RDBParser(input: input, visitor: visitor, options: options).run()
        }
        if let minimum = filter.minimumSize {
            let sized = MinimumSizeVisitor(visitor, minimum: minimum)
            return try RDBParser(input: input, visitor: FilteringVisitor(sized, filter: filter), options: options).run()
        }
        return try RDBParser(input: input, visitor: FilteringVisitor(visitor, filter: filter), options: options).run()
    }
}
