/// Reads an intset (intset.c): sorted, distinct integers of one width.
///
///     <encoding u32 LE: 2, 4 or 8> <length u32 LE> <length x intN LE, ascending>
public struct IntsetReader {
    private let blob: UnsafeRawBufferPointer
    private let width: Int
    public let count: Int
    private var index = 0
    private var previous: Int64 = .min

    public init(_ blob: UnsafeRawBufferPointer) throws(ContainerError) {
        guard blob.count >= 8 else {
            throw ContainerError("intset of \(blob.count) bytes is shorter than its header", at: 0)
        }
        width = Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        guard width == 2 || width == 4 || width == 8 else {
            throw ContainerError("intset encoding \(width) is not 2, 4 or 8", at: 0)
        }
        count = Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        guard blob.count - 8 == count * width else {
            throw ContainerError("intset header says \(count) integers of \(width) bytes, its string holds \(blob.count) bytes", at: 4)
        }
        self.blob = blob
    }

    @inline(__always)
    public mutating func next() throws(ContainerError) -> Int64? {
        guard index < count else { return nil }
        let at = 8 + index * width
        let v: Int64
        switch width {
        case 2: v = Int64(Int16(littleEndian: blob.loadUnaligned(fromByteOffset: at, as: Int16.self)))
        case 4: v = Int64(Int32(littleEndian: blob.loadUnaligned(fromByteOffset: at, as: Int32.self)))
        default: v = Int64(littleEndian: blob.loadUnaligned(fromByteOffset: at, as: Int64.self))
        }
        if index > 0 && v <= previous {
            throw ContainerError("intset is not sorted or has a duplicate (\(v) after \(previous))", at: at)
        }
        previous = v
        index += 1
        return v
    }
}

/// Builds an intset (intset.c): the values sorted and distinct, in the narrowest width that holds them.
public enum IntsetBuilder {
    public static func build(_ values: [Int64]) -> [UInt8] {
        let sorted = Array(Set(values)).sorted()
        let width: Int
        if sorted.allSatisfy({ $0 >= Int64(Int16.min) && $0 <= Int64(Int16.max) }) {
            width = 2
        } else if sorted.allSatisfy({ $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) }) {
            width = 4
        } else {
            width = 8
        }
        var out: [UInt8] = []
        out.reserveCapacity(8 + width * sorted.count)
        withUnsafeBytes(of: UInt32(width).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(sorted.count).littleEndian) { out.append(contentsOf: $0) }
        for v in sorted {
            switch width {
            case 2: withUnsafeBytes(of: Int16(v).littleEndian) { out.append(contentsOf: $0) }
            case 4: withUnsafeBytes(of: Int32(v).littleEndian) { out.append(contentsOf: $0) }
            default: withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }
}
