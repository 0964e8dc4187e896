import Foundation
@testable import RDBKit

/// A dump of `keys` keys of every plain type (a fifth of them under a few hash tags, a tenth with
/// an expiry an hour ahead), written by our writer for `target`: a dataset of any size in
/// milliseconds, for tests that need many keys rather than every encoding.
enum GeneratedDump {
    static func write(keys: Int, to path: String, target: RDBTarget = RDBTarget.named("redis-7.0")!) throws -> [Bytes] {
        let writer = try RDBWriter(path: path, target: target)
        let expiry = Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000
        var names: [Bytes] = []
        for i in 0..<keys {
            let name = Array((i % 5 == 0 ? "{tag\(i % 7)}:key:\(i)" : "key:\(i)").utf8)
            let small = (0..<(i % 9 + 1)).map { Array("v\($0)-\(i)".utf8) }
            let value: RedisValue
            switch i % 5 {
            case 0: value = .string(Array("value-\(i)".utf8))
            case 1: value = .list(small)
            case 2: value = .set(small)
            case 3: value = .sortedSet(small.enumerated().map { SortedSetMember(member: $0.element, score: Double($0.offset) / 3) })
            default: value = .hash(small.map { HashField(field: $0, value: Array("x\(i)".utf8)) })
            }
            try writer.write(KeyRecord(db: 0, key: name, value: value, expireAtMs: i % 10 == 3 ? expiry : nil))
            names.append(name)
        }
        try writer.finish()
        return names
    }
}
