#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The restore verb's work: a dump, an AOF or a backup folder loaded into a live server, or into
/// a Redis Cluster with one pipeline per primary, each on its own thread, keys routed by slot.
/// The source is read once, key by key, no faster than the slowest node answers.
public enum Restore {
    public static func run(source: String, url: RedisURL, options: RestoreOptions) throws(RDBError) -> RestoreSummary {
        let started = SystemClock.monotonicSeconds()
        let control = try RedisConnection.connect(url, options: options.connection)
        defer { control.close() }
        var fields = try control.info("server")
        fields.merge(try control.info("cluster")) { first, _ in first }
        guard let server = TargetServer(info: fields) else {
            throw RDBError(.io("\(url.endpoint): INFO server names no redis_version"))
        }
        let clustered = options.cluster ?? server.clusterEnabled
        let path = try resolve(source, until: options.until)
        let filtered = !(options.filter?.isEmpty ?? true)
        guard (clustered || filtered) && InputKind.of(path) == .aof else {
            return try load(path, into: control, server, clustered: clustered, url: url, options: options, started: started)
        }
        // A command's keys may lie in several slots (RENAME, SMOVE, SUNIONSTORE, a MULTI block):
        // no one node can apply it. A command has no type, expiry or size, and may read keys a
        // filter leaves out (SUNIONSTORE, RENAME): filters judge keys, not commands. So the AOF
        // is replayed offline into the dataset it makes (as merge does), and that dataset is
        // filtered and routed key by key.
        if options.resumePath != nil {
            let why = clustered ? "into a cluster" : "with filters"
            throw RDBError(.unreadable("--resume is not available for an AOF \(why): it is replayed into a temporary dump first, whose key order differs between runs"))
        }
        var replay = options.reader
        replay.showProgress = false
        return try ReplayedDataset.withDataset(path, now: options.nowMs, until: options.until, options: replay) { (dataset) throws(RDBError) in
            var summary = try load(dataset, into: control, server, clustered: clustered, url: url, options: options, started: started)
            summary.replayedFrom = path
            return summary
        }
    }

