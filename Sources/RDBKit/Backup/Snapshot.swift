#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One consistent snapshot of a live server, taken the way a replica gets one.
public struct SnapshotOutcome: Sendable {
    public var path: String
    /// What the reader found while the bytes arrived (keys, types, checksum).
    public var report: ValidationReport
    public var payloadBytes: Int64
    public var fileBytes: Int64
    /// Sent without touching the master's disk (`$EOF:` framing).
    public var diskless: Bool
    /// When the master answered +FULLRESYNC: the moment the snapshot shows (the fork).
    public var takenAt: Int64
    public var start: ReplicaLink.Start
    public var server: String
    public var seconds: Double
}

public enum BackupSnapshot {
    /// `rdbkit backup` without --follow: connects as a replica with `rdb-only`, receives one
    /// snapshot into `directory/dump-<UTC time>.rdb[.gz]` and keeps it only if it validated.
    public static func take(url: RedisURL, options: ConnectionOptions, directory: String, gzip: Bool,
                            showProgress: Bool) throws(RDBError) -> SnapshotOutcome {
        try BackupDirectory.prepare(directory)
        let began = SystemClock.monotonicSeconds()
        let connection = try RedisConnection.connect(url, options: options)
        defer { connection.close() }
        let link = try ReplicaLink(connection: connection, snapshotOnly: true)
        let start = try link.synchronize()
        let takenAt = SystemClock.nowSeconds()
        let name = BackupDirectory.uniqueName(in: directory, stem: "dump-" + utcStamp(takenAt), suffix: gzip ? ".rdb.gz" : ".rdb")
        var outcome = try receive(link: link, start: start, to: directory + "/" + name, gzip: gzip, showProgress: showProgress)
        outcome.takenAt = takenAt
        outcome.seconds = SystemClock.monotonicSeconds() - began
        return outcome
    }

    /// Receives the snapshot that follows `start` into `path`, written under a temporary name
    /// and renamed only after the reader accepted every byte and the checksum.
    public static func receive(link: ReplicaLink, start: ReplicaLink.Start, to path: String, gzip: Bool,
                               showProgress: Bool) throws(RDBError) -> SnapshotOutcome {
        let began = SystemClock.monotonicSeconds()
        let framing = try link.snapshotFraming()
        let file = try Outputs(inputs: []).file(path)
        let compressor = gzip ? try GzipOutput(file: file) : nil
        let payload = SnapshotPayload(input: link.connection.input, framing: framing) { bytes throws(RDBError) in
            if let compressor { try compressor.write(bytes) } else { try file.write(bytes) }
        }
        let meter = showProgress ? ProgressMeter(label: "snapshot from \(link.connection.url.endpoint)", total: payload.knownSize) : nil
        if let meter { payload.onProgress = { meter.update($0) } }
        var options = ReaderOptions()
        options.isPreamble = true // stop at the checksum: what follows is the mark, then the stream
        let report = Validator.validate(source: payload, path: path, options: options)
        meter?.finish()
        do throws(RDBError) {
            if let error = report.error {
                throw RDBError(error.kind, offset: error.offset, key: error.key,
                               context: "snapshot from \(link.connection.url.endpoint)" + (error.context.map { ", " + $0 } ?? ""))
            }
            _ = try payload.finish()
            if let compressor { try compressor.commit() } else { try file.commit() }
        } catch {
            compressor?.abandon()
            file.abandon()
            throw error
        }
        let diskless: Bool
        if case .endMark = framing { diskless = true } else { diskless = false }
        return SnapshotOutcome(path: path, report: report, payloadBytes: payload.delivered,
                               fileBytes: compressor?.compressedBytes ?? payload.delivered, diskless: diskless,
                               takenAt: SystemClock.nowSeconds(), start: start, server: link.serverDescription,
                               seconds: SystemClock.monotonicSeconds() - began)
    }
}

/// A UTC time as it appears in backup names: 20261201T223700Z (sorts as it reads).
public func utcStamp(_ seconds: Int64) -> String {
    var t = time_t(seconds)
    var parts = tm()
    gmtime_r(&t, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
}
