/// The export schema's names, spelt here once: `JSONExporter` writes them, `JSONImport` reads
/// them, and `ExportRoundTripTests` holds both to the same shapes (every fixture exported,
/// imported, written and exported again gives the same bytes). The records (README.md, "Export
/// schema"):
///
/// - a key: `{"db","key","type","expire_at_ms"?,"idle"?,"freq"?,"metadata"?,"insert_index"?,
///   "value","field_expire_at_ms"?}`, `value` in its type's `ExportShape`;
/// - with `--with-meta`, file records `{"meta": kind, ...}` (see `ExportMeta`).
///
/// Binary strings are `{"base64": "..."}`. Computed, so each name is a literal where it is used.
public enum ExportField {
    public static var db: StaticString { "db" }
    public static var key: StaticString { "key" }
    public static var type: StaticString { "type" }
    public static var expireAtMs: StaticString { "expire_at_ms" }
    public static var idle: StaticString { "idle" }
    public static var freq: StaticString { "freq" }
    public static var value: StaticString { "value" }
    public static var fieldExpireAtMs: StaticString { "field_expire_at_ms" }
    public static var base64: StaticString { "base64" }
    public static var payload: StaticString { "payload" }

    // key metadata (RDB 13)
    public static var metadata: StaticString { "metadata" }
    public static var metadataClass: StaticString { "class" }
    public static var version: StaticString { "version" }
    public static var flags: StaticString { "flags" }

    // module values and aux data
    public static var module: StaticString { "module" }
    public static var encver: StaticString { "encver" }
    public static var when: StaticString { "when" }

    // arrays (RDB 14)
    public static var insertIndex: StaticString { "insert_index" }

    // streams
    public static var entries: StaticString { "entries" }
    public static var id: StaticString { "id" }
    public static var fields: StaticString { "fields" }
    public static var length: StaticString { "length" }
    public static var lastID: StaticString { "last_id" }
    public static var firstID: StaticString { "first_id" }
    public static var maxDeletedID: StaticString { "max_deleted_id" }
    public static var entriesAdded: StaticString { "entries_added" }
    public static var groups: StaticString { "groups" }
    public static var name: StaticString { "name" }
    public static var lastDeliveredID: StaticString { "last_delivered_id" }
    public static var entriesRead: StaticString { "entries_read" }
    public static var pending: StaticString { "pending" }
    public static var consumer: StaticString { "consumer" }
    public static var deliveryTimeMs: StaticString { "delivery_time_ms" }
    public static var deliveryCount: StaticString { "delivery_count" }
    public static var consumers: StaticString { "consumers" }
    public static var seenTimeMs: StaticString { "seen_time_ms" }
    public static var activeTimeMs: StaticString { "active_time_ms" }
    public static var nacked: StaticString { "nacked" }
    public static var idmp: StaticString { "idmp" }
    public static var duration: StaticString { "duration" }
    public static var maxSize: StaticString { "max_size" }
    public static var producers: StaticString { "producers" }
    public static var pid: StaticString { "pid" }
    public static var iid: StaticString { "iid" }
    public static var iidsAdded: StaticString { "iids_added" }
    public static var iidsDuplicates: StaticString { "iids_duplicates" }

    // file records (--with-meta)
    public static var meta: StaticString { "meta" }
    public static var magic: StaticString { "magic" }
    public static var family: StaticString { "family" }
    public static var keys: StaticString { "keys" }
    public static var expires: StaticString { "expires" }
    public static var slot: StaticString { "slot" }
    public static var code: StaticString { "code" }
    public static var job: StaticString { "job" }
    public static var ranges: StaticString { "ranges" }
}

/// The kinds of file record `--with-meta` adds (`{"meta": kind, ...}`): what the file says about
/// itself (`header`, `aux`, `resizedb`, `slot_info`, `slot_import`), and what a file carries
/// besides keys (`function`, `module_aux`), which the importer reads back.
public enum ExportMeta {
    public static var header: StaticString { "header" }
    public static var aux: StaticString { "aux" }
    public static var resizeDB: StaticString { "resizedb" }
    public static var slotInfo: StaticString { "slot_info" }
    public static var function: StaticString { "function" }
    public static var moduleAux: StaticString { "module_aux" }
    public static var slotImport: StaticString { "slot_import" }
}

/// How each type's `value` appears in an export, stated once: `JSONExporter` opens and closes
/// values by it, `JSONImport` reads them by it (and words its refusals with it). A type has no
/// export until its shape is stated here: `of` has no `default:`.
public enum ExportShape: Sendable, Equatable, CustomStringConvertible {
    /// A string: JSON text when it is UTF-8, else `{"base64": "..."}` (`ExportField.base64`).
    case string
    /// A list of strings: a list's elements in order, a set's members.
    case strings
    /// A list of two-element lists. An array's value follows its `insert_index`, which the
    /// array's header gives.
    case pairs(ExportPair)
    /// An object `{field: value}` when every field is UTF-8, else a list of `[field, value]`
    /// pairs; `field_expire_at_ms` takes the same form (`[field, ms]`).
    case fieldMap
    /// `{"entries","length","last_id","first_id"?,"max_deleted_id"?,"entries_added"?,"groups","idmp"?}`,
    /// each entry `{"id","fields"}` with its fields as `[field, value]` pairs.
    case stream
    /// `{"module","encver","payload"}`, the payload in base64.
    case module

    public static func of(_ type: RedisType) -> ExportShape {
        switch type {
        case .string: return .string
        case .list, .set: return .strings
        case .zset: return .pairs(.memberScore)
        case .array: return .pairs(.indexElement)
        case .hash: return .fieldMap
        case .stream: return .stream
        case .module: return .module
        }
    }

    public var description: String {
        switch self {
        case .string: return "a string"
        case .strings: return "a list of strings"
        case .pairs(let pair): return "a list of \(pair) pairs"
        case .fieldMap: return "an object, or a list of \(ExportPair.fieldValue) pairs"
        case .stream: return "a stream object"
        case .module: return "a module object"
        }
    }
}

/// The two-element lists of the schema, named as they read.
public enum ExportPair: String, Sendable, CustomStringConvertible {
    /// A zset member and its score: a JSON number, or a string for what JSON has no number for (`ExportScore`).
    case memberScore = "[member, score]"
    /// An array's index (a JSON integer) and its element.
    case indexElement = "[index, element]"
    /// A hash field (or a stream entry's) and its value, when a field is not UTF-8.
    case fieldValue = "[field, value]"
    /// A hash field and its expiry time in Unix ms.
    case fieldExpiry = "[field, ms]"

    public var description: String { rawValue }
}

/// Scores JSON has no number for, written as these strings and read back from them.
public enum ExportScore {
    /// The string for a score that is not finite.
    public static func name(_ d: Double) -> StaticString {
        d.isNaN ? "nan" : d < 0 ? "-inf" : "inf"
    }

    /// The score a string names, or nil.
    public static func value(named text: [UInt8]) -> Double? {
        for d in [Double.infinity, -.infinity] where name(d).bytes.elementsEqual(text) { return d }
        return name(.nan).bytes.elementsEqual(text) ? .nan : nil
    }
}

extension StaticString {
    /// The name's bytes, for comparing with bytes read back.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount) }
}
