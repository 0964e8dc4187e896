/// For visitors that do not look at string values (validation), LZF-compressed values are checked
/// on a second core while the parse goes on: the check (does it expand to exactly the stated
/// length?) is as strict as decompressing in line; only its report comes later. The first failure,
/// by file offset, is raised at the end of the file or with any later error.
final class DeferredStringChecks {
    private var worker: BackgroundWorker?
    private let failure = UnsafeMutablePointer<Failure?>.allocate(capacity: 1)
    /// Checks are handed over in batches (one buffer of many strings): a hand-over per string
    /// would cost more in locking than the check itself. The batch is written straight into one
    /// of the worker's buffers, so the compressed bytes are copied once, out of the window.
    private let batch = UnsafeMutablePointer<Batch>.allocate(capacity: 1)
    /// Record: offset i64 | compressed u32 | expanded u32 | key length u32 | compressed bytes | key.
    private static let recordHeader = 20
    /// Buffers the worker has: one being checked while the next is filled is enough, as checking
    /// a MiB takes less time than reading one.
    private static let workerBuffers = 2

    private struct Failure {
        var offset: Int64
        var key: [UInt8]
        var compressedLength: Int
        var expandedLength: Int
    }

    private struct Batch {
        var buffer: UnsafeMutableRawPointer?
        var count = 0
    }

    init() {
        failure.initialize(to: nil)
        batch.initialize(to: Batch())
    }

    deinit {
        if let worker {
            if let held = batch.pointee.buffer { worker.submit(filled: held, count: 0) }
            worker.stop()
        }
        batch.deallocate()
        failure.deinitialize(count: 1)
        failure.deallocate()
    }

    /// Whether a compressed string of this size can be checked in the background.
    func accepts(compressedLength: Int, keyLength: Int) -> Bool {
        DeferredStringChecks.recordHeader + compressedLength + keyLength <= BackgroundWorker.bufferSize
    }

    /// Queues the check of one LZF string found at `offset`, read for `key`.
    func check(compressed: UnsafeRawBufferPointer, expandedLength: Int, key: UnsafeRawBufferPointer, offset: Int64) {
        let size = DeferredStringChecks.recordHeader + compressed.count + key.count
        if batch.pointee.count + size > BackgroundWorker.bufferSize { submitBatch() }
        let buffer = batch.pointee.buffer ?? startBatch()
        let record = buffer + batch.pointee.count
        record.storeBytes(of: offset, toByteOffset: 0, as: Int64.self)
        record.storeBytes(of: UInt32(compressed.count), toByteOffset: 8, as: UInt32.self)
        record.storeBytes(of: UInt32(expandedLength), toByteOffset: 12, as: UInt32.self)
        record.storeBytes(of: UInt32(key.count), toByteOffset: 16, as: UInt32.self)
        if compressed.count > 0 { (record + 20).copyMemory(from: compressed.baseAddress!, byteCount: compressed.count) }
        if key.count > 0 { (record + 20 + compressed.count).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        batch.pointee.count += size
    }

    private func startBatch() -> UnsafeMutableRawPointer {
        let buffer = (worker ?? startWorker()).acquire()
        batch.pointee = Batch(buffer: buffer, count: 0)
        return buffer
    }

    private func startWorker() -> BackgroundWorker {
        let failure = self.failure
        let output = ScratchBuffer(capacity: 64 * 1024)
        let started = BackgroundWorker(buffers: DeferredStringChecks.workerBuffers) { job in
            var at = 0
            while at < job.count, failure.pointee == nil {
                let record = job.buffer + at
                let offset = record.loadUnaligned(fromByteOffset: 0, as: Int64.self)
                let compressedLength = Int(record.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
                let expandedLength = Int(record.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
                let keyLength = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
                let input = UnsafeRawBufferPointer(start: record + 20, count: compressedLength)
                if !LZF.decompress(input, expectedLength: expandedLength, into: output) {
                    let key = UnsafeRawBufferPointer(start: record + 20 + compressedLength, count: keyLength)
                    failure.pointee = Failure(offset: offset, key: [UInt8](key),
                                              compressedLength: compressedLength, expandedLength: expandedLength)
                }
                at += 20 + compressedLength + keyLength
            }
            output.shrink(to: 1 << 20)
        }
        worker = started
        return started
    }

    private func submitBatch() {
        guard let worker, let buffer = batch.pointee.buffer else { return }
        worker.submit(filled: buffer, count: batch.pointee.count)
        batch.pointee = Batch()
    }

    /// Runs the queued checks to the end; returns the first failure as an error.
    func firstFailure() -> RDBError? {
        submitBatch()
        guard let worker else { return nil }
        worker.drain()
        guard let f = failure.pointee else { return nil }
        var error = RDBError.invalidLZF(f.compressedLength, f.expandedLength, at: f.offset)
        error.key = f.key
        error.context = "reading string value"
        return error
    }
}

extension RDBParser {
    /// A string value the visitor does not look at: plain bytes are skipped, LZF data is checked
    /// in the background (or here, when too large to hand over).
    func checkStringValue() throws(RDBError) {
        let at = input.offset
        switch try input.readStringHeader() {
        case .plain(let count):
            try input.skip(Int64(count))
        case .int:
            break
        case .lzf(let compressedLength, let expandedLength):
            if deferredChecks.accepts(compressedLength: compressedLength, keyLength: keyBuffer.count) {
                let compressed = try input.take(compressedLength)
                deferredChecks.check(compressed: compressed, expandedLength: expandedLength, key: keyBuffer.bytes, offset: at)
            } else if expandedLength <= stringPieces.pieceSize {
                guard LZF.decompress(try input.take(compressedLength), expectedLength: expandedLength, into: valueScratch) else {
                    throw RDBError.invalidLZF(compressedLength, expandedLength, at: at)
                }
            } else {
                // Too large to hold: expanded here, a piece at a time.
                stringPieces.expectLZF(compressed: compressedLength, expanded: expandedLength, at: at)
                try stringPieces.finish()
            }
        }
    }
}
