import Foundation
import XCTest

extension RedisServerProcess {
    /// Waits (bounded: 10 s) until no AOF rewrite is running or scheduled.
    func waitForAOFRewrite() throws {
        for _ in 0..<200 {
            let persistence = try command("INFO", "persistence")
            if persistence.contains("aof_rewrite_in_progress:0") && !persistence.contains("aof_rewrite_scheduled:1") { return }
            usleep(50_000)
        }
        XCTFail("BGREWRITEAOF did not finish")
    }
}
