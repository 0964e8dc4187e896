import Foundation
import XCTest
import RDBKit

/// Replays, through the entry point the fuzzer uses, every input a fuzz target kept in
/// `Fuzz/Crashers/<target>/` and a few hand-made hostile inputs per target. A crash ends the test
/// process, so returning is the pass; a hang shows as a test that does not finish.
final class CrasherRegressionTests: XCTestCase {
    private var crashers: URL { FixturePaths.repositoryRoot.appendingPathComponent("Fuzz/Crashers") }

    func testEveryKeptCrasherIsReadSafely() throws {
        var replayed = 0
        for target in HostileInputProbe.targets {
            for file in try inputs(in: crashers.appendingPathComponent(target)) {
                XCTAssertTrue(HostileInputProbe.run(target: target, bytes: [UInt8](try Data(contentsOf: file))), file.path)
                replayed += 1
            }
        }
        print("replayed \(replayed) kept crashers")
    }

    /// A directory named after no target would be skipped without a word.
    func testCrasherDirectoriesNameKnownTargets() throws {
        guard let dirs = try? FileManager.default.contentsOfDirectory(atPath: crashers.path) else { return }
        for dir in dirs where !dir.hasPrefix(".") {
            XCTAssertTrue(HostileInputProbe.targets.contains(dir), "Fuzz/Crashers/\(dir) is not a fuzz target")
        }
    }

    func testBuiltInHostileInputsOfEveryTarget() {
        XCTAssertEqual(Set(Self.hostileInputs.keys), Set(HostileInputProbe.targets), "every target has hand-made inputs")
        for (target, inputs) in Self.hostileInputs {
            for input in inputs {
                XCTAssertTrue(HostileInputProbe.run(target: target, bytes: input), target)
            }
        }
    }

    func testUnknownTargetIsRefused() {
        XCTAssertFalse(HostileInputProbe.run(target: "no-such-parser", bytes: [1, 2, 3]))
    }

