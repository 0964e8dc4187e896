import ArgumentParser
import RDBKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the inspect summary as one self-contained HTML page.",
        discussion: """
            The page holds the summary, the databases, charts of estimated memory by type and by \
            key prefix, the biggest keys and the time-to-live histogram, with inline CSS and SVG: \
            it fetches nothing, so it can be mailed or archived as it is.

            Example: rdbkit report dump.rdb -o report.html
            """)

    @Argument(help: "The dump ('-' for standard input), or an AOF file or directory (replayed as merge replays it).")
    var file: String

    @Option(name: [.short, .customLong("output")], help: "The HTML file to write.")
    var output: String

    @OptionGroup var summary: SummaryOptions

    @OptionGroup(title: "Filters") var filtering: FilterOptions

    @OptionGroup var reading: ReadingOptions

    func run() throws {
        let filter = filtering.filter
        do {
            try HTMLReport.write(path: file, outputPath: output, nowMs: filter.nowMs, top: summary.top,
                                 separator: summary.separatorBytes, filter: filter, options: reading.readerOptions)
        } catch {
            throw CommandFailure.reporting(error, about: file)
        }
    }
}
