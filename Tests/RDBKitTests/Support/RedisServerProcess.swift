import Foundation

/// A real `redis-server` on a free loopback port in a temporary directory, stopped (and its
/// directory removed) by `stop()`. Commands go through `redis-cli`, bulk data through `--pipe`.
final class RedisServerProcess {
    let port: Int
    let directory: URL
    private var process: Process
    private let cli: String
    /// How the server was started, for `restart()`.
    private var launchArguments: [String] = []

    static func executable(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Starts the apt redis-server; nil when redis-server or redis-cli is not installed.
    convenience init?(extraArguments: [String] = []) throws {
        guard let server = RedisServerProcess.executable("redis-server") else { return nil }
        try self.init(command: [server], extraArguments: extraArguments)
    }

    /// Starts `command` (a server binary and its own arguments, e.g. --loadmodule), optionally on
    /// a copy of `dump`; nil when redis-cli is not installed.
    init?(command: [String], extraArguments: [String] = [], dump: String? = nil) throws {
        guard let cli = RedisServerProcess.executable("redis-cli") else { return nil }
        self.cli = cli
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let dump {
            try FileManager.default.copyItem(atPath: dump, toPath: directory.appendingPathComponent("dump.rdb").path)
        }
        let version = String(decoding: try RedisServerProcess.run(command[0], ["--version"]).stdout, as: UTF8.self)
        // `enable-debug-command` exists from 7.0 on; 6.2 refuses to start with it.
        let debug = version.contains(" v=6.") ? [] : ["--enable-debug-command", "local"]
        var started: (Process, Int)?
        for _ in 0..<20 {
            let candidate = RedisServerProcess.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst()) + [
                "--port", "\(candidate)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory.path, "--dbfilename", "dump.rdb", "--daemonize", "no",
                "--logfile", directory.appendingPathComponent("redis.log").path] + debug + extraArguments
            let console = directory.appendingPathComponent("console.log")
            _ = FileManager.default.createFile(atPath: console.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: console)
            process.standardError = process.standardOutput
            try process.run()
            if RedisServerProcess.waitForPing(cli: cli, port: candidate, process: process) {
                started = (process, candidate)
                break
            }
            process.terminate()
            process.waitUntilExit()
            // Only a port taken between our check and the server's bind is worth another try.
            let said = (try? String(contentsOf: console, encoding: .utf8)) ?? ""
            if !said.contains("Address already in use") { break }
        }
        guard let (process, port) = started else {
            let log = ((try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? "")
                + ((try? String(contentsOf: directory.appendingPathComponent("console.log"), encoding: .utf8)) ?? "")
            try? FileManager.default.removeItem(at: directory)
            throw NSError(domain: "redis", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(command[0]) did not start:\n" + log.suffix(1500)])
        }
        self.process = process
        self.port = port
        launchArguments = process.arguments ?? []
    }

    /// SIGKILL: the server dies without saving (what a crash does).
    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts the server again on the same port and directory (after `kill()`).
    func restart() throws {
        let next = Process()
        next.executableURL = process.executableURL
        next.arguments = launchArguments
        next.standardOutput = FileHandle.nullDevice
        next.standardError = FileHandle.nullDevice
        try next.run()
        process = next
        guard RedisServerProcess.waitForPing(cli: cli, port: port, process: next) else {
            throw NSError(domain: "redis", code: 3, userInfo: [NSLocalizedDescriptionKey: "the server did not start again on port \(port)"])
        }
    }

    /// Servers other than the apt one (Scripts/setup.sh writes `.servers/servers.json`).
    static func installedServers() -> [String: [String]] {
        let file = FixturePaths.repositoryRoot.appendingPathComponent(".servers/servers.json")
        guard let data = try? Data(contentsOf: file),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String]] else { return [:] }
        return object.filter { FileManager.default.isExecutableFile(atPath: $0.value[0]) }
    }

    /// A port the kernel just handed out (below 55536: cluster nodes also use port + 10000).
    static func freePort() -> Int {
        for _ in 0..<50 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                    bind(fd, p, length) == 0 && getsockname(fd, p, &length) == 0
                }
            }
            let port = Int(UInt16(bigEndian: address.sin_port))
            if bound && port < 55_536 { return port }
        }
        return Int.random(in: 20_000..<55_000)
    }

    private static func waitForPing(cli: String, port: Int, process: Process) -> Bool {
        for _ in 0..<100 {
            if !process.isRunning { return false }
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

    /// Sends a file of RESP commands through `redis-cli --pipe`.
    func pipe(file: String) throws {
        let out = try RedisServerProcess.run(cli, ["-p", "\(port)", "--pipe"], input: try Data(contentsOf: URL(fileURLWithPath: file)))
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