    private func inputs(in dir: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.path < $1.path }
    }

    private static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    private static func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    private static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Per target: empty and minimal inputs, lying lengths and counts, links that point outside.
    private static let hostileInputs: [String: [[UInt8]]] = [
        "rdb": [
            [], text("REDIS"), text("REDIS0011"), text("REDIS9999"), text("VALKEY080"),
            // A 2^60-byte string; LZF claiming 2^40 expanded bytes from 4.
            text("REDIS0011") + [0x00, 0x01, 0x6B, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0],
            text("REDIS0011") + [0x00, 0x01, 0x6B, 0xC3, 0x04, 0x81, 0, 0, 0x01, 0, 0, 0, 0, 0, 1, 0x61, 0x62, 0],
            // A list of 2^62 elements, a stream of 2^62 nodes, a module value of an unknown module.
            text("REDIS0011") + [0x01, 0x01, 0x6B, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x61],
            text("REDIS0011") + [0x15, 0x01, 0x6B, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0],
            text("REDIS0011") + [0x07, 0x01, 0x6B, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02],
            // A ziplist list whose blob is a ziplist with an impossible tail; an intset of width 3.
            text("REDIS0006") + [0x0A, 0x01, 0x6C, 0x0B] + le32(11) + le32(200) + [0, 0, 0xFF],
            text("REDIS0006") + [0x0B, 0x01, 0x73, 0x0A] + le32(3) + le32(1) + [1, 2],
            // Aux, resize, select and expiry opcodes with lying lengths.
            text("REDIS0011") + [0xFA, 0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            text("REDIS0011") + [0xFE, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            text("REDIS0011") + [0xFB, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFC],
        ],
        "lzf": [
            // Too short; a reference before any output; a reference past the stated length; a
            // literal run longer than the input; a long reference cut before its distance byte.
            [0, 0, 0], [1, 0, 0, 0, 0xE0], [4, 0, 0, 0, 0x00, 0x61, 0x20, 0x00],
            [2, 0, 0, 3, 0x00, 0x61, 0x40, 0x00], [9, 0, 0, 0, 0x1F, 0x61], [9, 0, 0, 0, 0x00, 0x61, 0xE0, 0x05],
            [0x65, 0, 0, 7, 0x00, 0x61, 0xE0, 0x5B, 0x00],
        ],
        "listpack": [
            [], le32(7) + [0, 0, 0xFF], le32(6) + [1, 0, 0xFF],
            // A 32-bit string claiming 4 GiB; a backlen that runs into its entry; a count that lies.
            le32(12) + [1, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            le32(10) + [1, 0, 0x81, 0x61, 0x82, 0xFF],
            le32(8) + [9, 0, 0x05, 0xFF],
            le32(10) + [1, 0, 0xF4, 0xFF, 0xFF, 0xFF],
        ],
        "ziplist": [
            [], le32(11) + le32(10) + [0, 0, 0xFF], le32(11) + le32(0xFFFF_FFFF) + [0, 0, 0xFF],
            // A 32-bit string claiming 4 GiB; a prevlen of 4 GiB; a tail pointing at the header.
            le32(19) + le32(10) + [1, 0, 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            le32(19) + le32(10) + [1, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xF1, 0xFF, 0xFF],
            le32(16) + le32(2) + [2, 0, 0x00, 0xF1, 0x02, 0xF2, 0xFF],
        ],
        "intset": [
            [], le32(2), le32(3) + le32(1) + [1, 2, 3],
            le32(8) + le32(0xFFFF_FFFF), le32(2) + le32(0x8000_0000) + [1, 0],
            le32(2) + le32(2) + [5, 0, 5, 0],
        ],
        "zipmap": [
            [], [0xFF], [0x01, 0xFF],
            // A 4 GiB field length; a free count past the end; no end marker.
            [0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            [0x01, 0x01, 0x61, 0x01, 0xFF, 0x62, 0xFF],
            [0x01, 0x01, 0x61, 0x01, 0x00, 0x62],
        ],
        "json": [
            [], text("{"), text("["), text("]\n[\n,"),
            text(String(repeating: "[", count: 100_000)),
            text(String(repeating: "{\"a\":", count: 50_000)),
            text("{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"value\":{\"base64\":\"====\"}}"),
            text("{\"db\":99999999999999999999999,\"key\":\"k\",\"type\":\"zset\",\"value\":[[\"m\",1e999999]]}"),
            text("{\"db\":0,\"key\":\"k\",\"type\":\"stream\",\"value\":{\"entries\":[{\"id\":\"18446744073709551615-18446744073709551615\",\"fields\":[]}],\"length\":-1}}"),
            text("{\"meta\":\"module_aux\",\"module\":\"\",\"encver\":99999,\"when\":-1,\"payload\":{\"base64\":\"AAAA\"}}"),
        ],
        "resp": [
            [], text("*"), text("*1099511627776\r\n"), text("*1\r\n$99999999999\r\n"),
            text("*1\r\n$-1\r\n"), text("*-1\r\n"), text("*1\r\n$4\r\nPI"),
            text("#TS:99999999999999999999999\r\n"), text("#" + String(repeating: "x", count: 5000)),
            text("*2\r\n$3\r\nGET\r\n$1\r\nk\n"), text("*1\r\n$" + String(repeating: "9", count: 2000) + "\r\n"),
        ],
        "manifest": [
            [], text("\n"), text("file"), text("file \"unterminated seq 1 type i\n"),
            text("file \"a\\x\" seq 1 type i\n"), text("file 'a\\' seq 1 type i\n"),
            text("file a seq 99999999999999999999999 type i\n"), text("file a seq -1 type b\n"),
            text("file a seq 1 type \n"), text("file " + String(repeating: "a", count: 2000) + " seq 1 type i\n"),
            text("file a seq 2 type i\nfile b seq 1 type i\n"), text("file \"\\\"\" seq 1 type b\n"),
        ],
        "restore": [
            [], [0], [UInt8](repeating: 0, count: 10), [0x0E, 0x01, 0x61, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            // A string claiming 2^60 bytes, then a version and a zero (unchecked) CRC.
            [0x00, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            // A type Redis never wrote, and a version from the future.
            [0x63, 0x01, 0x61, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0] + [0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0],
        ],
        "replay": [
            [],
            // Commands with too few arguments, lying counts, extreme numbers and indexes.
            text("*1\r\n$9\r\nPEXPIREAT\r\n"),
            text("*4\r\n$5\r\nLTRIM\r\n$1\r\nl\r\n$20\r\n-9223372036854775808\r\n$19\r\n9223372036854775807\r\n"),
            text("*4\r\n$4\r\nLREM\r\n$1\r\nl\r\n$20\r\n-9223372036854775808\r\n$1\r\nx\r\n"),
            text("*4\r\n$8\r\nSETRANGE\r\n$1\r\ns\r\n$19\r\n9223372036854775807\r\n$1\r\nx\r\n"),
            text("*5\r\n$8\r\nBITFIELD\r\n$1\r\ns\r\n$3\r\nSET\r\n$3\r\ni64\r\n$19\r\n9223372036854775807\r\n"),
            text("*5\r\n$6\r\nZMPOP\r\n$2\r\n99\r\n$1\r\nz\r\n$3\r\nMIN\r\n$5\r\nCOUNT\r\n"),
            text("*6\r\n$6\r\nXCLAIM\r\n$1\r\nx\r\n$1\r\ng\r\n$1\r\nc\r\n$1\r\n0\r\n$3\r\n1-1\r\n"),
            text("*5\r\n$7\r\nRESTORE\r\n$1\r\nk\r\n$19\r\n9223372036854775807\r\n$1\r\nx\r\n$7\r\nREPLACE\r\n"),
        ],
        // The value after a type byte (stream: a layout selector first), or what follows the opcode.
        "stream": [
            [], [0], [1],
            // 2^62 listpack nodes; no nodes, then an IDMP duration of 0 and of 2^62; 2^62 producers.
            [0, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x01],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0],
            // v5: a group whose NACK zone claims 2^62 ids.
            [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01, 0x67, 0, 0, 0, 0, 0, 0, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0],
        ],
        "array": [
            [], [0], [0x81, 0x40, 0, 0, 0, 0, 0, 0, 0, 0],
            // Two elements, indices descending; an index of 2^64-1; a string element claiming 2^62 bytes.
            [2, 0, 5, 1, 7, 3, 1, 7], [1, 0, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1],
            [1, 0, 0, 0, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0],
        ],
        "keymeta": [
            [], [0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [65],
            // One class whose data holds an unknown module opcode; one class, then a key.
            [1, 0x4B, 0x4D, 0x54, 0x31, 9], [1, 0x09, 0, 0, 0, 0, 0, 1, 0x6B, 1, 0x76, 0xFF] + [UInt8](repeating: 0, count: 8),
        ],
    ]
}
