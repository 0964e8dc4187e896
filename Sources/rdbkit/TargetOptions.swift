import ArgumentParser
import RDBKit

/// The options of the verbs that write for a server version: convert, merge, restore-payload.
struct TargetOptions: ParsableArguments {
    @Option(name: .customLong("target-version"),
            help: ArgumentHelp("The server or RDB version to write for: \(RDBTarget.supportedNames.joined(separator: ", ")), or an RDB version (6-14, 80). Default: the server family and version that wrote the input (merge: the base's), so Valkey stays Valkey and a Redis 7.0 dump stays RDB 10; \(RDBTarget.fallbackName) when the input does not say (an AOF without RDB content, JSON).",
                               valueName: "version"))
    var targetVersion: String?

    @Flag(help: "Drop what the target cannot hold, reporting each drop, instead of failing.")
    var lossy = false

    @Flag(name: .customLong("without-modules"),
          help: "Leave out module values and module aux data (a server refuses files with data of modules it lacks).")
    var withoutModules = false

    func validate() throws {
        if let targetVersion, RDBTarget.named(targetVersion) == nil {
            throw ValidationError("unknown target version '\(targetVersion)'; use \(RDBTarget.supportedNames.joined(separator: ", ")) or an RDB version")
        }
    }

    var writing: TargetWriting {
        TargetWriting(target: targetVersion.map { RDBTarget.named($0)! }, lossy: lossy, withoutModules: withoutModules)
    }
}

/// How a verb that writes an AOF (convert, merge) lays it out.
struct AOFLayoutOptions: ParsableArguments {
    @Flag(name: .customLong("multi-part"), help: "aof: write a multi-part AOF directory (Redis 7+) instead of one file.")
    var multiPart = false

    @Option(name: .customLong("aof-filename"), help: "aof --multi-part: the file name prefix, as the server's appendfilename.")
    var aofFilename = "appendonly.aof"

    var layout: Convert.AOFLayout { multiPart ? .multiPart(prefix: aofFilename) : .singleFile }

    /// --multi-part is refused for an output that is no AOF.
    func check(outputIsAOF: Bool) throws {
        if multiPart && !outputIsAOF { throw ValidationError("--multi-part goes with --to aof") }
    }
}

/// Reports each drop on standard error, in the loss policy's words.
func reportLosses(_ losses: [ConversionLoss]) {
    for loss in losses { FileHandleStandardError.write("rdbkit: \(LossPolicy.report(loss))\n") }
}
