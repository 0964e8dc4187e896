import Foundation
import XCTest

/// The built `rdbkit` binary run as a user runs it: arguments, optional standard input, and its
/// exit status with both outputs.
enum RDBKitProcess {
    static func binary() throws -> String {
        guard let found = FixturePaths.rdbkitBinary else { throw XCTSkip("the rdbkit binary was not built next to the tests") }
        return found
    }

    /// A started `rdbkit`: standard output on a pipe, standard error in a file (a full pipe there
    /// must not block standard output).
    struct Running {
        let process: Process
        let out: Pipe
        let errFile: URL

        /// Waits for the end: the status and both outputs.
        @discardableResult
        func finish() -> (status: Int32, out: String, err: String) {
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let errData = (try? Data(contentsOf: errFile)) ?? Data()
            try? FileManager.default.removeItem(at: errFile)
            return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
        }
    }

    /// Starts `rdbkit` with `arguments`, in `directory` when given, under `umask` when given.
    static func start(_ arguments: [String], in directory: URL? = nil, umask mask: String? = nil,
                      stdin: URL? = nil) throws -> Running {
        let process = Process()
        if let mask {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "umask \(mask); exec \"$0\" \"$@\"", try binary()] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: try binary())
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errFile)
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        return Running(process: process, out: out, errFile: errFile)
    }

    static func run(_ arguments: [String], stdin: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        try start(arguments, stdin: stdin).finish()
    }

    /// A dump made by `rdbkit convert` from export-schema lines, in `directory`.
    static func dump(_ lines: [String], in directory: URL, name: String = "made.rdb") throws -> String {
        let json = directory.appendingPathComponent(name + ".jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: json)
        let dump = directory.appendingPathComponent(name).path
        let r = try run(["convert", json.path, dump])
        XCTAssertEqual(r.status, 0, r.err)
        return dump
    }

    /// A fresh temporary directory, removed by the caller.
    static func scratch(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
