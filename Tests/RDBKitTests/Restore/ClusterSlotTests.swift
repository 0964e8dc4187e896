import XCTest
@testable import RDBKit

/// Slots as Redis 7.0.15's `CLUSTER KEYSLOT` answers them (asked of a cluster-enabled server).
final class ClusterSlotTests: XCTestCase {
    func testSlotsMatchClusterKeyslot() {
        let answers: [(String, Int)] = [
            ("123456789", 12739), ("foo", 12182), ("bar", 5061), ("somekey", 11058), ("hello", 866),
            ("{user1000}.following", 3443), ("{user1000}.followers", 3443),
            // An empty tag hashes the whole key; only the first `{` and the first `}` after it count.
            ("foo{}{bar}", 8363), ("foo{{bar}}zap", 4015), ("foo{bar}{zap}", 5061),
            ("{}", 15257), ("a{b", 13340), ("}{a}", 15495), ("", 0),
        ]
        for (key, slot) in answers {
            XCTAssertEqual(ClusterSlot.of(Array(key.utf8)), slot, key)
        }
    }

    func testCRC16CheckValue() {
        // crc16.c's own test: "123456789" gives 0x31C3.
        XCTAssertEqual(Array("123456789".utf8).withUnsafeBytes { ClusterSlot.crc16($0) }, 0x31C3)
    }
}
