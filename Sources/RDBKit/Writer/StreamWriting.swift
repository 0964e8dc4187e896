/// Streams as t_stream.c lays them out: listpack nodes of at most stream-node-max-bytes /
/// -entries, each led by a master entry whose fields later entries reuse (SAMEFIELDS), ids stored
/// as deltas from the node's master id; then the stream's counters and its consumer groups.
extension RDBWriter {
    func writeStream(_ record: KeyRecord, _ stream: StreamValue) {
        let type = target.streamType
        let layout = type.streamLayout!
        begin(type, key: record.key)
        let nodes = streamNodes(stream.entries)
        out.length(nodes.count)
        for node in nodes {
            var id = [UInt8]()
            withUnsafeBytes(of: node.master.ms.bigEndian) { id += $0 }
            withUnsafeBytes(of: node.master.seq.bigEndian) { id += $0 }
            out.string(id)
            out.string(node.listpack)
        }
        let m = stream.metadata
        out.length(m.length)
        out.length(m.lastID.ms)
        out.length(m.lastID.seq)
        if layout.hasCounters {
            let first = m.firstID ?? stream.entries.first?.id ?? .zero
            out.length(first.ms)
            out.length(first.seq)
            let maxDeleted = m.maxDeletedID ?? .zero
            out.length(maxDeleted.ms)
            out.length(maxDeleted.seq)
            out.length(m.entriesAdded ?? m.length)
        } else if (m.maxDeletedID ?? .zero) != .zero || (m.entriesAdded ?? m.length) != m.length {
            lose(LossText.streamCounters,
                 db: record.db, key: record.key)
        }
        out.length(stream.groups.count)
        for var group in stream.groups {
            // A file before stream v2 has no group counters: a server loading it estimates each.
            let estimate = stream.estimatedEntriesRead(group.lastDeliveredID)
            if group.entriesRead == nil, layout.hasCounters { group.entriesRead = estimate }
            writeGroup(group, layout: layout, record: record, loaderEstimate: estimate)
        }
        writeIdmp(stream.idmp, record: record)
    }

    /// The IDMP trailer (rdbSaveStreamIdmpEntries) as the server holds it after loading (expired
    /// iids dropped, `StreamIdmp.live`); a stream that never had one gets the defaults a server
    /// gives it (XADD's duration and max size, no producers).
    private func writeIdmp(_ idmp: StreamIdmp?, record: KeyRecord) {
        guard target.hasStreamIdmp else {
            if let idmp, !idmp.isDefault {
                lose(LossText.idmp(idmp),
                     db: record.db, key: record.key)
            }
            return
        }
        let idmp = (idmp ?? StreamIdmp()).live(at: clockMs)
        out.length(idmp.duration)
        out.length(idmp.maxSize)
        out.length(idmp.producers.count)
        for producer in idmp.producers {
            out.string(producer.pid)
            out.length(producer.entries.count)
            for entry in producer.entries {
                out.string(entry.iid)
                out.length(entry.id.ms)
                out.length(entry.id.seq)
            }
        }
        out.length(idmp.iidsAdded)
        out.length(idmp.iidsDuplicates)
    }

    private func writeGroup(_ group: StreamGroup, layout: StreamLayout, record: KeyRecord, loaderEstimate: UInt64) {
        var group = group
        let nacked = group.nacked ?? []
        if !nacked.isEmpty && !target.hasNackZones {
            // A PEL entry no consumer owns is refused by older loaders: the NACKed entries go.
            let zone = Set(nacked)
            group.pending.removeAll { zone.contains($0.id) }
            lose(LossText.nacked(nacked.count, group: group.name),
                 db: record.db, key: record.key)
        }
        out.string(group.name)
        out.length(group.lastDeliveredID.ms)
        out.length(group.lastDeliveredID.seq)
        if layout.hasCounters {
            // SCG_INVALID_ENTRIES_READ (-1) when the source did not know it.
            out.length(group.entriesRead ?? StreamGroup.invalidEntriesRead)
        } else if let read = group.entriesRead, read != StreamGroup.invalidEntriesRead, read != loaderEstimate {
            // Nothing known, or what a loader estimates anyway: nothing lost.
            lose(LossText.entriesRead, db: record.db, key: record.key)
        }
        out.length(group.pending.count)
        for p in group.pending {
            rawID(p.id)
            out.millisecondTime(p.deliveryTimeMs)
            out.length(p.deliveryCount)
        }
        out.length(group.consumers.count)
        for c in group.consumers {
            out.string(c.name)
            out.millisecondTime(c.seenTimeMs)
            if layout.hasActiveTimes {
                out.millisecondTime(c.activeTimeMs ?? c.seenTimeMs)
            } else if let active = c.activeTimeMs, active != c.seenTimeMs {
                lose(LossText.consumerActiveTime, db: record.db, key: record.key)
            }
            out.length(c.pending.count)
            for id in c.pending { rawID(id) }
        }
        if layout.hasNackZones {
            out.length(nacked.count)
            for id in nacked { rawID(id) }
        }
    }

