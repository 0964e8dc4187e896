import Foundation
import XCTest

/// The built `rdbkit` run as a user runs it, in a scratch directory of its own: wait for it, or
/// start it and signal it while it works.
final class CLIProcess: @unchecked Sendable {
    let binary: String
    let scratch: URL

    init() throws {
        guard let found = FixturePaths.rdbkitBinary else { throw XCTSkip("the rdbkit binary was not built next to the tests") }
        binary = found
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    /// Runs to the end (in the scratch directory, with `umask` when given).
    @discardableResult
    func run(_ arguments: [String], umask mask: String? = nil, stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = start(arguments, umask: mask, stdin: stdin)
        let o = process.out.fileHandleForReading.readDataToEndOfFile()
        let e = process.err.fileHandleForReading.readDataToEndOfFile()
        process.process.waitUntilExit()
        return (process.process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    struct Running {
        let process: Process
        let out: Pipe
        let err: Pipe

        /// Waits for the end; the status and standard error.
        func finish() -> (status: Int32, err: String) {
            let e = err.fileHandleForReading.readDataToEndOfFile()
            _ = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: e, as: UTF8.self))
        }
    }

    func start(_ arguments: [String], umask mask: String? = nil, stdin: String? = nil) -> Running {
        let process = Process()
        if let mask {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "umask \(mask); exec \"$0\" \"$@\"", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        process.currentDirectoryURL = scratch
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        try! process.run()
        return Running(process: process, out: out, err: err)
    }

    /// The names in the scratch directory that look like temporary outputs.
    func temporaries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []).filter { $0.contains(".tmp-") }.sorted()
    }

    /// Opens the FIFO `name` for writing once the process has opened it for reading (bounded: 10 s).
    func openFIFOForWriting(_ name: String) throws -> FileHandle {
        for _ in 0..<1000 {
            let fd = open(path(name), O_WRONLY | O_NONBLOCK)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
                return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            }
            usleep(10_000)
        }
        throw XCTSkip("no reader opened the FIFO within 10 s")
    }

    /// Waits (bounded: 10 s) until `condition` holds.
    func wait(until condition: () -> Bool) -> Bool {
        for _ in 0..<2000 {
            if condition() { return true }
            usleep(5_000)
        }
        return false
    }
}
