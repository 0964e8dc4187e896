extension HTMLReport {
    /// Inspects `path` (the replayed copy of the AOF `replayedFrom`, when given) and writes the page to `outputPath` (temporary name, renamed when complete).
    public static func write(path: String, outputPath: String, nowMs: Int64, top: Int, separator: Bytes,
                             filter: KeyFilter? = nil, options: ReaderOptions = ReaderOptions(), replayedFrom: String? = nil) throws(RDBError) {
        let outputs = Outputs(inputs: [path] + (replayedFrom.map { [$0] } ?? []))
        try outputs.refuseInput(outputPath)
        var inspection = try Inspector.inspect(path: path, nowMs: nowMs, top: top, separator: separator, filter: filter, options: options)
        if let replayedFrom {
            inspection.replayedAOF = true
            inspection.path = replayedFrom
        }
        let page = Array(render(inspection).utf8)
        try outputs.write(to: outputPath) { (file) throws(RDBError) in try file.write(page) }
    }
}
