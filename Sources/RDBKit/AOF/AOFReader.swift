/// Reads an append-only file the way Redis loads it (aof.c loadAppendOnlyFiles): the parts in
/// load order; an RDB part (a `….base.rdb`, or the preamble of a file starting with the RDB
/// magic) goes to an RDB visitor, commands to a closure. `until` stops at the first `#TS:` later
/// than it, in whichever part that is, and no later part is read.
public final class AOFReader {
    public let files: AOFFiles
    public var options: ReaderOptions
    /// Unix seconds: read only what was written up to this time (needs `aof-timestamp-enabled`).
    public var until: Int64?

    /// The part being read (or where reading stopped) and its last whole command's end.
    public private(set) var partIndex = 0
    public private(set) var validUpTo: Int64 = 0
    /// Where `until` stopped: the part and the offset of the later annotation.
    public private(set) var stoppedByTimestamp: (part: Int, offset: Int64)?
    /// The latest `#TS:` time read so far (annotations without a command after them included).
    public private(set) var timestamp: Int64?
    /// True while RDB content (a base or a preamble) is read: damage there cannot be cut off.
    public private(set) var readingRDB = false
    /// What the command reader does with an argument longer than a piece (`LongArguments`).
    public var longArguments = LongArguments.held

    public init(path: String, options: ReaderOptions = ReaderOptions(), until: Int64? = nil) throws(RDBError) {
        files = try AOFFiles.open(path)
        self.options = options
        self.until = until
    }

    public var currentPart: AOFFiles.Part { files.parts[min(partIndex, files.parts.count - 1)] }

    /// Reads every part. Errors carry the part's path as context; `partIndex` and `validUpTo`
    /// then say where the damage is and how much of that part is whole. `partEnded` runs after
    /// each part is read (or where `until` stopped it): what Redis does at the end of a file
    /// (reverting an open MULTI, starting again in database 0) is done there, once for every caller.
    public func read<V: RDBVisitor>(rdb visitor: V, partEnded: () throws(RDBError) -> Void = {},
                                    command: (AOFCommand) throws(RDBError) -> Void) throws(RDBError) {
        for (index, part) in files.parts.enumerated() {
            partIndex = index
            validUpTo = 0
            do throws(RDBError) {
                try read(part, index: index, rdb: visitor, command: command)
                try partEnded()
            } catch var error {
                if error.context == nil { error.context = part.path } else { error.context = part.path + ": " + error.context! }
                throw error
            }
            if stoppedByTimestamp != nil { return }
        }
    }

    private func read<V: RDBVisitor>(_ part: AOFFiles.Part, index: Int, rdb visitor: V,
                                     command: (AOFCommand) throws(RDBError) -> Void) throws(RDBError) {
        let input = InputWindow(source: try openInput(path: part.path))
        if part.isRDB {
            readingRDB = true
            try RDBParser(input: input, visitor: visitor, options: options).run()
            readingRDB = false
            return
        }
        if startsWithRDBMagic(input) {
            // aof.c: a file starting with the RDB magic is an RDB preamble, then commands.
            var preambleOptions = options
            preambleOptions.isPreamble = true
            readingRDB = true
            try RDBParser(input: input, visitor: visitor, options: preambleOptions).run()
            readingRDB = false
        }
        input.stopChecksumming()
        let reader = RESPCommandReader(input: input)
        reader.until = until
        reader.longArguments = longArguments
        // Annotations come only when the second changes: a file continues the previous one's time.
        reader.timestamp = timestamp
        defer { timestamp = reader.timestamp }
        validUpTo = reader.validUpTo
        do throws(RDBError) {
            while let next = try reader.next() {
                validUpTo = reader.validUpTo
                try command(next)
            }
        } catch {
            validUpTo = reader.validUpTo
            throw error
        }
        validUpTo = reader.validUpTo
        if let at = reader.stoppedByTimestampAt { stoppedByTimestamp = (index, at) }
    }

    private func startsWithRDBMagic(_ input: InputWindow) -> Bool {
        for family in RDBFamily.allCases {
            let letters = family.magicLetters.utf8
            let count = letters.count
            guard let head = try? input.take(count) else { continue }
            let matches = head.elementsEqual(letters)
            input.unread(count)
            if matches { return true }
        }
        return false
    }
}
