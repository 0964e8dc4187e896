import Foundation
import XCTest
@testable import RDBKit

/// `rediss://` against Debian's redis-server (built with TLS), with certificates made here.
final class TLSConnectionTests: XCTestCase {
    func testVerifiedClientAuthenticatedAndRefused() throws {
        guard let certificates = try TestCertificates() else { throw XCTSkip("openssl is not installed") }
        defer { certificates.remove() }
        let tlsPort = RedisServerProcess.freePort()
        guard let redis = try RedisServerProcess(extraArguments: certificates.serverArguments(tlsPort: tlsPort, requireClientCertificates: true)) else {
            throw XCTSkip("redis-server is not installed")
        }
        defer { redis.stop() }
        let url = try RedisURL(parsing: "rediss://127.0.0.1:\(tlsPort)")
        func connect(_ tls: TLSOptions) throws -> RedisConnection {
            try RedisConnection.connect(url, options: ConnectionOptions(tls: tls, connectTimeout: 5, replyTimeout: 5))
        }
        let client = TLSOptions(caCertificate: certificates.ca, certificate: certificates.clientCertificate, privateKey: certificates.clientKey)
        let connection = try connect(client)
        XCTAssertEqual(try connection.call("PING"), .simple("PONG"))
        try connection.call("SET", "k", String(repeating: "v", count: 100_000))
        XCTAssertEqual(try connection.call("STRLEN", "k"), .integer(100_000))
        connection.close()

        var insecure = client
        insecure.caCertificate = certificates.strangerCA
        insecure.insecure = true
        XCTAssertEqual(try connect(insecure).call("PING"), .simple("PONG"), "--insecure skips the server's certificate")

        var stranger = client
        stranger.caCertificate = certificates.strangerCA
        XCTAssertThrowsError(try connect(stranger).call("PING")) { error in
            XCTAssertTrue("\(error)".contains("127.0.0.1:\(tlsPort)") && "\(error)".lowercased().contains("certificate"), "\(error)")
        }
        XCTAssertThrowsError(try connect(TLSOptions(caCertificate: certificates.ca)).call("PING"), "no client certificate") { error in
            XCTAssertTrue("\(error)".contains("127.0.0.1:\(tlsPort)"), "\(error)")
        }
        XCTAssertThrowsError(try connect(TLSOptions(caCertificate: "/nonexistent/ca.pem"))) { error in
            XCTAssertTrue("\(error)".contains("TLS setup failed (--cacert /nonexistent/ca.pem"), "\(error)")
        }
    }
}