    private func rawID(_ id: StreamID) {
        out.uint64BE(id.ms)
        out.uint64BE(id.seq)
    }

    private func streamNodes(_ entries: [StreamValue.Entry]) -> [(master: StreamID, listpack: [UInt8])] {
        var nodes: [(master: StreamID, listpack: [UInt8])] = []
        var master = StreamID.zero
        var masterFields: [Bytes] = []
        var body = ListpackBuilder()
        var inNode = 0

        func close() {
            guard inNode > 0 else { return }
            var lp = ListpackBuilder()
            lp.append(Int64(inNode))  // count
            lp.append(Int64(0))  // deleted
            lp.append(Int64(masterFields.count))
            for f in masterFields { lp.append(f) }
            lp.append(Int64(0))  // master entry terminator
            lp.append(entriesOf: body)
            nodes.append((master, lp.finished()))
            body = ListpackBuilder()
            inNode = 0
        }

        for entry in entries {
            if inNode > 0 && (body.totalBytes >= target.thresholds.streamNodeMaxBytes || inNode >= target.thresholds.streamNodeMaxEntries) {
                close()
            }
            if inNode == 0 {
                master = entry.id
                masterFields = entry.fields.map(\.field)
            }
            let same = entry.fields.count == masterFields.count
                && zip(entry.fields, masterFields).allSatisfy { $0.field == $1 }
            body.append(same ? RDBEncodingConstants.STREAM_ITEM_FLAG_SAMEFIELDS : RDBEncodingConstants.STREAM_ITEM_FLAG_NONE)
            body.append(Int64(bitPattern: entry.id.ms &- master.ms))
            body.append(Int64(bitPattern: entry.id.seq &- master.seq))
            if same {
                for f in entry.fields { body.append(f.value) }
            } else {
                body.append(Int64(entry.fields.count))
                for f in entry.fields {
                    body.append(f.field)
                    body.append(f.value)
                }
            }
            body.append(Int64(same ? entry.fields.count + 3 : 2 * entry.fields.count + 4))  // lp-count
            inNode += 1
        }
        close()
        return nodes
    }
}

extension StreamValue {
    /// streamEstimateDistanceFromFirstEverEntry (t_stream.c), which rdbLoadObject uses for a group
    /// of a stream before v2: the entries read up to `id`, or SCG_INVALID_ENTRIES_READ when the
    /// stream cannot tell. The counters are the ones the writer writes.
    func estimatedEntriesRead(_ id: StreamID) -> UInt64 {
        let added = metadata.entriesAdded ?? metadata.length
        let maxDeleted = metadata.maxDeletedID ?? .zero
        let first = metadata.firstID ?? entries.first?.id ?? .zero
        if added == 0 { return 0 }
        if metadata.length == 0 && id <= metadata.lastID { return added }
        if id != .zero && id < maxDeleted { return StreamGroup.invalidEntriesRead }
        if id == metadata.lastID { return added }
        if id > metadata.lastID { return StreamGroup.invalidEntriesRead }
        if maxDeleted == .zero || maxDeleted < first {
            if id < first { return added - metadata.length }
            if id == first { return added - metadata.length + 1 }
        }
        return StreamGroup.invalidEntriesRead
    }
}

