import Foundation
import XCTest
@testable import RDBKit

/// What only a live server could tell about each fixture (`<name>.meta.jsonl`, written by
/// Scripts/generate_fixtures.py before SAVE): OBJECT ENCODING, LRU idle time, LFU counter and the
/// code of loaded functions, checked against what we read from the dump.
final class FixtureMetadataTests: XCTestCase {
    private struct KeyFacts {
        var encoding: String
        var idle: UInt64?
        var freq: UInt8?
    }

    private final class FactCollector: RDBVisitor {
        var facts: [String: KeyFacts] = [:]
        var functions: [String] = []
        func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
            let name = String(decoding: key.array, as: UTF8.self)
            facts["\(info.db)/\(name)"] = KeyFacts(encoding: info.encodingName, idle: info.idleSeconds, freq: info.lfuFrequency)
            return .skip
        }
        func function(code: RDBString) throws(RDBError) {
            functions.append(String(decoding: code.array, as: UTF8.self))
        }
    }

    /// The in-memory encoding a server reports for a value stored with this RDB type, where the
    /// type decides it (strings and lists are re-encoded on load by size, so they are not compared).
    private func serverEncoding(for rdbTypeName: String) -> [String]? {
        switch rdbTypeName {
        case "set-intset": return ["intset"]
        case "set-listpack": return ["listpack"]
        case "set-hashtable": return ["hashtable"]
        case "zset-listpack", "zset-ziplist": return ["listpack", "ziplist"]
        case "zset-v2": return ["skiplist"]
        case "hash-listpack", "hash-ziplist": return ["listpack", "ziplist"]
        case "hash-hashtable", "hash-hashtable-md", "hash-2": return ["hashtable"]
        case "hash-listpack-md": return ["listpackex"]
        default: return nil
        }
    }

    func testEncodingsIdleFrequencyAndFunctionsMatchTheServer() throws {
        let metaFiles = FixturePaths.allDumps().map { $0.deletingPathExtension().appendingPathExtension("meta.jsonl") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        guard !metaFiles.isEmpty else { throw XCTSkip("no server metadata beside the fixtures") }
        var compared = (encodings: 0, idle: 0, freq: 0, functions: 0)
        for meta in metaFiles {
            let dump = meta.deletingPathExtension().deletingPathExtension().appendingPathExtension("rdb")
            let label = "\(dump.deletingLastPathComponent().lastPathComponent)/\(dump.lastPathComponent)"
            let collector = FactCollector()
            try RDBReader.read(path: dump.path, visitor: collector)
            var expectedFunctions: [String] = []
            for line in try parseJSONLines(try Data(contentsOf: meta)) {
                if let code = line["function"] as? String {
                    expectedFunctions.append(code)
                    continue
                }
                guard let key = line["key"] as? String, !key.contains("\\x"), let db = line["db"] as? Int else { continue }
                guard let ours = collector.facts["\(db)/\(key)"] else {
                    XCTFail("\(label): key \(key) missing")
                    continue
                }
                if let allowed = serverEncoding(for: ours.encoding), let server = line["encoding"] as? String {
                    XCTAssertTrue(allowed.contains(server), "\(label) \(key): stored as \(ours.encoding), server says \(server)")
                    compared.encodings += 1
                }
                if let idle = line["idle"] as? Int {
                    XCTAssertNotNil(ours.idle, "\(label) \(key): no idle time read")
                    XCTAssertLessThanOrEqual(abs(Int(ours.idle ?? 0) - idle), 2, "\(label) \(key): idle")
                    compared.idle += 1
                }
                if let freq = line["freq"] as? Int {
                    XCTAssertEqual(ours.freq.map(Int.init), freq, "\(label) \(key): LFU counter")
                    compared.freq += 1
                }
            }
            // The 8.6/8.8 dumps come with no function lines in their meta file; their README names one library.
            if label.hasPrefix("redis-8.6/") || label.hasPrefix("redis-8.8/") {
                XCTAssertEqual(collector.functions.count, 1, "\(label): functions")
            } else {
                XCTAssertEqual(collector.functions.sorted(), expectedFunctions.sorted(), "\(label): functions")
            }
            compared.functions += expectedFunctions.count
        }
        XCTAssertGreaterThan(compared.idle, 0)
        XCTAssertGreaterThan(compared.freq, 0)
        print("compared \(compared.encodings) encodings, \(compared.idle) idle times, \(compared.freq) LFU counters, \(compared.functions) functions")
    }
}
