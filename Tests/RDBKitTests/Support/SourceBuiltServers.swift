import Foundation
import XCTest

/// Redis 8.6 and 8.8 servers built from the upstream source, which no package ships. Found through
/// `RDBKIT_REDIS_8_6` / `RDBKIT_REDIS_8_8` (the redis-server binary), else under
/// `../.redis-build/<release>/src/redis-server` beside the checkout; tests skip without them.
enum SourceBuiltServers {
    struct Server {
        let release: String
        let binary: String
        /// `tests/modules/test_keymeta.so` of the same source tree, when it was built.
        let keyMetadataModule: String?
        /// The export target named for it (`redis-8.6`).
        var target: String { "redis-\(release)" }
    }

    static let releases = ["8.6", "8.8"]

    static func server(_ release: String) -> Server? {
        let variable = "RDBKIT_REDIS_" + release.replacingOccurrences(of: ".", with: "_")
        let probe = FixturePaths.repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent(".redis-build/\(release)/src/redis-server").path
        let binary = ProcessInfo.processInfo.environment[variable] ?? probe
        guard FileManager.default.isExecutableFile(atPath: binary) else { return nil }
        let module = URL(fileURLWithPath: binary).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tests/modules/test_keymeta.so").path
        return Server(release: release, binary: binary,
                      keyMetadataModule: FileManager.default.fileExists(atPath: module) ? module : nil)
    }

    /// The servers found, or a skip naming how to provide them.
    static func all() throws -> [Server] {
        let found = releases.compactMap(server)
        if found.isEmpty {
            throw XCTSkip("no Redis 8.6/8.8 built from source (set RDBKIT_REDIS_8_6 / RDBKIT_REDIS_8_8 or build under ../.redis-build)")
        }
        return found
    }
}
