import Foundation

/// Where the test data lives: `Fixtures/` in this repository, `../shared` beside it (optional).
enum FixturePaths {
    /// The `rdbkit` executable built beside the tests, when it was.
    static let rdbkitBinary: String? = {
        let testBinaryDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [testBinaryDirectory.appendingPathComponent("rdbkit").path,
                          repositoryRoot.appendingPathComponent(".build/debug/rdbkit").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static var fixtures: URL { repositoryRoot.appendingPathComponent("Fixtures") }

    /// `../shared` of the steering repository, when the checkout has it beside it.
    static var shared: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Every dump with an `.expected.jsonl` beside it, under `Fixtures/`.
    static func dumpsWithExpectedContent() -> [(dump: URL, expected: URL)] {
        guard let walker = FileManager.default.enumerator(at: fixtures, includingPropertiesForKeys: nil) else { return [] }
        var pairs: [(URL, URL)] = []
        for case let url as URL in walker where url.lastPathComponent.hasSuffix(".expected.jsonl") {
            let name = url.lastPathComponent.replacingOccurrences(of: ".expected.jsonl", with: ".rdb")
            let dump = url.deletingLastPathComponent().appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: dump.path) { pairs.append((dump, url)) }
        }
        return pairs.sorted { $0.0.path < $1.0.path }
    }

    /// Every `.rdb` under `Fixtures/`.
    static func allDumps() -> [URL] {
        guard let walker = FileManager.default.enumerator(at: fixtures, includingPropertiesForKeys: nil) else { return [] }
        var dumps: [URL] = []
        for case let url as URL in walker where url.pathExtension == "rdb" { dumps.append(url) }
        return dumps.sorted { $0.path < $1.path }
    }
}
