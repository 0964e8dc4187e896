/// Streams (t_stream.c, rdb.c): a radix tree of listpacks keyed by master id, then the stream's
/// own counters, then consumer groups; what each stream type adds to that is its `StreamLayout`.
extension RDBParser {
    func readStream(_ layout: StreamLayout, deliver: Bool) throws(RDBError) {
        let listpacks = try input.readLength()
        var liveEntries: UInt64 = 0
        for _ in 0..<listpacks {
            let masterAt = input.offset
            let master = try input.readStableString(into: pairScratch)
            guard case .bytes(let raw) = master, raw.count == 16 else {
                throw RDBError(.corrupt("stream node key is not a 16-byte id"), offset: masterAt)
            }
            let masterID = StreamID(raw: raw)
            liveEntries &+= try readStreamListpack(master: masterID, deliver: deliver)
        }
        let lengthAt = input.offset
        let length = try input.readLength()
        // rdb.c: the listpacks' live counts must sum to the stream's length.
        guard liveEntries == length else {
            throw RDBError(.corrupt("stream length \(length) does not match the \(liveEntries) live entries of its listpacks"),
                           offset: lengthAt)
        }
        let lastID = StreamID(ms: try input.readLength(), seq: try input.readLength())
        var metadata = StreamMetadata(length: length, lastID: lastID)
        if layout.hasCounters {
            metadata.firstID = StreamID(ms: try input.readLength(), seq: try input.readLength())
            metadata.maxDeletedID = StreamID(ms: try input.readLength(), seq: try input.readLength())
            metadata.entriesAdded = try input.readLength()
        }
        if deliver { try visitor.streamMetadata(metadata) }
        let groups = try input.readLength()
        for _ in 0..<groups {
            let group = try readStreamGroup(layout)
            if deliver { try visitor.streamGroup(group) }
        }
        if layout.hasIdmp {
            let idmp = try readStreamIdmp()
            if deliver { try visitor.streamIdmp(idmp) }
        }
    }

    /// The IDMP trailer (rdbLoadStreamIdmpEntries and the checks around it).
    private func readStreamIdmp() throws(RDBError) -> StreamIdmp {
        let durationAt = input.offset
        let duration = try input.readLength()
        guard StreamIdmp.durationRange.contains(duration) else {
            throw RDBError(.corrupt("stream IDMP duration \(duration) out of range \(StreamIdmp.durationRange)"), offset: durationAt)
        }
        let maxSizeAt = input.offset
        let maxSize = try input.readLength()
        guard StreamIdmp.maxSizeRange.contains(maxSize) else {
            throw RDBError(.corrupt("stream IDMP max entries \(maxSize) out of range \(StreamIdmp.maxSizeRange)"), offset: maxSizeAt)
        }
        let producerCount = try input.readLength()
        var producers: [StreamIdmp.Producer] = []
        var seen = Set<[UInt8]>()
        for _ in 0..<producerCount {
            let pidAt = input.offset
            let pid = try input.readString(lzfInto: valueScratch).array
            let count = try input.readLength()
            // The saver writes producers whose entries all expired with count 0; the loader skips them.
            guard count > 0 else { continue }
            guard seen.insert(pid).inserted else {
                throw RDBError(.corrupt("stream IDMP producer appears twice"), offset: pidAt)
            }
            var entries: [StreamIdmp.Entry] = []
            for _ in 0..<count {
                let iid = try input.readString(lzfInto: valueScratch).array
                let id = StreamID(ms: try input.readLength(), seq: try input.readLength())
                entries.append(StreamIdmp.Entry(iid: iid, id: id))
            }
            producers.append(StreamIdmp.Producer(pid: pid, entries: entries))
        }
        return StreamIdmp(duration: duration, maxSize: maxSize, producers: producers,
                          iidsAdded: try input.readLength(), iidsDuplicates: try input.readLength())
    }

