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

    /// restore sends as it reads, so it passes the scaffold's checkpoint before each key: the
    /// first key the target cannot hold stops it, unsent, with the message every writer gives;
    /// with `lossy` every key is planned and each drop is reported.
    func testRestoreJudgesEachKeyThroughTheScaffoldBeforeSendingIt() throws {
        let old = try XCTUnwrap(RDBTarget.named("redis-4.0"))
        let records = try RDBReader.records(path: types)
        let firstStream = try XCTUnwrap(records.firstIndex { $0.value.type == .stream })
        for lossy in [false, true] {
            let planner = try RestorePlanner(target: old, options: RestoreOptions(nowMs: 0), maximumBulk: Int.max)
            var sent: [Bytes] = []
            let plan = { () throws(RDBError) in
                try LossPolicy(lossy: lossy).write(planner, for: old, checkingAsItGoes: { (losses) throws(RDBError) in
                    for record in records {
                        let decision = try planner.plan(record, sequence: sent.count)
                        try losses.pass()
                        if case .send(let item) = decision { sent.append(item.key) }
                    }
                })
            }
            if lossy {
                try plan()
                XCTAssertEqual(sent.count + planner.losses.filter { $0.what.hasPrefix("stream dropped") }.count, records.count)
            } else {
                XCTAssertThrowsError(try plan()) { error in
                    XCTAssertTrue("\(error)".contains("\(old.magic) cannot hold 1 thing"), "\(error)")
                }
                XCTAssertEqual(sent, records[..<firstStream].map(\.key), "keys up to the first stream, and not it")
            }
        }
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

    /// `Convert.run` is the convert verb for a library user: it routes by what the input is
    /// (an AOF replays as merge replays it, with the same options), refuses what cannot be asked
    /// of an input, and gives what each route did.
    func testConvertRunRoutesByTheInputAsTheCommandLineDoes() throws {
        let aof = scratch.appendingPathComponent("commands.aof").path
        try Data("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n".utf8)
            .write(to: URL(fileURLWithPath: aof))
        let replayed = scratch.appendingPathComponent("replayed.rdb").path
        guard case .replayed(let merge) = try Convert.run(Convert.Request(input: aof, output: replayed, format: .rdb, now: 0)) else {
            return XCTFail("an AOF is replayed")
        }
        XCTAssertEqual(merge.commands, 2)
        let merged = scratch.appendingPathComponent("merged.rdb").path
        _ = try Merge.run(base: aof, deltas: [], outputPath: merged,
                          options: Merge.Options(TargetWriting(), base: aof, output: .rdb, now: 0))
        XCTAssertEqual(try RDBReader.records(path: replayed), try RDBReader.records(path: merged))

        let json = scratch.appendingPathComponent("types.jsonl").path
        guard case .exported(let export) = try Convert.run(Convert.Request(input: types, output: json, format: .jsonl)) else {
            return XCTFail("rdb to jsonl is an export")
        }
        var back = Convert.Request(input: json, output: scratch.appendingPathComponent("back.rdb").path, format: .rdb)
        back.writing = TargetWriting(target: RDBTarget.named("redis-7.0"))
        guard case .converted(let imported) = try Convert.run(back) else { return XCTFail("json to rdb is an import") }
        XCTAssertEqual(imported.keys, export.keys)

        var refused = Convert.Request(input: json, output: scratch.appendingPathComponent("x.aof").path, format: .aof(.singleFile))
        XCTAssertEqual(refused.refusal(for: refused.kind), "JSON input converts to rdb only")
        XCTAssertThrowsError(try Convert.run(refused))
        refused.format = .rdb
        refused.filter = KeyFilter(nowMs: 0)
        refused.filter?.types = [.hash]
        XCTAssertNotNil(refused.refusal(for: .json))
        XCTAssertNotNil(refused.refusal(for: .aof))
        XCTAssertNil(refused.refusal(for: .rdb))
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