    /// Restores `path` (a dump, or an unfiltered AOF into one server) through one pipeline per node.
    private static func load(_ path: String, into control: RedisConnection, _ server: TargetServer, clustered: Bool,
                             url: RedisURL, options: RestoreOptions, started: Double) throws(RDBError) -> RestoreSummary {
        let isAOF = InputKind.of(path) == .aof
        var nodeURLs = [url]
        let topology = SharedTopology()
        if clustered {
            topology.value = try clusterTopology(control, url: url)
            nodeURLs = topology.value.primaries.map { endpoint in
                var node = url
                node.host = endpoint.host
                node.port = endpoint.port
                node.database = 0
                return node
            }
        }

        let targetName = url.redacted
        let resumed = try options.resumePath.flatMap { (p) throws(RDBError) in try ResumePoint.read(p) }
        if let resumed {
            let identity = ResumePoint.identity(of: path)
            guard resumed.source == path, resumed.sourceSize == identity.size, resumed.sourceModified == identity.modified else {
                throw RDBError(.unreadable("\(options.resumePath!) was written for \(resumed.source) as it was then; this source is not that file"))
            }
        }

        let planner = try RestorePlanner(target: server.rdbTarget, options: options, maximumBulk: try maximumBulk(control))
        if !isAOF && path != "-" {
            if !options.lossy { try refuseLosses(path, target: server.rdbTarget, options: options) }
            if !options.withoutModules { try refuseMissingModules(path, target: control, rdbTarget: server.rdbTarget, options: options) }
        }

        let tracker = RestoreTracker(resumedAt: resumed?.acknowledged ?? 0)
        var reader = options.reader
        reader.progressDetail = { tracker.progressText }
        let queues = nodeURLs.map { _ in ItemQueue(capacity: max(64, options.pipeline * 2)) }
        var threads: [WorkerThread] = []
        for (index, nodeURL) in nodeURLs.enumerated() {
            let queue = queues[index]
            let onMoved: ((ClusterRedirect) -> Void)? = clustered ? { topology.moved($0) } : nil
            threads.append(WorkerThread {
                let pipeline = NodePipeline(url: nodeURL, options: options, tracker: tracker, onMoved: onMoved)
                do throws(RDBError) {
                    while let item = queue.pop() { try pipeline.submit(item) }
                    try pipeline.finish()
                } catch {
                    tracker.stop(error)
                    for q in queues { q.abandon() }
                }
            })
        }

        var sequence = 0
        var lastResumeWrite = SystemClock.monotonicSeconds()
        func route(_ decision: RestorePlanner.Decision, _ n: Int) throws(RDBError) {
            guard case .send(var item) = decision else {
                if case .skip(let outcome) = decision { tracker.complete(n, outcome, item: nil) }
                return
            }
            if let resumed, n < resumed.sent { item.inDoubt = true }
            var node = 0
            if clustered {
                guard item.db == 0 else {
                    return tracker.complete(n, .failed("a cluster has database 0 only (--db-map \(item.db):0 moves it)"), item: item)
                }
                if case .function = item.body { return try loadEverywhere(item, nodeURLs, options, tracker) }
                node = topology.node(forSlot: ClusterSlot.of(item.key), among: nodeURLs) ?? -1
                guard node >= 0 else { return tracker.complete(n, .failed("no node serves slot \(ClusterSlot.of(item.key))"), item: item) }
            }
            if !queues[node].push(item) { throw tracker.stopped ?? RDBError(.io("the restore stopped")) }
            if let resumePath = options.resumePath, SystemClock.monotonicSeconds() - lastResumeWrite > 1 {
                lastResumeWrite = SystemClock.monotonicSeconds()
                let progress = tracker.progress
                try ResumePoint(source: path, target: targetName, acknowledged: progress.acknowledged, sent: progress.sent).write(to: resumePath)
            }
        }
        func next() -> Int? {
            defer { sequence += 1 }
            return sequence < (resumed?.acknowledged ?? 0) ? nil : sequence
        }

        // What the target cannot hold is judged before the key is sent: a refusal stops the
        // restore there, as a read error does.
        return try LossPolicy(lossy: options.lossy).write(planner, for: planner.target, checkingAsItGoes: { (losses) throws(RDBError) -> RestoreSummary in
            let collector = RecordCollector { (record) throws(RDBError) in
                guard let n = next() else { return }
                let decision = try planner.plan(record, sequence: n)
                try losses.pass()
                try route(decision, n)
            }
            collector.onFunction = { (code) throws(RDBError) in
                guard let n = next() else { return }
                let decision = try planner.plan(function: code, sequence: n)
                try losses.pass()
                try route(decision, n)
            }
            collector.onModuleAux = { (aux) throws(RDBError) in
                planner.moduleAux(aux)
                try losses.pass()
            }

            var readError: RDBError?
            do throws(RDBError) {
                if isAOF {
                    let aof = try AOFReader(path: path, options: reader, until: options.until)
                    var db = 0
                    // Unfiltered: a filtered AOF is replayed into a dump first (see `run`).
                    try aof.read(rdb: collector) { (command) throws(RDBError) in
                        if command.name == "select", command.arguments.count == 2, let n = Int(String(decoding: command.arguments[1], as: UTF8.self)) {
                            db = options.databaseMap[n] ?? n
                            return
                        }
                        guard let n = next() else { return }
                        try route(.send(RestoreItem(sequence: n, db: db, key: command.arguments.count > 1 ? command.arguments[1] : [],
                                                    body: .command(command.arguments))), n)
                    }
                } else {
                    try RDBReader.read(path: path, visitor: collector, filter: options.filter, options: reader)
                }
            } catch {
                readError = error
            }
            for q in queues { q.close() }
            for t in threads { t.join() }

            var summary = tracker.result
            summary.losses = planner.losses
            summary.seconds = SystemClock.monotonicSeconds() - started
            summary.nodes = nodeURLs.count
            summary.server = "\(server) at \(url.endpoint)" + (clustered ? " (cluster)" : "")
            if let stop = tracker.stopped ?? readError {
                let progress = tracker.progress
                var message = "\(stop.reason); stopped after \(progress.acknowledged) items of the source were done (\(summary.text))"
                if let resumePath = options.resumePath {
                    try ResumePoint(source: path, target: targetName, acknowledged: progress.acknowledged, sent: progress.sent).write(to: resumePath)
                    message += "; run again with --resume \(resumePath) to go on"
                } else {
                    message += "; --resume FILE keeps a resume point"
                }
                throw RDBError(.io(message), offset: stop.offset, key: stop.key, context: stop.context)
            }
            if let resumePath = options.resumePath { ResumePoint.remove(resumePath) }
            return summary
        })
    }

