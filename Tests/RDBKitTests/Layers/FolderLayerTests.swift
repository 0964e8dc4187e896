import Foundation
import XCTest

/// The folders of `Sources/RDBKit` are layers: each uses only the folders below it. The order is
/// written once, in README.md's Layout section (one bullet per folder, lowest first); this test
/// reads it from there and fails on any use of a type, top-level function or constant of a
/// folder above the user.
final class FolderLayerTests: XCTestCase {
    private var sources: URL { FixturePaths.repositoryRoot.appendingPathComponent("Sources/RDBKit") }

    /// The folders in the order README.md's Layout section lists them, lowest first.
    private func layerOrder() throws -> [String] {
        let readme = try String(contentsOf: FixturePaths.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "## Layout") else { throw XCTSkip("README.md has no Layout section") }
        let section = lines[(start + 1)...].prefix { !$0.hasPrefix("## ") }
        let prefix = "- `Sources/RDBKit/"
        return section.compactMap { line in
            guard line.hasPrefix(prefix) else { return nil }
            return String(line.dropFirst(prefix.count).prefix { $0 != "`" })
        }
    }

    private func libraryFiles() throws -> [SourceLayers.File] {
        let manager = FileManager.default
        var files: [SourceLayers.File] = []
        for folder in try manager.contentsOfDirectory(atPath: sources.path).sorted() {
            let url = sources.appendingPathComponent(folder)
            guard let walk = manager.enumerator(atPath: url.path) else { continue }
            for case let relative as String in walk where relative.hasSuffix(".swift") {
                let text = try String(contentsOf: url.appendingPathComponent(relative), encoding: .utf8)
                files.append(SourceLayers.File(folder: folder, name: relative, text: text))
            }
        }
        return files
    }

    func testNoFolderUsesAFolderAboveIt() throws {
        let order = try layerOrder()
        let folders = Set(try libraryFiles().map(\.folder))
        XCTAssertEqual(Set(order), folders, "README.md's Layout must list every folder of Sources/RDBKit once")
        XCTAssertEqual(order.count, Set(order).count, "a folder is listed twice in README.md's Layout")
        let layers = SourceLayers(try libraryFiles())
        XCTAssertGreaterThan(layers.uses.count, 1000, "the scan found almost no uses between folders: it is broken")
        let violations = layers.violations(order: order)
        XCTAssertTrue(violations.isEmpty, "\(violations.count) uses go up the layer order:\n" + violations.prefix(40).joined(separator: "\n"))
    }

    /// The fuzz build compiles the library without the folders that import SwiftNIO
    /// (`Fuzz/run.sh`), so they must be the top layers: nothing else may sit above them.
    func testFoldersUsingSwiftNIOAreTheTopLayers() throws {
        let order = try layerOrder()
        let nio = Set(try libraryFiles().filter { file in
            file.text.components(separatedBy: "\n").contains { $0.hasPrefix("import NIO") || $0.hasPrefix("@preconcurrency import NIO") }
        }.map(\.folder))
        XCTAssertFalse(nio.isEmpty)
        let top = order.suffix(nio.count)
        XCTAssertEqual(Set(top), nio, "the folders importing NIO (\(nio.sorted())) must be the last in the layer order")
        let script = try String(contentsOf: FixturePaths.repositoryRoot.appendingPathComponent("Fuzz/run.sh"), encoding: .utf8)
        for folder in nio {
            XCTAssertTrue(script.contains("\"$work/src/RDBKit/\(folder)\""), "Fuzz/run.sh does not leave out \(folder)")
        }
    }

    /// The scan itself: a use in code is found; names in comments, strings and as members are not.
    func testTheScanFindsUsesInCodeOnly() {
        let low = SourceLayers.File(folder: "Low", name: "Low.swift", text: """
            struct Plain { let useHigh: Int }
            func helper() -> Int { 1 }
            """)
        let high = SourceLayers.File(folder: "High", name: "High.swift", text: """
            // High uses Plain in a comment
            /* nested /* Plain */ still a comment Plain */
            public struct Upper {
                var name = "Plain \\(helper()) and \\"Plain\\""
                var other = #"Plain "quoted" \\#(helper())"#
                var block = \"\"\"
                    Plain
                    \"\"\"
                var member = x.Plain
            }
            private struct Hidden {}
            """)
        let upward = SourceLayers.File(folder: "Low", name: "Up.swift", text: """
            let bad: Upper? = nil
            let fine: Hidden? = nil
            func local() { let helper = 2; _ = helper }
            """)
        let layers = SourceLayers([low, high, upward])
        XCTAssertEqual(layers.uses.map(\.description).sorted(),
                       ["High/High.swift:4 uses helper from Low", "High/High.swift:5 uses helper from Low",
                        "Low/Up.swift:1 uses Upper from High"])
        XCTAssertEqual(layers.violations(order: ["Low", "High"]), ["Low/Up.swift:1 uses Upper from High (a layer above it)"])
        XCTAssertEqual(layers.violations(order: ["High", "Low"]).count, 2)
    }
}
