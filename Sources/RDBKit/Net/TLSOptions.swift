import NIOCore
import NIOSSL

/// How a `rediss://` connection proves who it talks to, and who it is (redis-cli's flags).
public struct TLSOptions: Sendable, Equatable {
    /// PEM file of the certificate authorities to trust; nil trusts the system's roots.
    public var caCertificate: String?
    /// PEM client certificate and its key, for servers with `tls-auth-clients yes`.
    public var certificate: String?
    public var privateKey: String?
    /// Skips checking the server's certificate (encrypted, but not authenticated).
    public var insecure: Bool
    /// Name sent as SNI and checked against the certificate; defaults to the URL's host.
    public var serverName: String?

    public init(caCertificate: String? = nil, certificate: String? = nil, privateKey: String? = nil,
                insecure: Bool = false, serverName: String? = nil) {
        self.caCertificate = caCertificate
        self.certificate = certificate
        self.privateKey = privateKey
        self.insecure = insecure
        self.serverName = serverName
    }

    func makeContext() throws(RDBError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            if let caCertificate { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caCertificate)) }
            if let certificate {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            }
            if let privateKey { configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKey, format: .pem)) }
            if insecure { configuration.certificateVerification = .none }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw RDBError(.io("TLS setup failed (--cacert \(caCertificate ?? "-"), --cert \(certificate ?? "-"), --tls-key \(privateKey ?? "-")): \(error)"))
        }
    }

    /// SNI takes names only; for an address, the certificate is checked against the address.
    func sniName(host: String) -> String? {
        let name = serverName ?? host
        return (try? SocketAddress(ipAddress: name, port: 0)) == nil ? name : nil
    }
}