    /// A backup folder gives the restore point `backups` and `merge DIR` choose for `until` (a
    /// followed chain covering it, else the latest point before it; without `until` the newest);
    /// anything else is the source itself.
    static func resolve(_ source: String, until: Int64?) throws(RDBError) -> String {
        guard BackupCatalog.isBackupFolder(source) else { return source }
        return try BackupCatalog.restorePoint(in: source, until: until).point.path
    }

    /// `CONFIG GET proto-max-bulk-len`; Redis's default when CONFIG is not allowed.
    private static func maximumBulk(_ control: RedisConnection) throws(RDBError) -> Int {
        let reply = try control.reply(to: "CONFIG", "GET", "proto-max-bulk-len")
        guard let items = reply.elements, items.count == 2, let value = items[1].integerValue else {
            return RESPSyntax.maximumBulkLength
        }
        return Int(value)
    }

    private static func clusterTopology(_ control: RedisConnection, url: RedisURL) throws(RDBError) -> ClusterTopology {
        let shards = try control.reply(to: "CLUSTER", "SHARDS")
        let topology: ClusterTopology?
        if shards.errorMessage == nil {
            topology = ClusterTopology(shards: shards, defaultHost: url.host)
        } else {
            topology = ClusterTopology(slots: try control.call("CLUSTER", "SLOTS"), defaultHost: url.host)
        }
        guard let topology, !topology.primaries.isEmpty else {
            throw RDBError(.io("\(url.endpoint): the cluster's slot map could not be read"))
        }
        if topology.uncoveredSlots > 0 {
            throw RDBError(.io("\(url.endpoint): \(topology.uncoveredSlots) slots have no primary (is the cluster complete?)"))
        }
        return topology
    }

    /// A cluster's primaries each keep their own libraries: FUNCTION LOAD goes to every one.
    private static func loadEverywhere(_ item: RestoreItem, _ nodes: [RedisURL], _ options: RestoreOptions,
                                       _ tracker: RestoreTracker) throws(RDBError) {
        let pipelines = nodes.map { NodePipeline(url: $0, options: options, tracker: RestoreTracker(resumedAt: 0)) }
        for pipeline in pipelines {
            try pipeline.submit(item)
            try pipeline.finish()
        }
        tracker.complete(item.sequence, .restored, item: item)
    }

    /// Reads the source once without sending anything, and refuses it when the target cannot
    /// hold something in it (the loss policy), listing everything it would lose.
    private static func refuseLosses(_ path: String, target: RDBTarget, options: RestoreOptions) throws(RDBError) {
        var scan = options
        scan.reader.showProgress = false
        let planner = try RestorePlanner(target: target, options: scan, maximumBulk: Int.max)
        let probe = RecordCollector { (record) throws(RDBError) in _ = try planner.plan(record, sequence: 0) }
        probe.onFunction = { (code) throws(RDBError) in _ = try planner.plan(function: code, sequence: 0) }
        probe.onModuleAux = { (aux) throws(RDBError) in planner.moduleAux(aux) }
        guard try mayLose(path, target: target) else { return }
        try LossPolicy(lossy: false).write(planner, for: target) { () throws(RDBError) in
            try RDBReader.read(path: path, visitor: probe, filter: options.filter, options: scan.reader)
        }
    }

