/// Container elements longer than the reader's piece size: handed to the visitor's `long` events
/// as `StringValue`s read from the input in pieces, so a 100 MiB set member costs a piece of
/// memory. Elements that fit a piece take the usual path, untouched.
extension RDBParser {
    enum Element {
        case whole(RDBString)
        /// Pending in `stringPieces`; the parser calls `stringPieces.finish()` after the event.
        case long(StringValue)
        /// A long element for a visitor that does not read values (validation, a value copied as
        /// stored): consumed and checked, no event.
        case checked
    }

    /// An element string: whole as `readString` gives it, or long.
    @inline(__always)
    func readElement(lzfInto scratch: ScratchBuffer) throws(RDBError) -> Element {
        let at = input.offset
        let header = try input.readStringHeader()
        guard header.isLonger(than: stringPieces.pieceSize) else {
            return .whole(try input.readString(header, at: at, lzfInto: scratch))
        }
        let value = pendingString(header, at: at)
        guard wantsStringValues && !copying else {
            try stringPieces.finish()
            return .checked
        }
        return .long(value)
    }

    /// The string whose header was read at `at`, pending in `stringPieces` as a value.
    func pendingString(_ header: InputWindow.StringHeader, at: Int64) -> StringValue {
        switch header {
        case .plain(let count):
            stringPieces.expectPlain(count: count)
            return StringValue(count: count, pieces: stringPieces)
        case .lzf(let compressed, let expanded):
            stringPieces.expectLZF(compressed: compressed, expanded: expanded, at: at)
            return StringValue(count: expanded, pieces: stringPieces)
        case .int(let v):
            return StringValue(.int(v))
        }
    }

    /// An element that must stay readable past the reads after it (a sorted-set member before its
    /// score, a hash value before its expiry): a whole one is copied into `scratch`
    /// (`readStableString`); a long one is staged in a spill file.
    func readStableElement(into scratch: ScratchBuffer) throws(RDBError) -> Element {
        switch try readElement(lzfInto: scratch) {
        case .whole(let s):
            if case .bytes(let b) = s, b.baseAddress != UnsafeRawPointer(scratch.base) || b.count == 0 {
                scratch.set(b)
                return .whole(.bytes(scratch.bytes))
            }
            return .whole(s)
        case .checked:
            return .checked
        case .long(let value):
            elementSpill.discard()
            try value.forEachPiece { (piece) throws(RDBError) in try elementSpill.append(piece) }
            stringPieces.expectPlain(count: value.count, in: elementSpill.readBack())
            return .long(StringValue(count: value.count, pieces: stringPieces))
        }
    }
}

/// A listpack too long for a piece (a quicklist node or a set holding one huge element), walked as
/// a stream: its string is taken a piece at a time through `stringPieces` and each entry is checked
/// as `ListpackReader` checks it. An entry that fits a piece is handed over whole (decoded by
/// `ListpackReader` as a listpack of that one entry), a longer string entry in pieces.
extension RDBParser {
    /// Delivers each entry of the listpack string whose header comes next: a blob that fits a
    /// piece is read whole (the usual path), a longer one as a stream.
    @inline(__always)
    func forEachListpackEntry(_ body: (RDBString) throws(RDBError) -> Void,
                              long: (StringValue) throws(RDBError) -> Void) throws(RDBError) {
        let at = input.offset
        let header = try input.readStringHeader()
        guard header.isLonger(than: stringPieces.pieceSize) else {
            var cursor = try openContainer(ListpackReader.self, blob: try readBlob(header, at: at), at: at)
            while let e = try next(&cursor) { try body(e) }
            return
        }
        try walkStreamedListpack(header, at: at, body, long: long)
    }

