import Foundation
import XCTest
@testable import RDBKit

/// A three-primary Redis Cluster started by the test (cluster-enabled ×3, CLUSTER ADDSLOTSRANGE,
/// CLUSTER MEET): every key of a restored dump is on its slot's node, and the union is the source.
final class RestoreClusterTests: XCTestCase {
    private static let ranges = [0...5460, 5461...10922, 10923...16383]

    private func startCluster(_ apt: String) throws -> [RedisServerProcess] {
        var nodes: [RedisServerProcess] = []
        for range in RestoreClusterTests.ranges {
            guard let node = try RedisServerProcess(command: [apt], extraArguments: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]) else {
                nodes.forEach { $0.stop() }
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
        return nodes
    }

    /// Key by key: the node its slot says holds it, with the reference server's value digest;
    /// and no key anywhere else.
    private func assertHeldBySlot(_ names: [Bytes], nodes: [RedisServerProcess], reference: RedisServerProcess,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let links = try nodes.map { try RedisConnection.connect(RedisURL(host: "127.0.0.1", port: $0.port)) }
        let referenceLink = try RedisConnection.connect(RedisURL(host: "127.0.0.1", port: reference.port))
        defer { (links + [referenceLink]).forEach { $0.close() } }
        var owners: [Int] = []
        for name in names {
            let slot = ClusterSlot.of(name)
            let owner = RestoreClusterTests.ranges.firstIndex { $0.contains(slot) }!
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
                if mismatches < 4 { XCTFail("\(displayKey(names[i])): \(ours) on node \(owner), \(theirs) in the reference", file: file, line: line) }
            }
        }
        XCTAssertEqual(mismatches, 0, file: file, line: line)
        let sizes = try nodes.map { Int(try $0.command("DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        XCTAssertEqual(sizes.reduce(0, +), names.count, "no key elsewhere: \(sizes)", file: file, line: line)
    }

    func testKeysLandOnTheirSlotsPrimaryAndTheUnionIsTheSource() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let nodes = try startCluster(apt)
        defer { nodes.forEach { $0.stop() } }

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
        try assertHeldBySlot(names, nodes: nodes, reference: reference)
        let sizes = try nodes.map { Int(try $0.command("DBSIZE").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        XCTAssertTrue(sizes.allSatisfy { $0 > names.count / 5 }, "\(sizes)")
    }

    /// An AOF whose commands name keys of several slots at once (RENAME, SMOVE, SUNIONSTORE,
    /// MSET, a MULTI block, FLUSHALL) restored into the cluster holds, key by key on its slot's
    /// node, what a standalone server applying the same commands holds.
    func testAnAOFWithCrossSlotCommandsIntoACluster() throws {
        guard let apt = RedisServerProcess.executable("redis-server") else { throw XCTSkip("redis-server is not installed") }
        let nodes = try startCluster(apt)
        defer { nodes.forEach { $0.stop() } }
        guard let reference = try RedisServerProcess(command: [apt]) else { return }
        defer { reference.stop() }
        var commands: [[String]] = [["SET", "gone", "soon"], ["FLUSHALL"]]
        for i in 0..<300 {
            commands += [["SET", "s:\(i)", "v\(i)"], ["SADD", "set:\(i % 7)", "m\(i)"], ["RPUSH", "list:\(i % 5)", "\(i)"],
                         ["INCRBY", "n:\(i % 11)", "\(i)"], ["PEXPIREAT", "s:\(i)", "\(4_000_000_000_000 + i)"]]
        }
        commands += [["RENAME", "s:1", "renamed"], ["SMOVE", "set:1", "set:2", "m1"], ["SUNIONSTORE", "union", "set:3", "set:4"],
                     ["MSET", "a", "1", "b", "2", "c", "3"], ["MULTI"], ["INCR", "a"], ["LMOVE", "list:1", "list:2", "LEFT", "RIGHT"],
                     ["DEL", "s:2", "s:3"], ["EXEC"], ["COPY", "list:3", "copied"]]
        try reference.pipe(commands.map { $0.map { Array($0.utf8) } })
        let aof = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-cluster-\(UUID().uuidString).aof").path
        defer { try? FileManager.default.removeItem(atPath: aof) }
        var stream = ""
        for args in commands {
            stream += "*\(args.count)\r\n" + args.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
        }
        try stream.write(toFile: aof, atomically: true, encoding: .utf8)

        let summary = try Restore.run(source: aof, url: RedisURL(host: "127.0.0.1", port: nodes[0].port), options: RestoreFixtureTests.options())
        XCTAssertEqual(summary.failed, 0, "\(summary.failures.prefix(3).map(\.error))")
        XCTAssertEqual(summary.replayedFrom, aof)
        let names = try reference.command("KEYS", "*").split(separator: "\n").map { Array($0.utf8) }
        XCTAssertEqual(summary.restored, names.count, summary.text)
        try assertHeldBySlot(names, nodes: nodes, reference: reference)
    }
}
