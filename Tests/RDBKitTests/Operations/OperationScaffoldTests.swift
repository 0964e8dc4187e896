import Foundation
import XCTest
@testable import RDBKit

/// The operations layer's shared parts: what an input is (by content), and the one scaffold by
/// which every verb that writes for a target applies the loss policy and commits or abandons.
final class OperationScaffoldTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try scratchDirectory("operations")
    }

    private var types: String { FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path }

    func testAnInputIsKnownByItsContentNotItsName() throws {
        XCTAssertEqual(InputKind.of(types), .rdb)
        // The export schema under a dump's name, and gzipped, is still JSON.
        let json = scratch.appendingPathComponent("looks-like-a-dump.rdb").path
        _ = try Export.run(path: types, outputPath: json, format: .jsonl, withMeta: true)
        XCTAssertEqual(InputKind.of(json), .json)
        let array = scratch.appendingPathComponent("array").path
        _ = try Export.run(path: types, outputPath: array, format: .json, withMeta: false)
        XCTAssertEqual(InputKind.of(array), .json)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(json)' > '\(json).gz'"]
        try gzip.run()
        gzip.waitUntilExit()
        XCTAssertEqual(InputKind.of(json + ".gz"), .json)
        // A dump copied under a JSON name is still a dump; a file of commands is an AOF.
        let renamed = scratch.appendingPathComponent("dump.json").path
        try FileManager.default.copyItem(atPath: types, toPath: renamed)
        XCTAssertEqual(InputKind.of(renamed), .rdb)
        let aof = scratch.appendingPathComponent("commands").path
        try Data("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".utf8).write(to: URL(fileURLWithPath: aof))
        XCTAssertEqual(InputKind.of(aof), .aof)
        XCTAssertEqual(InputKind.of(scratch.appendingPathComponent("missing").path), .rdb)
    }

    /// Every writer, refused a loss, leaves nothing under the output's name; with `lossy` it
    /// writes and reports each drop in the same words.
    func testEveryWriterAppliesTheOneLossPolicy() throws {
        let old = try XCTUnwrap(RDBTarget.named("redis-4.0"))
        let writers: [(String, (String, Bool) throws -> Convert.Summary)] = [
            ("rdb", { try Convert.rdbToRDB(inputPath: self.types, outputPath: $0, target: old, lossy: $1) }),
            ("resp", { try Convert.rdbToRESP(inputPath: self.types, outputPath: $0, target: old, lossy: $1) }),
            ("aof", { try Convert.rdbToAOF(inputPath: self.types, outputPath: $0, layout: .singleFile, target: old, lossy: $1) }),
            ("aof-dir", { try Convert.rdbToAOF(inputPath: self.types, outputPath: $0, layout: .multiPart(prefix: "a.aof"), target: old, lossy: $1) }),
            ("payloads", { try Convert.restorePayloads(inputPath: self.types, outputPath: $0, target: old, lossy: $1) }),
        ]
        var dropped: [String: Set<String>] = [:]
        for (name, write) in writers {
            let output = scratch.appendingPathComponent(name).path
            XCTAssertThrowsError(try write(output, false), name) { error in
                XCTAssertTrue("\(error)".contains("cannot hold"), "\(name): \(error)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "\(name) left an output behind")
            let summary = try write(output, true)
            XCTAssertTrue(FileManager.default.fileExists(atPath: output), name)
            dropped[name] = Set(summary.losses.map { String($0.what.prefix { $0 != ":" }) })
        }
        // Streams are dropped whole for Redis 4.0, in one wording by every writer.
        for (name, what) in dropped { XCTAssertTrue(what.contains("stream dropped"), "\(name): \(what)") }
    }

    /// No payload carries module aux data: restore-payload reports its loss as the other
    /// writers do, instead of leaving it out silently.
    func testRestorePayloadsReportModuleAuxData() throws {
        let dump = FixturePaths.fixtures.appendingPathComponent("legacy/redis_60_with_module_aux.rdb").path
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))
        let output = scratch.appendingPathComponent("p.jsonl").path
        XCTAssertThrowsError(try Convert.restorePayloads(inputPath: dump, outputPath: output, target: target)) { error in
            XCTAssertTrue("\(error)".contains("module aux data"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        let lossy = try Convert.restorePayloads(inputPath: dump, outputPath: output, target: target, lossy: true)
        XCTAssertTrue(lossy.losses.contains { $0.what.hasPrefix("module aux data") && !$0.requested })
        let asked = try Convert.restorePayloads(inputPath: dump, outputPath: output, target: target, withoutModules: true)
        XCTAssertTrue(asked.losses.allSatisfy(\.requested))
        XCTAssertTrue(asked.losses.contains { $0.what.hasPrefix("module aux data") })
    }

    /// No payload carries a function library either: restore-payload refuses a dump holding
    /// libraries, naming each, and with `lossy` reports each one it drops.
    func testRestorePayloadsReportFunctionLibraries() throws {
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))
        let output = scratch.appendingPathComponent("functions.jsonl").path
        XCTAssertThrowsError(try Convert.restorePayloads(inputPath: types, outputPath: output, target: target)) { error in
            XCTAssertTrue("\(error)".contains("function library \"rdbkit_one\" dropped"), "\(error)")
            XCTAssertTrue("\(error)".contains("function library \"rdbkit_two\" dropped"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        let lossy = try Convert.restorePayloads(inputPath: types, outputPath: output, target: target, lossy: true)
        XCTAssertEqual(lossy.losses.filter { $0.what.hasPrefix("function library") }.count, 2, "\(lossy.losses)")
        XCTAssertEqual(lossy.keys, try RDBReader.records(path: types).count)
    }

    /// merge routes its base by content too: an export is a base as its dump is.
    func testMergeTakesAnExportAsItsBase() throws {
        let json = scratch.appendingPathComponent("base.jsonl").path
        _ = try Export.run(path: types, outputPath: json, format: .jsonl, withMeta: true)
        let delta = scratch.appendingPathComponent("delta.aof").path
        try Data("*3\r\n$3\r\nSET\r\n$5\r\nadded\r\n$1\r\nv\r\n".utf8).write(to: URL(fileURLWithPath: delta))
        let target = try XCTUnwrap(RDBTarget.named("redis-7.0"))
        var merged: [[KeyRecord]] = []
        for base in [types, json] {
            let output = scratch.appendingPathComponent("merged-\(merged.count).rdb").path
            _ = try Merge.run(base: base, deltas: [delta], outputPath: output, options: Merge.Options(target: target, now: 0))
            merged.append(try RDBReader.records(path: output).sorted { $0.db != $1.db ? $0.db < $1.db : $0.key.lexicographicallyPrecedes($1.key) })
        }
        XCTAssertEqual(merged[0].count, try RDBReader.records(path: types).count + 1)
        XCTAssertEqual(merged[0], merged[1])
    }
}
