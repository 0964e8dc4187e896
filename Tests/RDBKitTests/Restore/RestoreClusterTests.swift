import Foundation
import XCTest
@testable import RDBKit

/// A three-primary Redis Cluster started by the test (cluster-enabled ×3, CLUSTER ADDSLOTSRANGE,
/// CLUSTER MEET): every key of a restored dump is on its slot's node, and the union is the source.
final class RestoreClusterTests: XCTestCase {
    func testKeysLandOnTheirSlotsPrimaryAndTheUnionIsTheSource() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        var nodes: [RedisServerProcess] = []
        defer { nodes.forEach { $0.stop() } }
        let ranges = [0...5460, 5461...10922, 10923...16383]
        for range in ranges {
            guard let node = try RedisServerProcess(command: [apt], extraArguments: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]) else {
                throw XCTSkip("redis-cli is not installed")
            }
            nodes.append(node)
            try node.command("CLUSTER", "ADDSLOTSRANGE", "\(range.lowerBound)", "\(range.upperBound)")
        }
        for node in nodes.dropFirst() { try nodes[0].command("CLUSTER", "MEET", "127.0.0.1", "\(node.port)") }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = try nodes.allSatisfy { try $0.command("CLUSTER", "INFO").contains("cluster_state:ok") }
                && (try nodes.allSatisfy { try $0.command("CLUSTER", "SHARDS").components(separatedBy: "master").count == 4 })
            if !ready { usleep(100_000) }
        }
        XCTAssertTrue(ready, "the cluster did not come up")

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-cluster-\(UUID().uuidString).rdb").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let names = try GeneratedDump.write(keys: 20_000, to: scratch)
        guard let reference = try RedisServerProcess(command: [apt], dump: scratch) else { return }
        defer { reference.stop() }

        var options = RestoreFixtureTests.options()
        options.retries = 2
        let summary = try Restore.run(source: scratch, url: RedisURL(host: "127.0.0.1", port: nodes[1].port), options: options)
        XCTAssertEqual(summary.nodes, 3)
        XCTAssertEqual(summary.restored, names.count, summary.text)
        XCTAssertEqual(summary.failed, 0, "\(summary.failures.prefix(3).map(\.error))")

        // Key by key: the node its slot says holds it, with the reference server's value digest.
        let links = try nodes.map { try RedisConnection.connect(RedisURL(host: "127.0.0.1", port: $0.port)) }
        let referenceLink = try RedisConnection.connect(RedisURL(host: "127.0.0.1", port: reference.port))
        defer { (links + [referenceLink]).forEach { $0.close() } }
        var owners: [Int] = []
        for name in names {
            let slot = ClusterSlot.of(name)
            let owner = ranges.firstIndex { $0.contains(slot) }!
            owners.append(owner)
            links[owner].send([Array("DEBUG".utf8), Array("DIGEST-VALUE".utf8), name])
            referenceLink.send([Array("DEBUG".utf8), Array("DIGEST-VALUE".utf8), name])
        }
        try links.forEach { try $0.flush() }
        try referenceLink.flush()
        var mismatches = 0
        for (i, owner) in owners.enumerated() {
            let ours = try links[owner].readReply()
            let theirs = try referenceLink.readReply()
            if ours != theirs || ours.errorMessage != nil {
                mismatches += 1
                if mismatches < 4 { XCTFail("\(displayKey(names[i])): \(ours) on node \(owner), \(theirs) in the reference") }
            }
        }
        XCTAssertEqual(mismatches, 0)
        let sizes = try nodes.map { Int(try $0.command("DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        XCTAssertEqual(sizes.reduce(0, +), names.count, "no key elsewhere: \(sizes)")
        XCTAssertTrue(sizes.allSatisfy { $0 > names.count / 5 }, "\(sizes)")
    }
}
