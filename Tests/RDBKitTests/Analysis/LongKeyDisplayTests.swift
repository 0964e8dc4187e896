import Foundation
import XCTest
@testable import RDBKit

/// Key names of a megabyte: the human outputs show ~120 characters and the full length, JSON
/// keeps them whole, and the report stays within a 1280 px window.
final class LongKeyDisplayTests: XCTestCase {
    func testDisplayedKeyIsCutWithItsLength() {
        XCTAssertEqual(displayedKey(Array("user:1".utf8)), "user:1")
        let long = displayedKey([UInt8](repeating: UInt8(ascii: "k"), count: 1 << 20))
        XCTAssertEqual(long, String(repeating: "k", count: 120) + "… (1048576 bytes)")
        let binary = displayedKey([UInt8](repeating: 0xFF, count: 5000))
        XCTAssertTrue(binary.hasPrefix("base64://///"), binary)
        XCTAssertTrue(binary.hasSuffix("… (5000 bytes)"), binary)
        XCTAssertLessThan(binary.count, 150)
        let accented = displayedKey(Array(String(repeating: "é", count: 500).utf8))
        XCTAssertEqual(accented, String(repeating: "é", count: 120) + "… (1000 bytes)")
    }

    func testInspectTextAndReportCutLongKeysAndJSONKeepsThem() throws {
        let dir = try RDBKitProcess.scratch("longkeys")
        defer { try? FileManager.default.removeItem(at: dir) }
        let huge = String(repeating: "x", count: 1 << 20)
        let dump = try RDBKitProcess.dump([
            #"{"db":0,"key":"\#(huge)","type":"string","value":"v"}"#,
            #"{"db":0,"key":"\#(String(repeating: "wide", count: 80)):1","type":"list","value":["a","b","c","d","e","f"]}"#,
            #"{"db":0,"key":"short","type":"string","value":"v"}"#,
        ], in: dir)

        let text = try RDBKitProcess.run(["inspect", dump])
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertLessThan(text.out.utf8.count, 8_000, "a 1 MB key name must not be printed whole")
        XCTAssertTrue(text.out.contains("… (1048576 bytes)"), text.out)
        XCTAssertTrue(text.out.contains("… (322 bytes)"), text.out)

        let json = try RDBKitProcess.run(["inspect", dump, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        let keys = (object["biggest_keys"] as! [[String: Any]]).map { $0["key"] as! String }
        XCTAssertTrue(keys.contains(huge), "JSON keeps the whole key")

        let page = dir.appendingPathComponent("report.html")
        let report = try RDBKitProcess.run(["report", dump, "-o", page.path])
        XCTAssertEqual(report.status, 0, report.err)
        let html = try String(contentsOf: page, encoding: .utf8)
        XCTAssertLessThan(html.utf8.count, 40_000)
        XCTAssertTrue(html.contains("… (1048576 bytes)"))

        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(RedisServerProcess.executable).first else {
            throw XCTSkip("no headless chromium installed")
        }
        // The page has no script; a copy with one measures how wide the layout is at 1280 px.
        let measured = dir.appendingPathComponent("measured.html")
        try html.replacingOccurrences(of: "</body>", with: """
            <script>document.body.insertAdjacentHTML('beforeend','<p id="width">'+document.documentElement.scrollWidth+'</p>')</script></body>
            """).write(to: measured, atomically: true, encoding: .utf8)
        let arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir.path)/profile", "--window-size=1280,900"]
        let dom = String(decoding: try RedisServerProcess.run(chromium, arguments + ["--dump-dom", measured.absoluteString]).stdout, as: UTF8.self)
        let width = dom.range(of: #"<p id="width">(\d+)</p>"#, options: .regularExpression).map { Int(dom[$0].filter(\.isNumber)) ?? 0 }
        XCTAssertNotNil(width, "the measuring script did not run")
        XCTAssertLessThanOrEqual(width ?? .max, 1280, "the report runs off a 1280 px window")
    }
}
