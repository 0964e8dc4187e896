extension Convert {
    /// What a conversion writes.
    public enum Format: Sendable {
        case rdb, json, jsonl, csv, resp
        case aof(AOFLayout)
    }

    /// One conversion, as `convert` asks for it: `input` (an RDB dump, an AOF, or the export
    /// schema, told apart by content) into `output` as `format`, for `writing`'s target.
    public struct Request: Sendable {
        public var input: String
        public var output: String
        public var format: Format
        public var writing = TargetWriting()
        /// What the input is when its content does not say (`.rdb` or `.json`); an AOF is always
        /// read as one.
        public var declaredKind: InputKind?
        /// The keys to convert, for RDB input (an AOF or JSON input is converted whole).
        public var filter: KeyFilter?
        public var reader = ReaderOptions()
        /// The clock, Unix ms, for an AOF's commands that read it (relative expiries).
        public var now: Int64

        public init(input: String, output: String, format: Format, now: Int64 = SystemClock.nowMs()) {
            self.input = input
            self.output = output
            self.format = format
            self.now = now
        }

        /// What the input is (read from its first bytes).
        public var kind: InputKind {
            let kind = InputKind.of(input)
            guard kind != .aof, let declaredKind else { return kind }
            return declaredKind
        }

        /// Why an input of `kind` cannot be converted as asked; nil when it can.
        public func refusal(for kind: InputKind) -> String? {
            let filtered = !(filter?.isEmpty ?? true)
            switch (kind, format) {
            case (.rdb, _): return nil
            case (.aof, .rdb), (.aof, .aof): return filtered ? "filters select keys of RDB input; an AOF is converted whole" : nil
            case (.aof, _): return "an AOF converts to rdb or aof (its replayed dataset)"
            case (.json, .rdb): return filtered ? "filters select keys of RDB input; a JSON input is converted whole" : nil
            case (.json, _): return "JSON input converts to rdb only"
            }
        }
    }

    /// What a conversion did, by the verb that did it.
    public enum Outcome: Sendable {
        /// Re-encoded (rdb, resp, aof) or imported from JSON.
        case converted(Summary)
        /// rdb → json, jsonl or csv: the export verb's work.
        case exported(Export.Summary)
        /// An AOF replayed into its dataset, as `merge` does with no deltas.
        case replayed(Merge.Summary)

        public var keys: Int {
            switch self {
            case .converted(let s): return s.keys
            case .exported(let s): return s.keys
            case .replayed(let s): return s.keysWritten
            }
        }
    }

    /// The convert verb: routes `request` by what its input is and what it asks for. Anything
    /// the target cannot hold fails it (unless `lossy`), and no output is left behind.
    public static func run(_ request: Request) throws(RDBError) -> Outcome {
        let kind = request.kind
        if let refusal = request.refusal(for: kind) { throw RDBError(.unreadable(refusal), context: request.input) }
        let (input, output, writing) = (request.input, request.output, request.writing)
        switch kind {
        case .aof:
            let layout: Merge.Output = if case .aof(let layout) = request.format { .aof(layout) } else { .rdb }
            var options = Merge.Options(writing, base: input, output: layout, now: request.now)
            options.reader = request.reader
            return .replayed(try Merge.run(base: input, deltas: [], outputPath: output, options: options))
        case .json:
            return .converted(try jsonToRDB(inputPath: input, outputPath: output, target: writing.target(for: input),
                                            lossy: writing.lossy, withoutModules: writing.withoutModules))
        case .rdb:
            let (filter, reader) = (request.filter, request.reader)
            switch request.format {
            case .json, .jsonl, .csv:
                let format: ExportFormat = switch request.format { case .json: .json; case .jsonl: .jsonl; default: .csv }
                return .exported(try Export.run(path: input, outputPath: output, format: format, withMeta: false,
                                                filter: filter, options: reader))
            case .aof(let layout):
                return .converted(try rdbToAOF(inputPath: input, outputPath: output, layout: layout, target: writing.target(for: input),
                                               lossy: writing.lossy, withoutModules: writing.withoutModules, filter: filter, options: reader))
            case .resp:
                return .converted(try rdbToRESP(inputPath: input, outputPath: output, target: writing.target(for: input),
                                                lossy: writing.lossy, withoutModules: writing.withoutModules, filter: filter, options: reader))
            case .rdb:
                return .converted(try rdbToRDB(inputPath: input, outputPath: output, target: writing.target(for: input),
                                               lossy: writing.lossy, withoutModules: writing.withoutModules, filter: filter, options: reader))
            }
        }
    }
}
