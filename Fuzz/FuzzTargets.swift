// libFuzzer entry point for every RDBKit parser. Built by Fuzz/run.sh together with the library
// sources as one module; the target is chosen by RDBKIT_FUZZ_TARGET (see Fuzz/README.md).
#if canImport(Glibc)
import Glibc
#endif

private final class DiscardingVisitor: RDBVisitor {}

private let target: String = {
    guard let name = getenv("RDBKIT_FUZZ_TARGET") else { return "rdb" }
    return String(cString: name)
}()

private func source(_ bytes: [UInt8]) -> ByteSource? {
    guard let empty = try? FileSource(path: "/dev/null") else { return nil }
    return PrefixedSource(prefix: bytes, rest: empty)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func rdbkitFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case "rdb":
        // The whole reader, both without and with every element delivered and rendered.
        if let s = source(bytes) { _ = try? RDBReader.read(source: s, visitor: DiscardingVisitor()) }
        if let s = source(bytes) {
            _ = try? RDBReader.read(source: s, visitor: JSONExporter(writer: JSONWriter(output: nil), format: .jsonl, withMeta: true))
        }
    case "listpack":
        bytes.withUnsafeBytes { raw in
            guard var reader = try? ListpackReader(raw) else { return }
            while let e = try? reader.next() { _ = e.array }
        }
    case "ziplist":
        bytes.withUnsafeBytes { raw in
            guard var reader = try? ZiplistReader(raw) else { return }
            while let e = try? reader.next() { _ = e.array }
        }
    case "intset":
        bytes.withUnsafeBytes { raw in
            guard var reader = try? IntsetReader(raw) else { return }
            while (try? reader.next()) != nil {}
        }
    case "zipmap":
        bytes.withUnsafeBytes { raw in
            guard var reader = try? ZipmapReader(raw) else { return }
            while (try? reader.next()) != nil {}
        }
    case "json":
        // The export schema read back, and written as RDB for a recent and an old target.
        for name in ["redis-7.4", "redis-3.2", "valkey-9"] {
            guard let s = source(bytes), let writer = try? RDBWriter(path: nil, target: RDBTarget.named(name)!) else { continue }
            let records = JSONImport(source: s)
            while let item = try? records.next() {
                if case .key(let record) = item { try? writer.write(record) }
            }
            _ = try? writer.finish()
        }
    default:
        fatalError("unknown RDBKIT_FUZZ_TARGET \(target)")
    }
    return 0
}
