import ArgumentParser
import RDBKit

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Write the longest loadable prefix of a damaged append-only file to a new place.",
        discussion: """
            What `redis-check-aof --fix` does, without touching the input: the output ends before \
            the first damaged command (a truncated tail, broken framing, or a command Redis could \
            not have written: unknown name, wrong arity, a bad number) and before a MULTI whose EXEC \
            is missing. A multi-part directory is written as a new directory (the manifest without \
            history files); only its last incremental file may be cut, as Redis loads a truncated \
            file only when it is the last. Damage inside RDB content (a base or a preamble) cannot \
            be cut off and is an error.

            --until TIME cuts at the first #TS: annotation later than TIME (Unix seconds or ISO 8601; the AOF \
            needs aof-timestamp-enabled), for point-in-time recovery; in a multi-part directory \
            the incremental files after that point are left out of the new manifest.

            What is cut is reported (bytes, share of the file); a cut of more than 1 MiB or 1% of \
            the file gets a warning, and --max-cut BYTES refuses a larger cut, writing nothing. An \
            RDB dump is not an AOF and is refused: it has no valid prefix to keep.

            Exit status: 0 when the output is written (what was cut is reported on standard \
            error), 1 when nothing can be written, 2 on usage errors.

            Example: rdbkit repair appendonlydir -o appendonlydir.fixed
            """)

    @Argument(help: "An AOF file, a multi-part directory, or its manifest.")
    var input: String

    @Option(name: [.short, .customLong("output")], help: "Where to write the repaired copy (a file, or a new directory for a multi-part AOF).")
    var output: String

    @Option(name: .customLong("until"), help: "Cut at the first timestamp annotation later than this time: Unix seconds or ISO 8601 (2026-11-26T12:00:00Z).")
    var untilTime: TimeArgument?
    var until: Int64? { untilTime?.seconds }

    @Option(name: .customLong("max-cut"), help: "Refuse (writing nothing) a repair that would cut more than this many bytes.")
    var maxCut: Int64?

    @OptionGroup var reading: ReadingOptions

    func run() throws {
        do {
            guard InputKind.of(input) == .aof else {
                FileHandleStandardError.write("rdbkit: \(input): repair works on append-only files (a file of commands, with or without an RDB preamble, or a multi-part directory); this is an RDB dump, which has no valid prefix to keep: check it with rdbkit validate\n")
                throw CommandFailure()
            }
            let outcome = try AOFRepair.run(path: input, outputPath: output, until: until, maxCut: maxCut, options: reading.readerOptions)
            if let damage = outcome.damage { FileHandleStandardError.write("rdbkit: found: \(damage)\n") }
            if let file = outcome.cutFile, let at = outcome.cutAt {
                FileHandleStandardError.write("rdbkit: cut \(file) at offset \(at), removing \(outcome.removedBytes) bytes (\(outcome.cutPercent)% of it)\n")
                if outcome.cutIsLarge {
                    FileHandleStandardError.write("rdbkit: warning: that is more than a little: every command from offset \(at) to the end of \(file) is gone; --max-cut BYTES refuses such a cut\n")
                }
            } else {
                FileHandleStandardError.write("rdbkit: nothing to cut; \(output) is a copy\n")
            }
            for name in outcome.droppedFiles {
                FileHandleStandardError.write("rdbkit: left out \(name) (after the point in time)\n")
            }
        } catch {
            throw CommandFailure.reporting(error, about: input)
        }
    }
}