    private func walkStreamedListpack(_ header: InputWindow.StringHeader, at: Int64,
                                      _ body: (RDBString) throws(RDBError) -> Void,
                                      long: (StringValue) throws(RDBError) -> Void) throws(RDBError) {
        let total: Int
        let compressed: Bool
        switch header {
        case .plain(let count):
            stringPieces.startPlain(count: count)
            (total, compressed) = (count, false)
        case .lzf(let c, let expanded):
            stringPieces.startLZF(compressed: c, expanded: expanded, at: at)
            (total, compressed) = (expanded, true)
        case .int:
            throw RDBError(.badEncoding("an integer where an encoded container was expected"), offset: at)
        }
        let dataAt = input.offset
        var position = 0
        func failure(_ error: ContainerError) -> RDBError {
            compressed
                ? RDBError(.corrupt(error.message), offset: at,
                           context: "in LZF-compressed container, at byte \(error.position) of its expanded form")
                : RDBError(.corrupt(error.message), offset: dataAt + Int64(error.position))
        }
        let head = try take(ListpackReader.LP_HDR_SIZE, from: 0, of: total, failure)
        let stated = Int(UInt32(littleEndian: head.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        guard stated == total else {
            throw failure(ContainerError("listpack header says \(stated) bytes, its string holds \(total)", at: 0))
        }
        let declared = Int(UInt16(littleEndian: head.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
        position = ListpackReader.LP_HDR_SIZE
        var entries = 0
        while true {
            let first = try take(1, from: position, of: total, failure)[0]
            if first == ListpackReader.LP_EOF {
                guard stringPieces.left == 0 else {
                    throw failure(ContainerError("listpack end marker before its last byte", at: position))
                }
                if declared != ListpackReader.LP_HDR_NUMELE_UNKNOWN && declared != entries {
                    throw failure(ContainerError("listpack header counts \(declared) entries, found \(entries)", at: position))
                }
                return try stringPieces.end()
            }
            // The entry's first bytes, then its size: what is left of it comes from the string.
            let prefixLength = ListpackReader.encodingPrefix(first)
            streamScratch.removeAll()
            streamScratch.append(first)
            if prefixLength > 1 { streamScratch.append(try take(prefixLength - 1, from: position + 1, of: total, failure)) }
            let size: Int, stringLength: Int
            do { (size, stringLength) = try ListpackReader.entrySize(streamScratch.bytes) } catch {
                throw failure(ContainerError(error.message, at: position))
            }
            let backlen = ListpackEntrySize.backlen(size)
            // Entries end before the terminator.
            guard size + backlen - prefixLength < stringPieces.left else {
                throw failure(ContainerError("listpack entry of \(size) bytes runs past the end of the listpack", at: position))
            }
            if stringLength > stringPieces.pieceSize {
                stringPieces.expectPart(count: stringLength)
                if wantsStringValues && !copying { try long(StringValue(count: stringLength, pieces: stringPieces)) }
                try stringPieces.finish()
                let tail = try take(backlen, from: position + size, of: total, failure)
                do { try ListpackReader.checkBacklen(tail, size: size, entryAt: position) } catch { throw failure(error) }
            } else {
                // The entry as a listpack of one: header, the entry, the terminator.
                let rest = size + backlen - prefixLength
                streamScratch.append(try take(rest, from: position + prefixLength, of: total, failure))
                try deliverEntry(streamScratch.bytes, at: position, failure, body)
            }
            position += size + backlen
            entries += 1
        }
    }

    /// `count` bytes of the streamed listpack (at `position` of its `total`), copied aside when the
    /// string gives them in parts.
    private func take(_ count: Int, from position: Int, of total: Int,
                      _ failure: (ContainerError) -> RDBError) throws(RDBError) -> UnsafeRawBufferPointer {
        guard count <= stringPieces.left else {
            throw failure(ContainerError(position == 0 ? "listpack of \(total) bytes is shorter than its header"
                                                         : "listpack does not end with 0xFF", at: position))
        }
        let first = try stringPieces.next(atMost: count)
        if first.count == count { return first }
        takeScratch.set(first)
        while takeScratch.count < count {
            takeScratch.append(try stringPieces.next(atMost: count - takeScratch.count))
        }
        return takeScratch.bytes
    }

    /// Decodes one entry's bytes (its encoding, data and backlen) as `ListpackReader` does.
    private func deliverEntry(_ entry: UnsafeRawBufferPointer, at position: Int, _ failure: (ContainerError) -> RDBError,
                              _ body: (RDBString) throws(RDBError) -> Void) throws(RDBError) {
        let one = entryScratch
        one.removeAll()
        let total = UInt32(ListpackReader.LP_HDR_SIZE + entry.count + 1)
        withUnsafeBytes(of: total.littleEndian) { one.append($0) }
        withUnsafeBytes(of: UInt16(1).littleEndian) { one.append($0) }
        one.append(entry)
        one.append(ListpackReader.LP_EOF)
        let value: RDBString?
        do {
            var reader = try ListpackReader(one.bytes)
            value = try reader.next()
        } catch {
            throw failure(ContainerError(error.message, at: position + error.position - ListpackReader.LP_HDR_SIZE))
        }
        try body(value!)
    }
}
