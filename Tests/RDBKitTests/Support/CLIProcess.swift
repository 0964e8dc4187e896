import Foundation
import XCTest

/// The built `rdbkit` run as a user runs it, in a scratch directory of its own: wait for it, or
/// start it and signal it while it works.
final class CLIProcess: @unchecked Sendable {
    let scratch: URL

    init() throws {
        _ = try RDBKitProcess.binary()
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    /// Runs to the end (in the scratch directory, with `umask` when given).
    @discardableResult
    func run(_ arguments: [String], umask mask: String? = nil, stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        try RDBKitProcess.start(arguments, in: scratch, umask: mask, stdin: stdin.map { URL(fileURLWithPath: $0) }).finish()
    }

    /// Starts it in the scratch directory, to be signalled while it works.
    func start(_ arguments: [String], umask mask: String? = nil, stdin: String? = nil) -> RDBKitProcess.Running {
        try! RDBKitProcess.start(arguments, in: scratch, umask: mask, stdin: stdin.map { URL(fileURLWithPath: $0) })
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