    /// One listpack: a master entry (count, deleted, fields, 0), then entries relative to it:
    /// flags, ms-delta, seq-delta, [num-fields, field, value... | value...], lp-count.
    /// Returns the listpack's live entries.
    private func readStreamListpack(master: StreamID, deliver: Bool) throws(RDBError) -> UInt64 {
        // Local arrays: mutating a class's stored arrays per entry would be checked for exclusive
        // access each time. The storage goes back to the parser to be reused by the next listpack.
        var streamFields = streamFieldStorage
        var streamMasterFields = streamMasterFieldStorage
        streamFieldStorage = []
        streamMasterFieldStorage = []
        defer {
            streamFieldStorage = streamFields
            streamMasterFieldStorage = streamMasterFields
        }
        var cursor = try openContainer(ListpackReader.self)
        if deliver { try visitor.streamNode(listpackBytes: cursor.blob.count) }
        guard let first = try next(&cursor) else {
            throw RDBError(.corrupt("empty listpack inside a stream"), offset: cursor.offset)
        }
        // rdb.c: the first entry, the live count, must be a positive integer.
        guard let liveCount = first.asInt64(), liveCount > 0 else {
            throw RDBError(.corrupt("the master entry count is not a positive integer"), offset: cursor.offset)
        }
        let deletedCount = try streamInteger(&cursor, "the master deleted count")
        let masterFieldCount = try streamInteger(&cursor, "the master field count")
        guard masterFieldCount >= 0, masterFieldCount <= Int64(cursor.blob.count) else {
            throw RDBError(.corrupt("stream master entry has \(masterFieldCount) fields"), offset: cursor.offset)
        }
        streamMasterFields.removeAll(keepingCapacity: true)
        for _ in 0..<masterFieldCount {
            streamMasterFields.append(try nextRequired(&cursor, "a master field"))
        }
        guard try streamInteger(&cursor, "the master entry terminator") == 0 else {
            throw RDBError(.corrupt("stream master entry does not end with 0"), offset: cursor.offset)
        }
        var live: Int64 = 0
        var deleted: Int64 = 0
        while let flagsEntry = try next(&cursor) {
            guard let flags = flagsEntry.asInt64() else {
                throw RDBError(.corrupt("stream entry flags are not an integer"), offset: cursor.offset)
            }
            let msDelta = try streamInteger(&cursor, "an entry id")
            let seqDelta = try streamInteger(&cursor, "an entry id")
            let id = StreamID(ms: master.ms &+ UInt64(bitPattern: msDelta), seq: master.seq &+ UInt64(bitPattern: seqDelta))
            streamFields.removeAll(keepingCapacity: true)
            let fieldCount: Int64
            if flags & RDBEncodingConstants.STREAM_ITEM_FLAG_SAMEFIELDS != 0 {
                fieldCount = masterFieldCount
                for i in 0..<Int(fieldCount) {
                    streamFields.append(streamMasterFields[i])
                    streamFields.append(try nextRequired(&cursor, "a stream value"))
                }
            } else {
                fieldCount = try streamInteger(&cursor, "an entry field count")
                guard fieldCount >= 0, fieldCount <= Int64(cursor.blob.count) else {
                    throw RDBError(.corrupt("stream entry has \(fieldCount) fields"), offset: cursor.offset)
                }
                for _ in 0..<fieldCount {
                    streamFields.append(try nextRequired(&cursor, "a stream field"))
                    streamFields.append(try nextRequired(&cursor, "a stream value"))
                }
            }
            let lpCount = try streamInteger(&cursor, "an entry's lp-count")
            let expected = flags & RDBEncodingConstants.STREAM_ITEM_FLAG_SAMEFIELDS != 0 ? fieldCount + 3 : 2 * fieldCount + 4
            guard lpCount == expected else {
                throw RDBError(.corrupt("stream entry lp-count is \(lpCount), its entry has \(expected) items"),
                               offset: cursor.offset)
            }
            if flags & RDBEncodingConstants.STREAM_ITEM_FLAG_DELETED != 0 {
                deleted += 1
                continue
            }
            live += 1
            if deliver {
                try streamFields.withUnsafeBufferPointer { (fields) throws(RDBError) in
                    try visitor.streamEntry(id: id, fields: StreamEntryFields(storage: fields))
                }
            }
        }
        guard live == liveCount, deleted == deletedCount else {
            throw RDBError(.corrupt("stream listpack counts \(liveCount) live and \(deletedCount) deleted entries, holds \(live) and \(deleted)"),
                           offset: cursor.offset)
        }
        return UInt64(live)
    }

