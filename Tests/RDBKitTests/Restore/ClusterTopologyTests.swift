import XCTest
@testable import RDBKit

/// The slot map from CLUSTER SHARDS and CLUSTER SLOTS replies (shapes as Redis 7.0 sends them),
/// and MOVED / ASK redirections.
final class ClusterTopologyTests: XCTestCase {
    private func bulk(_ s: String) -> RESPValue { .bulk(Array(s.utf8)) }

    func testShardsReply() throws {
        func node(_ port: Int64, _ role: String, health: String = "online") -> RESPValue {
            .array([bulk("id"), bulk("abc"), bulk("port"), .integer(port), bulk("ip"), bulk("127.0.0.1"),
                    bulk("endpoint"), bulk("127.0.0.1"), bulk("role"), bulk(role), bulk("health"), bulk(health)])
        }
        let reply = RESPValue.array([
            .array([bulk("slots"), .array([.integer(0), .integer(100), .integer(200), .integer(16383)]),
                    bulk("nodes"), .array([node(7001, "replica"), node(7000, "master")])]),
            .array([bulk("slots"), .array([.integer(101), .integer(199)]),
                    bulk("nodes"), .array([node(7002, "master", health: "failed"), node(7003, "master")])]),
        ])
        let topology = try XCTUnwrap(ClusterTopology(shards: reply, defaultHost: "10.0.0.1"))
        XCTAssertEqual(topology.uncoveredSlots, 0)
        XCTAssertEqual(topology.primaries.map(\.port), [7000, 7003])
        XCTAssertEqual(topology.primary(forSlot: 150).map { topology.primaries[$0].port }, 7003)
        XCTAssertEqual(topology.primary(forSlot: 16383).map { topology.primaries[$0].port }, 7000)
    }

    func testSlotsReplyAndUncoveredSlots() throws {
        let reply = RESPValue.array([
            .array([.integer(0), .integer(8000), .array([bulk(""), .integer(7000), bulk("id0")]), .array([bulk("127.0.0.1"), .integer(7005)])]),
        ])
        let topology = try XCTUnwrap(ClusterTopology(slots: reply, defaultHost: "10.0.0.1"))
        XCTAssertEqual(topology.primaries, [ClusterTopology.Endpoint(host: "10.0.0.1", port: 7000)], "an empty host is the one asked")
        XCTAssertEqual(topology.uncoveredSlots, 16384 - 8001)
        XCTAssertNil(topology.primary(forSlot: 9000))
        XCTAssertNil(ClusterTopology(slots: .array([.array([.integer(5), .integer(1)])]), defaultHost: "h"))
    }

    func testRedirections() {
        XCTAssertEqual(ClusterRedirect(error: "MOVED 3999 127.0.0.1:6381", answeringHost: "h"),
                       ClusterRedirect(error: "MOVED 3999 127.0.0.1:6381", answeringHost: "x"))
        let ask = ClusterRedirect(error: "ASK 12 [::1]:7000", answeringHost: "h")
        XCTAssertEqual(ask?.kind, .ask)
        XCTAssertEqual(ask?.endpoint, ClusterTopology.Endpoint(host: "::1", port: 7000))
        XCTAssertEqual(ClusterRedirect(error: "MOVED 7 :7001", answeringHost: "10.1.1.1")?.endpoint.host, "10.1.1.1")
        XCTAssertNil(ClusterRedirect(error: "ERR MOVED 1 a:1", answeringHost: "h"))
        XCTAssertNil(ClusterRedirect(error: "MOVED 16384 a:1", answeringHost: "h"))
    }

    func testTargetServerFromInfo() {
        XCTAssertEqual(TargetServer(info: ["redis_version": "7.0.15"])?.rdbTarget.version, 10)
        XCTAssertEqual(TargetServer(info: ["redis_version": "6.2.14"])?.rdbTarget.version, 9)
        XCTAssertEqual(TargetServer(info: ["redis_version": "8.2.3"])?.rdbTarget.version, 12)
        XCTAssertEqual(TargetServer(info: ["redis_version": "7.2.4", "valkey_version": "9.1.2", "server_name": "valkey"])?.rdbTarget.magic, "VALKEY080")
        XCTAssertEqual(TargetServer(info: ["redis_version": "7.2.4", "valkey_version": "8.1.1"])?.rdbTarget.writtenByValkey, true)
        XCTAssertTrue(TargetServer(info: ["redis_version": "7.0.15", "cluster_enabled": "1"])?.clusterEnabled ?? false)
        XCTAssertNil(TargetServer(info: [:]))
    }
}
