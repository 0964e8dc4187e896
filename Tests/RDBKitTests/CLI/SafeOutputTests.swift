import Foundation
import XCTest

/// What every verb that writes promises, checked on real files with the built binary: an output
/// that is an input is refused before anything is written; a signal leaves no temporary output;
/// outputs are written by what their path is (device, FIFO, file, symbolic link) with the right
/// mode; a failed write names the output and exits 3.
final class SafeOutputTests: XCTestCase {
    private var cli: CLIProcess!

    override func setUpWithError() throws {
        cli = try CLIProcess()
    }

    override func tearDown() {
        cli = nil
    }

    private var types: String { FixturePaths.fixtures.appendingPathComponent("redis-7.0/types.rdb").path }

    private func copy(_ source: String, to name: String) throws -> String {
        try FileManager.default.copyItem(atPath: source, toPath: cli.path(name))
        return cli.path(name)
    }

    private func write(_ text: String, to name: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: cli.path(name)))
        return cli.path(name)
    }

    private func bytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    private static let commands = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n"

    /// A multi-part directory as Redis 7 leaves it: a base and an incremental file.
    private func appendOnlyDirectory(_ name: String) throws -> String {
        let dir = cli.path(name)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        _ = try write(Self.commands, to: "\(name)/appendonly.aof.1.base.aof")
        _ = try write(Self.commands, to: "\(name)/appendonly.aof.1.incr.aof")
        _ = try write("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
                      to: "\(name)/appendonly.aof.manifest")
        return dir
    }

    func testAnOutputThatIsAnInputIsRefusedBeforeAnythingIsWritten() throws {
        let dump = try copy(types, to: "t.rdb")
        let original = bytes(dump)
        try FileManager.default.createSymbolicLink(atPath: cli.path("link.rdb"), withDestinationPath: dump)
        try FileManager.default.linkItem(atPath: dump, toPath: cli.path("hard.rdb"))
        let aof = try write(Self.commands, to: "d.aof")
        let dir = try appendOnlyDirectory("appendonlydir")
        let base = dir + "/appendonly.aof.1.base.aof"
        let baseBytes = bytes(base)
        let cases: [(arguments: [String], output: String, input: String)] = [
            (["export", dump, "-o", dump], dump, dump),
            (["export", dump, "-o", cli.path("link.rdb")], cli.path("link.rdb"), dump),
            (["export", "--format", "csv", dump, "-o", cli.path("hard.rdb")], cli.path("hard.rdb"), dump),
            (["convert", dump, dump], dump, dump),
            (["convert", dump, "-o", cli.path("link.rdb")], cli.path("link.rdb"), dump),
            (["convert", dump, "--to", "resp", cli.path("hard.rdb")], cli.path("hard.rdb"), dump),
            (["convert", dump, "--to", "aof", dump], dump, dump),
            (["report", dump, "-o", dump], dump, dump),
            (["restore-payload", dump, "-o", dump], dump, dump),
            (["repair", aof, "-o", aof], aof, aof),
            (["merge", dump, aof, "-o", dump], dump, dump),
            (["merge", dump, aof, "-o", aof], aof, aof),
            (["merge", dump, dir, "-o", base], base, base),
            (["export", dir, "-o", base], base, base),
            (["convert", dir, "--to", "rdb", base], base, base),
            (["repair", dir, "-o", dir], dir, dir),
        ]
        for (arguments, output, input) in cases {
            let result = try cli.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.err)")
            XCTAssertTrue(result.err.contains(output) && result.err.contains(input) && result.err.contains("same file"),
                          "\(arguments): \(result.err)")
            XCTAssertEqual(bytes(dump), original, "\(arguments) changed the input")
            XCTAssertEqual(bytes(base), baseBytes, "\(arguments) changed the AOF base")
            XCTAssertEqual(bytes(aof), Data(Self.commands.utf8), "\(arguments) changed the AOF")
            XCTAssertEqual(cli.temporaries(), [], "\(arguments)")
        }
    }

    /// Starts `arguments` reading `fifo`, feeds it the first bytes of `input`, waits until a
    /// temporary output exists, signals, and checks the status and that nothing is left.
    private func interrupt(_ arguments: [String], fifo: String, input: String, signal: Int32, status: Int32,
                           file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(mkfifo(cli.path(fifo), 0o600), 0)
        let running = cli.start(arguments)
        let writer = try cli.openFIFOForWriting(fifo)
        writer.write(bytes(input).prefix(1024))
        XCTAssertTrue(cli.wait { !cli.temporaries().isEmpty }, "\(arguments): no temporary output appeared", file: file, line: line)
        kill(running.process.processIdentifier, signal)
        let result = running.finish()
        try? writer.close()
        XCTAssertEqual(result.status, status, "\(arguments): \(result.err)", file: file, line: line)
        XCTAssertEqual(cli.temporaries(), [], "\(arguments)", file: file, line: line)
        try FileManager.default.removeItem(atPath: cli.path(fifo))
    }

    func testSignalsRemoveTemporaryOutputs() throws {
        let delta = try write(Self.commands, to: "delta.aof")
        try interrupt(["export", "in1", "-o", "out.jsonl"], fifo: "in1", input: types, signal: SIGINT, status: 130)
        try interrupt(["convert", "in2", "out.rdb"], fifo: "in2", input: types, signal: SIGTERM, status: 143)
        try interrupt(["convert", "in3", "-o", "out.aof", "--multi-part"], fifo: "in3", input: types, signal: SIGHUP, status: 129)
        try interrupt(["merge", "in4", delta, "-o", "merged.rdb"], fifo: "in4", input: types, signal: SIGTERM, status: 143)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("out.jsonl")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("out.aof")))

        // repair reads its input twice (a FIFO is refused): a large file keeps it busy long enough.
        var big = Data()
        let command = Data("*3\r\n$3\r\nSET\r\n$8\r\nkey:0000\r\n$40\r\n\(String(repeating: "v", count: 40))\r\n".utf8)
        for _ in 0..<400_000 { big.append(command) }
        try big.write(to: URL(fileURLWithPath: cli.path("big.aof")))
        let running = cli.start(["repair", "big.aof", "-o", "fixed.aof"])
        XCTAssertTrue(cli.wait { !cli.temporaries().isEmpty }, "repair: no temporary output appeared")
        kill(running.process.processIdentifier, SIGINT)
        let result = running.finish()
        XCTAssertEqual(result.status, 130, result.err)
        XCTAssertEqual(cli.temporaries(), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("fixed.aof")))
    }

    func testOutputsAreWrittenByWhatTheirPathIs() throws {
        let expected = try cli.run(["export", types]).out
        XCTAssertFalse(expected.isEmpty)

        // A FIFO is written into, not replaced by a file.
        XCTAssertEqual(mkfifo(cli.path("out.fifo"), 0o600), 0)
        let running = cli.start(["export", types, "-o", "out.fifo"])
        let reader = FileHandle(forReadingAtPath: cli.path("out.fifo"))!
        let received = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(running.finish().status, 0)
        XCTAssertEqual(received, expected)
        var info = stat()
        XCTAssertEqual(lstat(cli.path("out.fifo"), &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO)

        // A regular file under /dev (here /dev/shm) is replaced whole, and a symbolic link there
        // is replaced, not followed.
        let shm = "/dev/shm"
        if FileManager.default.fileExists(atPath: shm) {
            let existing = shm + "/rdbkit-test-\(UUID().uuidString).jsonl"
            defer { try? FileManager.default.removeItem(atPath: existing) }
            try Data(repeating: UInt8(ascii: "x"), count: expected.utf8.count * 2).write(to: URL(fileURLWithPath: existing))
            XCTAssertEqual(try cli.run(["export", types, "-o", existing]).status, 0)
            XCTAssertEqual(String(decoding: bytes(existing), as: UTF8.self), expected)

            let victim = try write("keep me", to: "victim")
            let planted = shm + "/rdbkit-test-\(UUID().uuidString).jsonl"
            defer { try? FileManager.default.removeItem(atPath: planted) }
            try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: victim)
            XCTAssertEqual(try cli.run(["export", types, "-o", planted]).status, 0)
            XCTAssertEqual(String(decoding: bytes(victim), as: UTF8.self), "keep me")
            XCTAssertEqual(String(decoding: bytes(planted), as: UTF8.self), expected)
            XCTAssertEqual(lstat(planted, &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG)
        }

        // Standard output named as a path is standard output.
        XCTAssertEqual(try cli.run(["export", types, "-o", "/dev/stdout"]).out, expected)
    }

    func testModesFollowTheUmaskAndAreKeptWhenReplaced() throws {
        func mode(_ name: String) -> mode_t {
            var info = stat()
            stat(cli.path(name), &info)
            return info.st_mode & 0o7777
        }
        XCTAssertEqual(try cli.run(["export", types, "-o", "new.jsonl"], umask: "027").status, 0)
        XCTAssertEqual(mode("new.jsonl"), 0o640)
        XCTAssertEqual(try cli.run(["convert", types, "-o", "dir.aof", "--multi-part"], umask: "027").status, 0)
        XCTAssertEqual(mode("dir.aof"), 0o750)
        XCTAssertEqual(mode("dir.aof/appendonly.aof.manifest"), 0o640)
        _ = try write("old", to: "kept.rdb")
        chmod(cli.path("kept.rdb"), 0o604)
        XCTAssertEqual(try cli.run(["convert", types, "kept.rdb"], umask: "077").status, 0)
        XCTAssertEqual(mode("kept.rdb"), 0o604)
        XCTAssertEqual(try cli.run(["validate", "kept.rdb"]).status, 0)
    }

    func testAFailedWriteNamesTheOutputAndExitsThree() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        for arguments in [["export", types, "-o", "/dev/full"], ["convert", types, "--to", "rdb", "/dev/full"],
                          ["restore-payload", types, "-o", "/dev/full", "--lossy"]] {  // no payload carries its libraries
            let result = try cli.run(arguments)
            XCTAssertEqual(result.status, 3, "\(arguments): \(result.err)")
            XCTAssertTrue(result.err.contains("/dev/full") && !result.err.contains(types), "\(arguments): \(result.err)")
        }
        let denied = try cli.run(["export", types, "-o", cli.path("no-such-dir/out.jsonl")])
        XCTAssertEqual(denied.status, 3, denied.err)
        XCTAssertTrue(denied.err.contains("no-such-dir/out.jsonl"), denied.err)
    }

    func testStreamInputsAreReadWhole() throws {
        let aof = try write(Self.commands, to: "d.aof")
        let cases: [(arguments: [String], input: String, expect: String)] = [
            (["validate", "in.fifo"], types, "OK"),
            (["inspect", "in.fifo"], types, "keys"),
            (["export", "in.fifo"], types, "\"key\""),
            (["export", "in.fifo"], aof, "\"SET\""),
            (["validate", "in.fifo"], aof, "AOF"),
            (["convert", "in.fifo", "--to", "json", "-o", "-"], types, "\"key\""),
        ]
        for (arguments, input, expect) in cases {
            XCTAssertEqual(mkfifo(cli.path("in.fifo"), 0o600), 0)
            let content = bytes(input)
            let feeder = Thread { [cli] in
                if let writer = try? cli!.openFIFOForWriting("in.fifo") { writer.write(content); try? writer.close() }
            }
            feeder.start()
            let result = try cli.run(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments) < \(input): \(result.err)")
            XCTAssertTrue(result.out.contains(expect), "\(arguments) < \(input): \(result.out.prefix(300))")
            try FileManager.default.removeItem(atPath: cli.path("in.fifo"))
        }
        let piped = try cli.run(["export", "-"], stdin: aof)
        XCTAssertEqual(piped.status, 0, piped.err)
        XCTAssertTrue(piped.out.contains("\"SET\""), piped.out)
    }

    /// What redis-check-aof --fix also refuses (exit 1): nothing is written, and the reason is given.
    func testRepairRefusesWhatItCannotRepair() throws {
        func directory(_ name: String, manifest: String, parts: [String: String?]) throws -> String {
            try FileManager.default.createDirectory(atPath: cli.path(name), withIntermediateDirectories: false)
            for (part, content) in parts {
                if let content { _ = try write(content, to: "\(name)/\(part)") } else {
                    try FileManager.default.createDirectory(atPath: cli.path("\(name)/\(part)"), withIntermediateDirectories: false)
                }
            }
            _ = try write(manifest, to: "\(name)/appendonly.aof.manifest")
            return cli.path(name)
        }
        try FileManager.default.createDirectory(atPath: cli.path("plain-dir"), withIntermediateDirectories: false)
        let cases: [(input: String, reason: String)] = [
            (cli.path("plain-dir"), "repair works on append-only files"),
            (try directory("outside", manifest: "file ../d.aof seq 1 type b\n", parts: [:]), "can't be a path"),
            (try directory("cut", manifest: "file a.aof seq 1 type i\nfile a.aof seq", parts: ["a.aof": Self.commands]), "cut short"),
            (try directory("twice", manifest: "file a.aof seq 1 type i\nfile a.aof seq 2 type i\n", parts: ["a.aof": Self.commands]),
             "duplicate file a.aof"),
            (try directory("itself", manifest: "file appendonly.aof.manifest seq 1 type b\nfile a.aof seq 1 type i\n",
                           parts: ["a.aof": Self.commands]), "lists itself"),
            (try directory("part-dir", manifest: "file p.aof seq 1 type i\n", parts: ["p.aof": nil]), "p.aof is a directory"),
            ("/dev/zero", "repair works on append-only files"),
            (try write("*2\r\n$3\r\nGET", to: "nothing.aof"), "nothing before it is loadable"),
        ]
        for (index, (input, reason)) in cases.enumerated() {
            let output = cli.path("fixed-\(index)")
            let result = try cli.run(["repair", input, "-o", output])
            XCTAssertEqual(result.status, 1, "\(input): \(result.err)")
            XCTAssertTrue(result.err.contains(reason), "\(input): \(result.err)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), input)
        }
        XCTAssertEqual(cli.temporaries(), [])
        let truncated = try write(Self.commands + "*3\r\n$3\r\nSET", to: "truncated.aof")
        let repaired = try cli.run(["repair", truncated, "-o", "repaired.aof"])
        XCTAssertEqual(repaired.status, 0, repaired.err)
        XCTAssertEqual(bytes(cli.path("repaired.aof")), Data(Self.commands.utf8))
    }

    func testConvertAndMergeWriteForTheInputsOwnServerByDefault() throws {
        let valkey = FixturePaths.fixtures.appendingPathComponent("valkey-9.1/cluster.rdb").path
        let delta = try write(Self.commands, to: "delta.aof")
        let cases: [(arguments: [String], output: String, expect: String)] = [
            (["convert", types, "out-70.rdb"], "out-70.rdb", "RDB v10"),
            (["convert", types, "-o", "out-70b.rdb"], "out-70b.rdb", "RDB v10"),
            (["convert", valkey, "--output", "out-valkey.rdb"], "out-valkey.rdb", "Valkey RDB v80"),
            (["merge", types, delta, "-o", "merged.rdb"], "merged.rdb", "RDB v10"),
            (["convert", types, "out-62.rdb", "--target-version", "redis-6.2", "--lossy"], "out-62.rdb", "RDB v9"),
        ]
        for (arguments, output, expect) in cases {
            let result = try cli.run(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.err)")
            let check = try cli.run(["validate", output])
            XCTAssertTrue(check.out.hasPrefix("OK") && check.out.contains(expect + ","), "\(arguments): \(check.out)")
        }
        let help = try cli.run(["convert", "--help"]).out
        let words = help.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        XCTAssertTrue(words.contains("Default: the server family and version that wrote the input"), help)
        XCTAssertFalse(help.contains("(default: redis-"), help)
        XCTAssertFalse(help.contains("back             ("), "a lost line continuation: \(help)")
        XCTAssertEqual(try cli.run(["convert", types, "a.rdb", "-o", "b.rdb"]).status, 2)
        XCTAssertEqual(try cli.run(["convert", delta, "c.rdb", "--db", "1"]).status, 2)
    }
}
