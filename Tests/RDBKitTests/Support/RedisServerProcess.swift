import Foundation

/// A real `redis-server` on a free loopback port in a temporary directory, stopped (and its
/// directory removed) by `stop()`. Commands go through `redis-cli`, bulk data through `--pipe`.
final class RedisServerProcess {
    let port: Int
    let directory: URL
    private let process: Process
    private let cli: String

    static func executable(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Starts a server; nil when redis-server or redis-cli is not installed.
    init?(extraArguments: [String] = []) throws {
        guard let server = RedisServerProcess.executable("redis-server"),
              let cli = RedisServerProcess.executable("redis-cli") else { return nil }
        self.cli = cli
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var started: (Process, Int)?
        for _ in 0..<20 {
            let candidate = Int.random(in: 20_000..<60_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: server)
            process.arguments = ["--port", "\(candidate)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                 "--dir", directory.path, "--dbfilename", "dump.rdb", "--daemonize", "no",
                                 "--logfile", directory.appendingPathComponent("redis.log").path,
                                 "--enable-debug-command", "local"] + extraArguments
            try process.run()
            if RedisServerProcess.waitForPing(cli: cli, port: candidate) {
                started = (process, candidate)
                break
            }
            process.terminate()
            process.waitUntilExit()
        }
        guard let (process, port) = started else {
            throw NSError(domain: "redis", code: 1, userInfo: [NSLocalizedDescriptionKey: "redis-server did not start"])
        }
        self.process = process
        self.port = port
    }

    private static func waitForPing(cli: String, port: Int) -> Bool {
        for _ in 0..<100 {
            if let out = try? run(cli, ["-p", "\(port)", "PING"]), out.status == 0,
               String(decoding: out.stdout, as: UTF8.self).contains("PONG") {
                return true
            }
            usleep(50_000)
        }
        return false
    }

    /// Runs one command through redis-cli and returns its text reply.
    @discardableResult
    func command(_ args: String...) throws -> String {
        let out = try RedisServerProcess.run(cli, ["-p", "\(port)"] + args)
        return String(decoding: out.stdout, as: UTF8.self)
    }

    /// Sends commands (binary-safe) through `redis-cli --pipe`.
    func pipe(_ commands: [[[UInt8]]]) throws {
        var stream: [UInt8] = []
        for args in commands {
            stream += Array("*\(args.count)\r\n".utf8)
            for a in args { stream += Array("$\(a.count)\r\n".utf8) + a + [13, 10] }
        }
        let out = try RedisServerProcess.run(cli, ["-p", "\(port)", "--pipe"], input: Data(stream))
        let text = String(decoding: out.stdout, as: UTF8.self)
        guard out.status == 0, text.contains("errors: 0") else {
            throw NSError(domain: "redis", code: 2, userInfo: [NSLocalizedDescriptionKey: "redis-cli --pipe: \(text)"])
        }
    }

    var dumpPath: String { directory.appendingPathComponent("dump.rdb").path }

    func stop() {
        _ = try? command("SHUTDOWN", "NOSAVE")
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, stdout: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(input)
            try stdin.fileHandleForWriting.close()
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }
}

/// The server-content oracle (Scripts/server_to_jsonl.py), when python3 with redis-py is present.
enum ServerContentOracle {
    static var script: String { FixturePaths.repositoryRoot.appendingPathComponent("Scripts/server_to_jsonl.py").path }

    static var isAvailable: Bool {
        guard let python = RedisServerProcess.executable("python3"),
              let out = try? RedisServerProcess.run(python, ["-c", "import redis"]) else { return false }
        return out.status == 0
    }

    static func read(port: Int) throws -> [[String: Any]] {
        guard let python = RedisServerProcess.executable("python3") else { return [] }
        let out = try RedisServerProcess.run(python, [script, "\(port)"])
        guard out.status == 0 else {
            throw NSError(domain: "oracle", code: Int(out.status), userInfo: [NSLocalizedDescriptionKey: "server_to_jsonl.py failed"])
        }
        return try parseJSONLines(out.stdout)
    }
}
