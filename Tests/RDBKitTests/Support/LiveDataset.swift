/// A deterministic dataset crossing every encoding threshold of Redis 7.0's defaults, sent to a
/// live server through `redis-cli --pipe` (moved here from LiveServerTests for the backup tests).
enum LiveDataset {
    private static func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// A deterministic dataset crossing every encoding threshold of Redis 7.0's defaults.
    static func everyType() -> [[[UInt8]]] {
        var generator = SplitMix64(seed: 42)
        var c: [[[UInt8]]] = []
        let farFuture = 2_000_000_000_000  // 2033
        // Strings: integer encodings, raw, LZF-compressible, incompressible, binary, empty, 200 KB.
        for (k, v) in [("int:small", "7"), ("int:neg", "-12345"), ("int:big", "9223372036854775807"),
                       ("int:lead0", "007"), ("raw", "hello world"), ("empty", "")] {
            c.append([b("SET"), b(k), b(v)])
        }
        c.append([b("SET"), b("lzf"), [UInt8](repeating: UInt8(ascii: "a"), count: 500)])
        c.append([b("SET"), b("random"), (0..<300).map { _ in UInt8(truncatingIfNeeded: generator.next()) }])
        c.append([b("SET"), [0x00, 0xFF, 0xC3, 0x28, 0x0A], [0xFE, 0x00, 0x01]])
        c.append([b("SET"), b("big"), (0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) }])
        c.append([b("SET"), b("ttl:string"), b("x"), b("PXAT"), b("\(farFuture + 1)")])
        // Lists: listpack, quicklist with many nodes, PLAIN nodes.
        c.append([b("RPUSH"), b("list:small")] + (0..<10).map { b("e\($0)") } + [b("12"), b("-3")])
        c.append([b("RPUSH"), b("list:big")] + (0..<3000).map { b("element-\($0)-\(generator.next() % 1000)") })
        c.append([b("DEBUG"), b("QUICKLIST-PACKED-THRESHOLD"), b("100")])
        c.append([b("RPUSH"), b("list:plain"), [UInt8](repeating: 66, count: 500), b("small"), [UInt8](repeating: 67, count: 300)])
        c.append([b("DEBUG"), b("QUICKLIST-PACKED-THRESHOLD"), b("1073741824")])
        // Sets: intset 16/32/64, hashtable, large.
        c.append([b("SADD"), b("set:int16"), b("1"), b("-2"), b("300")])
        c.append([b("SADD"), b("set:int64"), b("1"), b("5000000000"), b("-9223372036854775808")])
        c.append([b("SADD"), b("set:strings"), b("a"), b("b"), b("c"), [0xFF, 0xFE]])
        c.append([b("SADD"), b("set:big")] + (0..<1000).map { b("member\($0)") })
        // Sorted sets: listpack, skiplist, special scores.
        c.append([b("ZADD"), b("zset:small"), b("1"), b("one"), b("2.5"), b("two.5"), b("-inf"), b("low"), b("+inf"), b("high"), b("0"), b("zero")])
        c.append([b("ZADD"), b("zset:big")] + (0..<300).flatMap { [b("\(Double($0) / 7)"), b("m\($0)")] })
        // Hashes: listpack, hashtable (many fields, and a long value), binary field names.
        c.append([b("HSET"), b("hash:small"), b("a"), b("1"), b("b"), b("two"), b("c"), b("")])
        c.append([b("HSET"), b("hash:big")] + (0..<600).flatMap { [b("field\($0)"), b("value\($0)")] })
        c.append([b("HSET"), b("hash:longvalue"), b("f"), [UInt8](repeating: 120, count: 100)])
        c.append([b("HSET"), b("hash:binary"), [0xFF, 0x00], b("v"), b("plain"), [0xC0]])
        // Streams: entries with same and different fields, deletions, groups, consumers, PEL.
        for i in 1...40 {
            let fields = i % 3 == 0 ? [b("temp"), b("\(i)"), b("extra"), b("x")] : [b("temp"), b("\(i)")]
            c.append([b("XADD"), b("stream"), b("1700000000000-\(i)")] + fields)
        }
        c.append([b("XDEL"), b("stream"), b("1700000000000-5"), b("1700000000000-6")])
        c.append([b("XGROUP"), b("CREATE"), b("stream"), b("g1"), b("0")])
        c.append([b("XGROUP"), b("CREATE"), b("stream"), b("g2"), b("$")])
        c.append([b("XREADGROUP"), b("GROUP"), b("g1"), b("alice"), b("COUNT"), b("3"), b("STREAMS"), b("stream"), b(">")])
        c.append([b("XREADGROUP"), b("GROUP"), b("g1"), b("bob"), b("COUNT"), b("2"), b("STREAMS"), b("stream"), b(">")])
        c.append([b("XACK"), b("stream"), b("g1"), b("1700000000000-1")])
        c.append([b("XGROUP"), b("CREATECONSUMER"), b("stream"), b("g2"), b("carol")])
        c.append([b("XADD"), b("stream:empty"), b("1-1"), b("f"), b("v")])
        c.append([b("XDEL"), b("stream:empty"), b("1-1")])
        // Expiries, other databases.
        c.append([b("HSET"), b("ttl:hash"), b("f"), b("v")])
        c.append([b("PEXPIREAT"), b("ttl:hash"), b("\(farFuture)")])
        c.append([b("SELECT"), b("3")])
        c.append([b("SET"), b("db3:key"), b("in db 3")])
        c.append([b("SELECT"), b("15")])
        c.append([b("RPUSH"), b("db15:list"), b("x")])
        return c
    }

    /// The dataset without what an older server refuses (DEBUG QUICKLIST-PACKED-THRESHOLD is 7.0+).
    static func everyType(forVersion major: Int) -> [[[UInt8]]] {
        everyType().filter { major >= 7 || $0.first != b("DEBUG") }
    }
}
