import XCTest
@testable import RDBKit

/// String values that reach visitors in pieces (`StringValue`) give the same output as whole
/// ones, wherever the piece boundaries fall; the streaming LZF decoder agrees with liblzf.
final class LongStringTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-long-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Values whose JSON form depends on their last bytes or on escapes cut by a boundary.
    private static let values: [(String, [UInt8])] = {
        let text = Array(String(repeating: "héllo wörld ✓ 𝄞 \"quoted\" \\ tab\t nl\n ", count: 120).utf8)
        return [
            ("utf8-compressible", text),
            ("utf8-then-cut-sequence", text + [0xE2, 0x82]),
            ("controls", Array(String(repeating: "\u{1}\u{1F}\"\\", count: 900).utf8)),
            ("binary", deterministicNoise(5000, seed: 7)),
            ("utf8-noise", Array(deterministicNoise(4000, seed: 3).map { 0x20 + $0 % 90 })),
            ("four-byte-at-end", Array(String(repeating: "a", count: 60).utf8) + Array("𝄞".utf8)),
            ("short", Array("12345".utf8)),
            ("empty", []),
        ]
    }()

    private func makeDump(compress: Bool) throws -> String {
        let file = path(compress ? "lzf.rdb" : "plain.rdb")
        let writer = try RDBWriter(path: file, target: try XCTUnwrap(RDBTarget.named("redis-7.0")), compress: compress)
        for (name, value) in Self.values {
            try writer.write(KeyRecord(db: 0, key: Array(name.utf8), value: .string(value), expireAtMs: name == "binary" ? 1_900_000_000_000 : nil))
        }
        try writer.finish()
        return file
    }

    private func options(pieceSize: Int) -> ReaderOptions {
        var options = ReaderOptions()
        options.stringPieceSize = pieceSize
        return options
    }

    private func read(_ file: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: file))) }

    private static let pieceSizes = Array(21...40) + [64, 333, 4096]

    func testExportInPiecesEqualsTheWholeExport() throws {
        for compress in [true, false] {
            let dump = try makeDump(compress: compress)
            for format in [ExportFormat.jsonl, .json, .csv] {
                _ = try Export.run(path: dump, outputPath: path("whole.out"), format: format, withMeta: true)
                let whole = try read(path("whole.out"))
                for size in Self.pieceSizes {
                    _ = try Export.run(path: dump, outputPath: path("pieces.out"), format: format, withMeta: true,
                                       options: options(pieceSize: size))
                    XCTAssertEqual(try read(path("pieces.out")), whole, "\(format), pieces of \(size), compress \(compress)")
                }
            }
        }
    }

    func testConvertAndAOFInPiecesKeepEveryValue() throws {
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))
        for compress in [true, false] {
            let dump = try makeDump(compress: compress)
            _ = try Export.run(path: dump, outputPath: path("original.jsonl"), format: .jsonl, withMeta: false)
            _ = try Convert.rdbToAOF(inputPath: dump, outputPath: path("whole.aof"), layout: .singleFile, target: target, lossy: false)
            for size in [21, 22, 23, 50, 1000] {
                _ = try Convert.rdbToRDB(inputPath: dump, outputPath: path("converted.rdb"), target: target, lossy: false,
                                         options: options(pieceSize: size))
                XCTAssertTrue(Validator.validate(path: path("converted.rdb")).isValid, "pieces of \(size)")
                _ = try Export.run(path: path("converted.rdb"), outputPath: path("converted.jsonl"), format: .jsonl, withMeta: false)
                XCTAssertEqual(try read(path("converted.jsonl")), try read(path("original.jsonl")), "convert, pieces of \(size)")
                _ = try Convert.rdbToAOF(inputPath: dump, outputPath: path("pieces.aof"), layout: .singleFile, target: target,
                                         lossy: false, options: options(pieceSize: size))
                XCTAssertEqual(try read(path("pieces.aof")), try read(path("whole.aof")), "aof, pieces of \(size)")
            }
        }
    }

    func testRestorePayloadInPiecesDecodesToTheSameValues() throws {
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))
        let dump = try makeDump(compress: true)
        for size in [21, 29, 4096] {
            _ = try Convert.restorePayloads(inputPath: dump, outputPath: path("payloads.jsonl"), target: target,
                                            options: options(pieceSize: size))
            let lines = String(decoding: try read(path("payloads.jsonl")), as: UTF8.self).split(separator: "\n")
            XCTAssertEqual(lines.count, Self.values.count)
            for (line, (name, value)) in zip(lines, Self.values) {
                let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let payload = try XCTUnwrap((object["payload"] as? [String: String])?["base64"])
                let record = try RestorePayload.decode(Array(try XCTUnwrap(Data(base64Encoded: payload))))
                guard case .string(let decoded) = record else { return XCTFail("\(name): \(record)") }
                XCTAssertEqual(decoded, value, "\(name), pieces of \(size)")
            }
        }
    }

    func testStreamingLZFEqualsLiblzf() throws {
        var inputs: [[UInt8]] = Self.values.map(\.1)
        inputs.append(Array(repeating: 0x61, count: 40_000))
        inputs.append(deterministicNoise(20_000, seed: 11).map { $0 % 4 })
        inputs.append(Array(deterministicNoise(30_000, seed: 5).prefix(9000)) + Array(repeating: 0, count: 9000) + deterministicNoise(9000, seed: 5))
        let compressed = ScratchBuffer()
        for (i, input) in inputs.enumerated() {
            let worth = input.withUnsafeBytes { LZF.compressIfWorthIt($0, into: compressed) }
            if !worth { input.withUnsafeBytes { LZF.literals($0, into: compressed) } }
            let stream = [UInt8](compressed.bytes)
            for piece in [1, 2, 3, 31, 32, 33, 263, 264, 265, 8191, 8192, 8193, 1 << 20] {
                XCTAssertEqual(try streamed(stream, expanded: input.count, piece: piece), input, "input \(i), pieces of \(piece)")
            }
            // Every damage liblzf refuses, the streaming decoder refuses too (and the reverse).
            for cut in [1, stream.count / 2, stream.count - 1] where cut > 0 && cut < stream.count {
                let damaged = Array(stream.prefix(cut))
                let reference = ScratchBuffer()
                let referenceOK = damaged.withUnsafeBytes { LZF.decompress($0, expectedLength: input.count, into: reference) }
                XCTAssertEqual((try? streamed(damaged, expanded: input.count, piece: 100)) != nil, referenceOK, "input \(i) cut at \(cut)")
            }
            for claim in [input.count - 1, input.count + 1] where claim > 0 {
                XCTAssertNil(try? streamed(stream, expanded: claim, piece: 100), "input \(i) claiming \(claim)")
            }
        }
        // The fuzz target's own check, on random inputs.
        for seed in 0..<2000 {
            let bytes = deterministicNoise(5 + Int(seed % 300), seed: UInt64(seed))
            HostileInputProbe.probeLZFStream([UInt8(seed % 256), 0, 0] + bytes)
        }
    }

    private func streamed(_ compressed: [UInt8], expanded: Int, piece: Int) throws -> [UInt8] {
        let input = InputWindow(source: PrefixedSource(prefix: compressed, rest: EmptySource()), checksummed: false)
        var out: [UInt8] = []
        let decoder = LZFStreamDecoder(pieceSize: piece)
        let ok = try decoder.decode(from: input, compressedLength: compressed.count, expandedLength: expanded) {
            out.append(contentsOf: $0)
        }
        guard ok else { throw RDBError(.corrupt("streaming LZF refused"), offset: 0) }
        return out
    }
}

private final class EmptySource: ByteSource {
    var knownSize: Int64? { nil }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int { 0 }
}
