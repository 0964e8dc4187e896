import Foundation
import XCTest

/// The built `rdbkit` binary run as a user runs it: arguments, optional standard input, and its
/// exit status with both outputs.
enum RDBKitProcess {
    static func binary() throws -> String {
        guard let found = FixturePaths.rdbkitBinary else { throw XCTSkip("the rdbkit binary was not built next to the tests") }
        return found
    }

    static func run(_ arguments: [String], stdin: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        // Standard error goes to a file: a full pipe there must not block standard output.
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errFile)
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = (try? Data(contentsOf: errFile)) ?? Data()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
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
