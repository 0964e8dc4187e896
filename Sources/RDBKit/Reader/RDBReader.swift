/// Entry points: read a dump from a path (`-` for standard input; gzip is unwrapped by content).
public enum RDBReader {
    /// Streams the file at `path` through `visitor`.
    @discardableResult
    public static func read<V: RDBVisitor>(path: String, visitor: V,
                                           options: ReaderOptions = ReaderOptions()) throws(RDBError) -> RDBTrailer {
        let (input, progress) = try window(path: path, options: options)
        defer { progress?.finish() }
        return try RDBParser(input: input, visitor: visitor, options: options).run()
    }

    /// The input window over `path`, with a progress line attached when asked for and possible.
    static func window(path: String, options: ReaderOptions) throws(RDBError) -> (InputWindow, ProgressMeter?) {
        let source = try openInput(path: path)
        let input = InputWindow(source: source)
        // A gzip or piped input has no known total: the line then shows bytes and rate only.
        guard options.showProgress, let meter = ProgressMeter(label: path, total: source.knownSize) else {
            return (input, nil)
        }
        meter.detail = options.progressDetail
        input.onProgress = { meter.update($0) }
        return (input, meter)
    }

    /// Streams any byte source through `visitor`.
    @discardableResult
    public static func read<V: RDBVisitor>(source: ByteSource, visitor: V,
                                           options: ReaderOptions = ReaderOptions()) throws(RDBError) -> RDBTrailer {
        try RDBParser(input: InputWindow(source: source), visitor: visitor, options: options).run()
    }

    /// Calls `body` with each key, materialized, in file order.
    public static func forEachRecord(path: String, options: ReaderOptions = ReaderOptions(),
                                     _ body: @escaping (KeyRecord) throws(RDBError) -> Void) throws(RDBError) {
        try read(path: path, visitor: RecordCollector(onRecord: body), options: options)
    }

    /// Every key of a (small) file, materialized.
    public static func records(path: String, options: ReaderOptions = ReaderOptions()) throws(RDBError) -> [KeyRecord] {
        var all: [KeyRecord] = []
        try forEachRecord(path: path, options: options) { all.append($0) }
        return all
    }
}
