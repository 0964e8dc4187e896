import Foundation

/// A certificate authority, a server certificate for 127.0.0.1 and a client certificate, made
/// with openssl in a temporary directory (removed by `remove()`); nil without openssl.
struct TestCertificates {
    let directory: URL
    var ca: String { directory.appendingPathComponent("ca.pem").path }
    var serverCertificate: String { directory.appendingPathComponent("server.pem").path }
    var serverKey: String { directory.appendingPathComponent("server.key").path }
    var clientCertificate: String { directory.appendingPathComponent("client.pem").path }
    var clientKey: String { directory.appendingPathComponent("client.key").path }
    /// Signed by nobody the server knows: for the refusals.
    var strangerCA: String { directory.appendingPathComponent("stranger.pem").path }

    init?() throws {
        guard let openssl = RedisServerProcess.executable("openssl") else { return nil }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdbkit-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let d = directory.path
        try? "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: d + "/san.ext", atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=RDBKit test CA", "-keyout", d + "/ca.key", "-out", d + "/ca.pem"],
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=stranger", "-keyout", d + "/stranger.key", "-out", d + "/stranger.pem"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", d + "/server.key", "-out", d + "/server.csr"],
            ["x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key", "-CAcreateserial", "-days", "2",
             "-extfile", d + "/san.ext", "-out", d + "/server.pem"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=backup client", "-keyout", d + "/client.key", "-out", d + "/client.csr"],
            ["x509", "-req", "-in", d + "/client.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key", "-CAcreateserial", "-days", "2",
             "-out", d + "/client.pem"],
        ]
        for step in steps {
            guard try RedisServerProcess.run(openssl, step).status == 0 else {
                throw NSError(domain: "openssl", code: 1, userInfo: [NSLocalizedDescriptionKey: "openssl \(step.joined(separator: " ")) failed"])
            }
        }
    }

    /// redis-server arguments for a TLS port beside the plain one (which the harness pings).
    func serverArguments(tlsPort: Int, requireClientCertificates: Bool) -> [String] {
        ["--tls-port", "\(tlsPort)", "--tls-cert-file", serverCertificate, "--tls-key-file", serverKey,
         "--tls-ca-cert-file", ca, "--tls-auth-clients", requireClientCertificates ? "yes" : "no"]
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
