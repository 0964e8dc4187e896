// libFuzzer entry point for every RDBKit parser. Built by Fuzz/run.sh together with the library
// sources as one module; the target is chosen by RDBKIT_FUZZ_TARGET (see Fuzz/README.md). The
// parsers are driven by HostileInputProbe, which the crasher regression tests replay through too.
#if canImport(Glibc)
import Glibc
#endif

private let target: String = {
    guard let name = getenv("RDBKIT_FUZZ_TARGET") else { return "rdb" }
    return String(cString: name)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func rdbkitFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard HostileInputProbe.run(target: target, bytes: Array(UnsafeBufferPointer(start: data, count: size))) else {
        fatalError("unknown RDBKIT_FUZZ_TARGET \(target); known: \(HostileInputProbe.targets.joined(separator: ", "))")
    }
    return 0
}
