/// FUNCTION LOAD [REPLACE] / DELETE / FLUSH (functions.c): libraries by the name in their
/// `#!<engine> name=<name>` first line. The code is kept as given; it is not run.
extension ReplayEngine {
    static let functionHandlers: [String: Handler] = [
        "function": { e, a throws(CommandRefusal) in
            guard a.count >= 2 else { throw .syntax }
            switch word(a[1]) {
            case "load":
                guard a.count == 3 || a.count == 4 else { throw .syntax }
                let replace = a.count == 4
                if replace && word(a[2]) != "replace" { throw CommandRefusal(reason: "Unknown option given") }
                let code = a[a.count - 1]
                guard let name = libraryName(code) else { throw CommandRefusal(reason: "Missing library metadata") }
                if let at = e.keyspace.functions.firstIndex(where: { $0.name == name }) {
                    guard replace else { throw CommandRefusal(reason: "Library already exists") }
                    e.keyspace.functions[at].code = code
                } else {
                    e.keyspace.functions.append((name, code))
                }
            case "delete":
                guard a.count == 3 else { throw .syntax }
                guard e.keyspace.functions.contains(where: { $0.name == a[2] }) else { throw CommandRefusal(reason: "Library not found") }
                e.keyspace.functions.removeAll { $0.name == a[2] }
            case "flush":
                e.keyspace.functions = []
            case "restore":
                throw ReplayEngine.cannotReplay("FUNCTION RESTORE (a serialized function dump)")
            default:
                throw .syntax
            }
        },
    ]

    /// The `name=` of a library's shebang line (functionExtractLibMetaData).
    static func libraryName(_ code: Bytes) -> Bytes? {
        guard code.starts(with: text("#!")) else { return nil }
        let line = code.prefix { $0 != 0x0A }
        for token in line.split(separator: 0x20) where token.starts(with: text("name=")) {
            let name = Array(token.dropFirst(5))
            return name.isEmpty ? nil : name
        }
        return nil
    }
}