    /// A module value needs its module on the target. The source is read first (values other
    /// than modules skipped); each module type it holds is looked for on the target — none when
    /// `MODULE LIST` is empty, else by a probe: `RESTORE` of that type's first value under a
    /// name no key has, with an absolute expiry long past, which the server parses (a type it
    /// lacks is "Bad data format") and then drops without creating a key. Types the target
    /// lacks refuse the restore, named, before anything is sent.
    private static func refuseMissingModules(_ path: String, target: RedisConnection, rdbTarget: RDBTarget,
                                             options: RestoreOptions) throws(RDBError) {
        let list = try target.reply(to: "MODULE", "LIST")
        guard list.errorMessage == nil else { return }
        let scan = ModuleTypeScan()
        var reading = options.reader
        reading.showProgress = false
        try RDBReader.read(path: path, visitor: scan, filter: options.filter, options: reading)
        guard !scan.types.isEmpty else { return }
        let loaded = (list.elements ?? []).compactMap { module -> String? in
            let fields = module.elements ?? []
            return fields.firstIndex { $0.text == "name" }.flatMap { $0 + 1 < fields.count ? fields[$0 + 1].text : nil }
        }
        var missing: [ModuleTypeScan.Found] = []
        let writer = try RDBWriter(path: nil, target: rdbTarget)
        for found in scan.types {
            guard !loaded.isEmpty else {
                missing.append(found)
                continue
            }
            let payload = try writer.dumpPayload(for: KeyRecord(db: 0, key: found.firstKey, value: .module(found.value)))
            let probe = try target.reply(to: [RestoreItem.word("RESTORE"), RestoreItem.word("rdbkit:module-probe:\(UInt64.random(in: 0...UInt64.max))"),
                                              RestoreItem.word("1"), payload, RestoreItem.word("ABSTTL")])
            if probe.errorMessage?.hasPrefix("ERR Bad data format") == true { missing.append(found) }
        }
        guard !missing.isEmpty else { return }
        let names = missing.map { "\($0.value.typeID.name) (\($0.keys) key\($0.keys == 1 ? "" : "s"), first \(displayKey($0.firstKey)))" }
        let has = loaded.isEmpty ? "has no modules loaded" : "has no module for \(missing.count == 1 ? "it" : "them") (MODULE LIST: \(loaded.joined(separator: ", ")))"
        throw RDBError(.unreadable("the source holds module values of type \(names.joined(separator: ", ")), and \(target.url.endpoint) \(has): load the module there, or --without-modules to leave them out (counted as dropped)"))
    }

    /// Whether the source was written by a newer or other server than the target.
    private static func mayLose(_ path: String, target: RDBTarget) throws(RDBError) -> Bool {
        let probe = HeaderProbe()
        do throws(RDBError) {
            try RDBReader.read(path: path, visitor: probe)
        } catch {
            guard probe.header != nil else { throw error }
        }
        guard let header = probe.header else { return true }
        return header.family != target.family || header.version > target.version
    }
}

/// The module types of a source's values, in order of appearance, each with its first value;
/// other values are skipped.
private final class ModuleTypeScan: RDBVisitor {
    struct Found {
        var value: ModuleValue
        var keys: Int
        var firstKey: Bytes
    }
    var types: [Found] = []
    private var key: Bytes = []
    var wantsStringValues: Bool { false }

    func beginKey(_ info: KeyInfo, key: RDBString) throws(RDBError) -> KeyAction {
        guard info.type == .module else { return .skip }
        self.key = key.array
        return .read
    }

    func moduleValue(_ value: ModuleValue) throws(RDBError) {
        if let i = types.firstIndex(where: { $0.value.typeID.name == value.typeID.name }) {
            types[i].keys += 1
        } else {
            types.append(Found(value: value, keys: 1, firstKey: key))
        }
    }
}

/// Stops reading once the header is known.
private final class HeaderProbe: RDBVisitor {
    var header: RDBHeader?
    func header(_ header: RDBHeader) throws(RDBError) {
        self.header = header
        throw RDBError(.unreadable("header read"), offset: 0)
    }
}

/// The cluster's slot map, shared by the router and the pipelines (MOVED updates it).
final class SharedTopology: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    var value = ClusterTopology()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func moved(_ redirect: ClusterRedirect) {
        pthread_mutex_lock(&mutex)
        value.assign(redirect.slot...redirect.slot, to: redirect.endpoint)
        pthread_mutex_unlock(&mutex)
    }

    /// The index among `nodes` of the primary serving `slot`.
    func node(forSlot slot: Int, among nodes: [RedisURL]) -> Int? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard let primary = value.primary(forSlot: slot) else { return nil }
        let endpoint = value.primaries[primary]
        return nodes.firstIndex { $0.host == endpoint.host && $0.port == endpoint.port }
    }
}
