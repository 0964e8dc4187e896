extension HTMLReport {
    /// report's work: inspects `path` (a dump, or an AOF's replayed dataset) and writes the page
    /// to `outputPath` (temporary name, renamed when complete).
    public static func write(path: String, outputPath: String, nowMs: Int64, top: Int, separator: Bytes,
                             filter: KeyFilter? = nil, options: ReaderOptions = ReaderOptions()) throws(RDBError) {
        let outputs = Outputs(inputs: [path])
        try outputs.refuseInput(outputPath)
        let inspection = try Inspector.inspect(input: path, nowMs: nowMs, top: top, separator: separator, filter: filter, options: options)
        let page = Array(render(inspection).utf8)
        try outputs.write(to: outputPath) { (file) throws(RDBError) in try file.write(page) }
    }
}
