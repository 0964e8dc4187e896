import Foundation
import XCTest
@testable import RDBKit

/// The connection layer against the apt Redis 7.0 on a loopback port.
final class RedisConnectionTests: XCTestCase {
    private func server(_ arguments: [String] = []) throws -> RedisServerProcess {
        guard let server = try RedisServerProcess(extraArguments: arguments) else { throw XCTSkip("redis-server is not installed") }
        return server
    }

    private func connect(_ url: String) throws -> RedisConnection {
        try RedisConnection.connect(try RedisURL(parsing: url), options: ConnectionOptions(connectTimeout: 5, replyTimeout: 5))
    }

    func testCommandsRepliesAndPipelining() throws {
        let redis = try server()
        defer { redis.stop() }
        let connection = try connect("redis://127.0.0.1:\(redis.port)/2")
        defer { connection.close() }
        XCTAssertEqual(try connection.call("PING"), .simple("PONG"))
        let binary: Bytes = [0, 13, 10, 255]
        try connection.call([Array("SET".utf8), Array("k".utf8), binary])
        XCTAssertEqual(try connection.call("GET", "k"), .bulk(binary))
        for i in 0..<2000 { connection.send(["RPUSH", "list", String(i)]) }
        try connection.flush()
        for i in 0..<2000 { XCTAssertEqual(try connection.readReply(), .integer(Int64(i + 1))) }
        XCTAssertEqual(try redis.command("-n", "2", "LLEN", "list").trimmingCharacters(in: .whitespacesAndNewlines), "2000",
                       "the URL's database was selected")
        XCTAssertThrowsError(try connection.call("LPUSH", "k", "x")) { error in
            XCTAssertTrue("\(error)".contains("127.0.0.1:\(redis.port): LPUSH failed: WRONGTYPE"), "\(error)")
        }
        XCTAssertEqual(try connection.reply(to: "NOSUCHCOMMAND").errorMessage?.hasPrefix("ERR unknown command"), true)
        let info = try connection.info("server")
        XCTAssertEqual(info["redis_version"]?.hasPrefix("7."), true, "\(info)")
        let hello = try connection.hello()
        XCTAssertEqual(hello?["server"]?.text, "redis")
        XCTAssertEqual(hello?["proto"], .integer(2))
    }

    func testPasswordAndACLUser() throws {
        let redis = try server()
        defer { redis.stop() }
        _ = try redis.command("ACL", "SETUSER", "backup", "on", ">pw:1", "+@all", "~*")
        _ = try redis.command("CONFIG", "SET", "requirepass", "s3cret")
        defer { _ = try? redis.command("-a", "s3cret", "--no-auth-warning", "CONFIG", "SET", "requirepass", "") }
        XCTAssertEqual(try connect("redis://s3cret@127.0.0.1:\(redis.port)").call("PING"), .simple("PONG"))
        XCTAssertEqual(try connect("redis://backup:pw%3A1@127.0.0.1:\(redis.port)").call("ACL", "WHOAMI"), .bulk(Array("backup".utf8)))
        XCTAssertThrowsError(try connect("redis://backup:wrong@127.0.0.1:\(redis.port)")) { error in
            XCTAssertTrue("\(error)".contains("login as backup failed: WRONGPASS"), "\(error)")
        }
        let anonymous = try connect("redis://127.0.0.1:\(redis.port)")
        XCTAssertEqual(try anonymous.reply(to: "GET", "x").errorMessage?.hasPrefix("NOAUTH"), true)
    }

    func testDroppedConnectionTimeoutAndRefusal() throws {
        let redis = try server()
        defer { redis.stop() }
        let connection = try connect("redis://127.0.0.1:\(redis.port)")
        let id = try connection.call("CLIENT", "ID").text!
        _ = try redis.command("CLIENT", "KILL", "ID", id)
        XCTAssertThrowsError(try connection.call("PING")) { error in
            XCTAssertTrue("\(error)".contains("closed the connection"), "\(error)")
        }

        let blocked = try connect("redis://127.0.0.1:\(redis.port)")
        blocked.replyTimeout = 0.3
        let started = Date()
        XCTAssertThrowsError(try blocked.call("BLPOP", "nothing", "5")) { error in
            XCTAssertTrue("\(error)".contains("nothing arrived from the server for 0.3 seconds"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)

        let unused = RedisServerProcess.freePort()
        XCTAssertThrowsError(try connect("redis://127.0.0.1:\(unused)")) { error in
            XCTAssertTrue("\(error)".contains("cannot connect to 127.0.0.1:\(unused)"), "\(error)")
        }
    }
}
