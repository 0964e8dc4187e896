import ArgumentParser
import RDBKit

#if canImport(Glibc)
import Glibc
#endif

/// How verbs that talk to a server reach it: TLS files and time limits (redis-cli's names).
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PEM file of the certificate authorities that sign the server's certificate (rediss://).", valueName: "file"))
    var cacert: String?

    @Option(help: ArgumentHelp("PEM client certificate, for servers with tls-auth-clients.", valueName: "file"))
    var cert: String?

    /// Not `--key`: every verb that reads a dump takes `--key GLOB` as a filter.
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key of --cert.", valueName: "file"))
    var key: String?

    @Flag(help: "Do not check the server's certificate (the connection is still encrypted).")
    var insecure = false

    @Option(name: .customLong("sni"), help: ArgumentHelp("Server name to send and check instead of the URL's host.", valueName: "name"))
    var serverName: String?

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds to wait for the connection.", valueName: "seconds"))
    var connectTimeout: Double = 10

    @Option(help: ArgumentHelp("Seconds to wait for a reply before giving up.", valueName: "seconds"))
    var timeout: Double = 60

    /// The server's URL; without a password in it, REDISCLI_AUTH's value (as redis-cli reads it).
    func url(_ text: String) throws -> RedisURL {
        var url: RedisURL
        do {
            url = try RedisURL(parsing: text)
        } catch {
            throw ValidationError(error.description)
        }
        if url.password == nil, let password = getenv("REDISCLI_AUTH") { url.password = String(cString: password) }
        if !url.useTLS && (cacert != nil || cert != nil || key != nil || insecure) {
            throw ValidationError("--cacert, --cert, --tls-key and --insecure go with a rediss:// URL")
        }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --tls-key go together") }
        return url
    }

    var connectionOptions: ConnectionOptions {
        ConnectionOptions(tls: TLSOptions(caCertificate: cacert, certificate: cert, privateKey: key, insecure: insecure, serverName: serverName),
                          connectTimeout: connectTimeout, replyTimeout: timeout)
    }
}
