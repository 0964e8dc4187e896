import Foundation
import XCTest
@testable import RDBKit

/// A server killed (SIGKILL) in the middle of a restore and started again: the pipeline's retry
/// completes it, and when the retries run out first, --resume does; either way the server ends
/// with exactly the source's content (DEBUG DIGEST of a server loading the dump), nothing lost
/// and nothing twice.
final class RestoreInterruptionTests: XCTestCase {
    /// Every write on disk before its reply: what was acknowledged survives the kill.
    private let durable = ["--appendonly", "yes", "--appendfsync", "always"]

    private func dump(keys: Int) throws -> (path: String, digest: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-interrupt-\(UUID().uuidString).rdb").path
        _ = try GeneratedDump.write(keys: keys, to: path)
        guard let reference = try RedisServerProcess(command: [RedisServerProcess.executable("redis-server")!], dump: path) else {
            throw XCTSkip("redis-cli is not installed")
        }
        defer { reference.stop() }
        return (path, try reference.command("DEBUG", "DIGEST"))
    }

    private func keyCount(_ server: RedisServerProcess) -> Int {
        Int((try? server.command("DBSIZE"))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
    }

    /// A restore running on its own thread.
    private final class BackgroundRestore: @unchecked Sendable {
        private let lock = NSLock()
        private var outcome: Result<RestoreSummary, RDBError>?

        init(_ source: String, port: Int, options: RestoreOptions) {
            Thread {
                let result: Result<RestoreSummary, RDBError>
                do throws(RDBError) {
                    result = .success(try Restore.run(source: source, url: RedisURL(host: "127.0.0.1", port: port), options: options))
                } catch {
                    result = .failure(error)
                }
                self.lock.withLock { self.outcome = result }
            }.start()
        }

        var result: Result<RestoreSummary, RDBError>? { lock.withLock { outcome } }
    }

    private func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return false
    }

    func testKilledAndRestartedServerIsCompletedByRetry() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let (source, digest) = try dump(keys: 8_000)
        defer { try? FileManager.default.removeItem(atPath: source) }
        guard let server = try RedisServerProcess(command: [apt], extraArguments: durable) else { return }
        defer { server.stop() }
        var options = RestoreFixtureTests.options()
        options.pipeline = 16
        options.retries = 30
        options.retryDelay = 0.05
        let restore = BackgroundRestore(source, port: server.port, options: options)
        XCTAssertTrue(waitUntil(seconds: 20) { keyCount(server) > 1_000 }, "the restore did not start")
        server.kill()
        usleep(300_000)
        try server.restart()
        XCTAssertTrue(waitUntil(seconds: 60) { restore.result != nil }, "the restore did not finish")
        let summary = try XCTUnwrap(restore.result).get()
        XCTAssertGreaterThan(summary.reconnections, 0, "the kill came too late to test anything")
        XCTAssertEqual(summary.failed, 0)
        XCTAssertEqual(summary.restored, 8_000, summary.text)
        XCTAssertEqual(try server.command("DEBUG", "DIGEST"), digest)
    }

    func testRetriesRunOutThenResumeCompletes() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let (source, digest) = try dump(keys: 8_000)
        let resume = source + ".resume"
        defer { try? FileManager.default.removeItem(atPath: source); try? FileManager.default.removeItem(atPath: resume) }
        guard let server = try RedisServerProcess(command: [apt], extraArguments: durable) else { return }
        defer { server.stop() }
        var options = RestoreFixtureTests.options()
        options.pipeline = 16
        options.retries = 1
        options.retryDelay = 0.05
        options.resumePath = resume
        let restore = BackgroundRestore(source, port: server.port, options: options)
        XCTAssertTrue(waitUntil(seconds: 20) { keyCount(server) > 1_000 }, "the restore did not start")
        server.kill()
        XCTAssertTrue(waitUntil(seconds: 30) { restore.result != nil }, "the restore did not stop")
        guard case .failure(let error)? = restore.result else { return XCTFail("the restore did not notice the kill") }
        XCTAssertTrue("\(error)".contains("--resume \(resume)"), "\(error)")
        let point = try XCTUnwrap(try ResumePoint.read(resume))
        XCTAssertGreaterThan(point.acknowledged, 0)

        try server.restart()
        XCTAssertGreaterThanOrEqual(keyCount(server), point.acknowledged / 2, "acknowledged writes survive (appendfsync always)")
        let summary = try Restore.run(source: source, url: RedisURL(host: "127.0.0.1", port: server.port), options: options)
        XCTAssertEqual(summary.resumedAfter, point.acknowledged)
        XCTAssertEqual(summary.failed, 0)
        XCTAssertEqual(summary.skipped, 0, "keys sent before the kill count as restored, not as someone else's")
        XCTAssertEqual(try server.command("DEBUG", "DIGEST"), digest)
        XCTAssertFalse(FileManager.default.fileExists(atPath: resume), "a completed restore removes its resume point")
    }
}
