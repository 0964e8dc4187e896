import XCTest
@testable import RDBKit

/// The AOF rewrite takes keys as a dump's events (`convert --to aof`) or as records (`merge --to
/// aof`, restore's plain commands): both must make the same commands, byte for byte.
final class KeySinkTests: XCTestCase {
    private func rewrite(_ dump: URL, asRecords: Bool) throws -> (bytes: Bytes, losses: [ConversionLoss]) {
        let commands = MemorySink()
        let target = RDBTarget.named("redis-8.8")!
        let rewriter = try AOFRewriter(output: RESPEncoder(output: commands), target: target, dropModules: false)
        if asRecords {
            try RDBReader.read(path: dump.path, visitor: RecordCollector(into: rewriter))
        } else {
            try RDBReader.read(path: dump.path, visitor: rewriter)
        }
        try rewriter.finish()
        return (commands.bytes, rewriter.losses)
    }

    func testRecordsAndEventsRewriteToTheSameCommandsForEveryFixture() throws {
        let dumps = FixturePaths.allDumps()
        var commandBytes = 0
        for dump in dumps {
            let events = try rewrite(dump, asRecords: false)
            let records = try rewrite(dump, asRecords: true)
            commandBytes += events.bytes.count
            XCTAssertEqual(records.bytes, events.bytes, dump.lastPathComponent)
            XCTAssertEqual(records.losses.map(\.what), events.losses.map(\.what), dump.lastPathComponent)
        }
        XCTAssertGreaterThan(commandBytes, 0, "no fixture made a command")
    }
}