    private func streamInteger(_ cursor: inout Cursor<ListpackReader>, _ what: String) throws(RDBError) -> Int64 {
        guard let v = try nextRequired(&cursor, what).asInt64() else {
            throw RDBError(.corrupt("\(what) is not an integer"), offset: cursor.offset)
        }
        return v
    }

    private func readStreamGroup(_ layout: StreamLayout) throws(RDBError) -> StreamGroup {
        let name = try input.readString(lzfInto: valueScratch).array
        let lastDelivered = StreamID(ms: try input.readLength(), seq: try input.readLength())
        let entriesRead: UInt64? = layout.hasCounters ? try input.readLength() : nil
        let pelSize = try input.readLength()
        var pending: [StreamPendingEntry] = []
        var pendingIndex: [StreamID: Int] = [:]
        for _ in 0..<pelSize {
            let at = input.offset
            let id = StreamID(raw: try input.take(16))
            let deliveryTime = try input.readMillisecondTime()
            let deliveryCount = try input.readLength()
            guard pendingIndex.updateValue(pending.count, forKey: id) == nil else {
                throw RDBError(.corrupt("duplicated global PEL entry \(id) loading stream consumer group"), offset: at)
            }
            pending.append(StreamPendingEntry(id: id, consumer: nil, deliveryTimeMs: deliveryTime, deliveryCount: deliveryCount))
        }
        let consumerCount = try input.readLength()
        var consumers: [StreamConsumer] = []
        for _ in 0..<consumerCount {
            let consumerName = try input.readString(lzfInto: valueScratch).array
            let seen = try input.readMillisecondTime()
            let active: Int64? = layout.hasActiveTimes ? try input.readMillisecondTime() : nil
            let ownCount = try input.readLength()
            var own: [StreamID] = []
            for _ in 0..<ownCount {
                let at = input.offset
                let id = StreamID(raw: try input.take(16))
                guard let index = pendingIndex[id] else {
                    throw RDBError(.corrupt("consumer PEL entry \(id) is not in the group's PEL"), offset: at)
                }
                guard pending[index].consumer == nil else {
                    throw RDBError(.corrupt("PEL entry \(id) is owned by two consumers"), offset: at)
                }
                pending[index].consumer = consumerName
                own.append(id)
            }
            consumers.append(StreamConsumer(name: consumerName, seenTimeMs: seen, activeTimeMs: active, pending: own))
        }
        var nacked: [StreamID]?
        var inZone = Set<StreamID>()
        if layout.hasNackZones {
            let nackedCount = try input.readLength()
            var zone: [StreamID] = []
            for _ in 0..<nackedCount {
                let at = input.offset
                let id = StreamID(raw: try input.take(16))
                guard let index = pendingIndex[id] else {
                    throw RDBError(.corrupt("stream NACK zone entry \(id) not found in group global PEL"), offset: at)
                }
                guard pending[index].consumer == nil else {
                    throw RDBError(.corrupt("stream NACK zone entry \(id) has a consumer assigned"), offset: at)
                }
                guard inZone.insert(id).inserted else {
                    throw RDBError(.corrupt("stream NACK zone entry \(id) appears twice"), offset: at)
                }
                zone.append(id)
            }
            nacked = zone
        }
        for entry in pending where entry.consumer == nil && !inZone.contains(entry.id) {
            throw RDBError(.corrupt("stream CG PEL entry \(entry.id) without consumer outside NACK zone"), offset: input.offset)
        }
        return StreamGroup(name: name, lastDeliveredID: lastDelivered, entriesRead: entriesRead,
                           pending: pending, consumers: consumers, nacked: nacked)
    }
}
