import Foundation
import XCTest
@testable import RDBKit

/// The report page is self-contained and, rendered by a real headless browser, shows the numbers.
final class HTMLReportTests: XCTestCase {
    func testReportRendersInAHeadlessBrowser() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path
        guard FileManager.default.fileExists(atPath: dump) else { throw XCTSkip("no Redis 7.0 fixture") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let page = scratch.appendingPathComponent("report.html")
        try HTMLReport.write(path: dump, outputPath: page.path, nowMs: 0, top: 10, separator: Array(":".utf8))
        let html = try String(contentsOf: page, encoding: .utf8)
        XCTAssertFalse(html.contains("src=") || html.contains("href=") || html.contains("@import") || html.contains("<script"),
                       "the page must not fetch anything")
        XCTAssertTrue(html.contains("&quot;") || !html.contains("\"quotes\""), "key text is escaped")

        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(RedisServerProcess.executable).first else {
            throw XCTSkip("no headless chromium installed")
        }
        let browserArguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(scratch.path)/profile"]
        let dom = String(decoding: try RedisServerProcess.run(chromium, browserArguments + ["--dump-dom", page.absoluteString]).stdout, as: UTF8.self)
        for expected in ["Redis 7.0.15", "RDB version 10", "42", "str:1mb", "list:big", "5000", "hashtable", "Memory by key prefix", "no expiry"] {
            XCTAssertTrue(dom.contains(expected), "the rendered page does not show \(expected)")
        }
        let screenshot = scratch.appendingPathComponent("report.png")
        _ = try RedisServerProcess.run(chromium, browserArguments + ["--screenshot=\(screenshot.path)", "--window-size=1200,2000", page.absoluteString])
        let png = try Data(contentsOf: screenshot)
        XCTAssertGreaterThan(png.count, 10_000)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }
}
