/// The export schema's names, spelt here once: `JSONExporter` writes them, `JSONImport` reads
/// them, and `ExportRoundTripTests` holds both to the same shapes (every fixture exported,
/// imported, written and exported again gives the same bytes). The records (README.md, "Export
/// schema"):
///
/// - a key: `{"db","key","type","expire_at_ms"?,"idle"?,"freq"?,"metadata"?,"insert_index"?,
///   "value","field_expire_at_ms"?}` — `value` by type: a string; a list or set as a list; a zset as
///   `[member, score]` pairs; a hash as an object (or `[field, value]` pairs when a field is not
///   UTF-8); a stream as `{"entries","length","last_id","first_id"?,"max_deleted_id"?,
///   "entries_added"?,"groups","idmp"?}`; an array as `[index, element]` pairs; a module value as
///   `{"module","encver","payload"}`;
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

extension StaticString {
    /// The name's bytes, for comparing with bytes read back.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount) }
}
