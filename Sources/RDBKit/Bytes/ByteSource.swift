#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where input bytes come from: a file, standard input, or a decompressor in front of either.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int
    /// How many bytes this source produces in all, when that is known without reading them
    /// (a regular uncompressed file); lets lengths be checked before anything is allocated.
    var knownSize: Int64? { get }
}

/// A file descriptor read with plain `read(2)`: a regular file, a pipe, or standard input.
public final class FileSource: ByteSource {
    private let fd: Int32
    private let ownsDescriptor: Bool
    public let knownSize: Int64?
    private var bytesRead: Int64 = 0
    /// What a format sniff already read from this stream (see `peekPrefix`), served first.
    private var head: [UInt8] = []

    /// Opens `path` for reading; `-` means standard input.
    public init(path: String) throws(RDBError) {
        if let peeked = PeekedStreams.shared.take(path) {
            fd = peeked.fd
            ownsDescriptor = path != "-"
            head = peeked.head
        } else if path == "-" {
            fd = STDIN_FILENO
            ownsDescriptor = false
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw RDBError(.io("cannot open \(path): \(errnoText())"))
            }
            ownsDescriptor = true
        }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            knownSize = Int64(info.st_size)
            #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
            #endif
        } else {
            knownSize = nil
        }
    }

    /// Reads an already open descriptor from its current position; the caller keeps ownership.
    public init(borrowing descriptor: Int32) {
        fd = descriptor
        ownsDescriptor = false
        knownSize = nil
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int {
        if !head.isEmpty, buffer.count > 0 {
            let n = min(buffer.count, head.count)
            head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
            head.removeFirst(n)
            bytesRead += Int64(n)
            return n
        }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                bytesRead += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw RDBError(.io("read failed: \(errnoText())"), offset: bytesRead)
        }
    }
}

/// Bytes already read (to sniff the format) put back in front of the rest of a source.
public final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var prefixPosition = 0
    private let rest: ByteSource

    public init(prefix: [UInt8], rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    public var knownSize: Int64? { rest.knownSize }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int {
        if prefixPosition < prefix.count {
            let n = min(buffer.count, prefix.count - prefixPosition)
            prefix.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + prefixPosition, byteCount: n)
            }
            prefixPosition += n
            if prefixPosition == prefix.count { prefix = [] ; prefixPosition = Int.max }
            return n
        }
        return try rest.read(into: buffer)
    }
}

/// Reads `count` bytes from the front of `source` (fewer at its end).
func readPrefix(of source: ByteSource, count: Int) throws(RDBError) -> [UInt8] {
    var bytes: [UInt8]
    var filled = 0
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
    defer { buffer.deallocate() }
    while filled < count {
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
        if n == 0 { break }
        filled += n
    }
    bytes = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
    return bytes
}

/// The first `count` bytes of `path` (fewer at its end), without using them up: a regular file is
/// opened and closed again; a stream (standard input, a FIFO, a pipe or `<(…)`, a device) cannot be
/// read twice, so it stays open with the bytes read, and the next `FileSource` of that path
/// continues on the same descriptor, those bytes first. Nil when `path` cannot be read.
/// `waitForAll` false reads a stream at most once: fewer bytes, but no wait for ones not sent yet.
func peekPrefix(path: String, count: Int, waitForAll: Bool = true) -> [UInt8]? {
    PeekedStreams.shared.peek(path, count: count, waitForAll: waitForAll)
}

/// The first `limit` bytes of `path` as a source, read by `peekPrefix`: they stay for the reader
/// that opens the path next.
final class PeekingSource: ByteSource {
    private let path: String
    private let limit: Int
    private var offset = 0

    init(path: String, limit: Int) {
        self.path = path
        self.limit = limit
    }

    var knownSize: Int64? { nil }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RDBError) -> Int {
        let want = min(buffer.count, 4096, limit - offset)
        guard want > 0, let head = peekPrefix(path: path, count: offset + want, waitForAll: false), head.count > offset else { return 0 }
        let n = min(want, head.count - offset)
        head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
}

/// The streams a sniff has opened, by path, with the bytes it read.
final class PeekedStreams: @unchecked Sendable {
    static let shared = PeekedStreams()
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var streams: [String: (fd: Int32, head: [UInt8])] = [:]

    private init() { pthread_mutex_init(mutex, nil) }

    func take(_ path: String) -> (fd: Int32, head: [UInt8])? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return streams.removeValue(forKey: path)
    }

    func peek(_ path: String, count: Int, waitForAll: Bool) -> [UInt8]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if var stream = streams[path] {
            if stream.head.count < count {
                let source = FileSource(borrowing: stream.fd)
                if waitForAll {
                    stream.head += (try? readPrefix(of: source, count: count - stream.head.count)) ?? []
                } else {
                    var more = [UInt8](repeating: 0, count: count - stream.head.count)
                    let n = (try? more.withUnsafeMutableBytes { (raw) throws(RDBError) in try source.read(into: raw) }) ?? 0
                    stream.head += more.prefix(n)
                }
                streams[path] = stream
            }
            return Array(stream.head.prefix(count))
        }
        var info = stat()
        let isStream = path == "-" || (stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR)
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard isStream else {
            defer { close(fd) }
            return try? readPrefix(of: FileSource(borrowing: fd), count: count)
        }
        guard let head = try? readPrefix(of: FileSource(borrowing: fd), count: count) else { return nil }
        streams[path] = (fd, head)
        return head
    }
}

/// Opens a path (or `-` for standard input), unwrapping gzip, zstd and lz4 when the content
/// starts with their magic; xz and bzip2 are named and refused.
public func openInput(path: String) throws(RDBError) -> ByteSource {
    try uncompressed(try FileSource(path: path))
}

/// `source`, through the decompressor its first bytes name.
func uncompressed(_ source: ByteSource) throws(RDBError) -> ByteSource {
    let head = try readPrefix(of: source, count: 6)
    let rewound = PrefixedSource(prefix: head, rest: source)
    switch CompressionMagic(head) {
    case .gzip: return try GzipSource(compressed: rewound)
    case .zstd: return DecompressingSource(compressed: rewound, decoder: try ZstdDecoder())
    case .lz4: return DecompressingSource(compressed: rewound, decoder: try LZ4Decoder())
    case .refused(let name, let command):
        throw RDBError(.unreadable("\(name)-compressed input is not read; decompress it first (\(command))"), offset: 0)
    case nil: return rewound
    }
}

/// The compressions recognized by their first bytes.
enum CompressionMagic {
    case gzip, zstd, lz4
    case refused(name: String, command: String)

    init?(_ head: [UInt8]) {
        if head.starts(with: [0x1F, 0x8B]) { self = .gzip }
        else if head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { self = .zstd }
        else if head.starts(with: [0x04, 0x22, 0x4D, 0x18]) { self = .lz4 }
        else if head.starts(with: [0x02, 0x21, 0x4C, 0x18]) { self = .refused(name: "lz4 legacy-format", command: "lz4 -d") }
        else if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { self = .refused(name: "xz", command: "xz -dc FILE | rdbkit VERB -") }
        else if head.starts(with: Array("BZh".utf8)) { self = .refused(name: "bzip2", command: "bzip2 -dc FILE | rdbkit VERB -") }
        else { return nil }
    }
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
