/// Binary-safe bytes: keys, values, members and fields are never `String`.
public typealias Bytes = [UInt8]
