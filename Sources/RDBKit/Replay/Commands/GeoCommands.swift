/// GEOADD and the geo commands that store (geo.c): GEORADIUS / GEORADIUSBYMEMBER with STORE or
/// STOREDIST, GEOSEARCHSTORE. Scores and searches come from `GeoIndex`, which follows Redis's
/// geohash cells, scan order and sorting exactly.
extension ReplayEngine {
    static let geoHandlers: [String: Handler] = [
        "geoadd": { e, a throws(CommandRefusal) in try e.geoadd(a) },
        "georadius": { e, a throws(CommandRefusal) in
            guard a.count >= 6 else { throw .syntax }
            let centre = (try argDouble(a[2]), try argDouble(a[3]))
            try e.geoStore(source: a[1], centre: centre, fromMember: nil, shape: [a[4]], unitArgument: a[5], options: Array(a.dropFirst(6)), destination: nil)
        },
        "georadiusbymember": { e, a throws(CommandRefusal) in
            guard a.count >= 5 else { throw .syntax }
            try e.geoStore(source: a[1], centre: nil, fromMember: a[2], shape: [a[3]], unitArgument: a[4], options: Array(a.dropFirst(5)), destination: nil)
        },
        "geosearchstore": { e, a throws(CommandRefusal) in try e.geosearchstore(a) },
    ]

    /// GEOADD key [NX|XX] [CH] longitude latitude member...: every position is checked before
    /// anything is added.
    private func geoadd(_ a: [Bytes]) throws(CommandRefusal) {
        var nx = false, xx = false
        var i = 2
        while i < a.count, ["nx", "xx", "ch"].contains(word(a[i])) {
            if word(a[i]) == "nx" { nx = true }
            if word(a[i]) == "xx" { xx = true }
            i += 1
        }
        guard !(nx && xx) else { throw CommandRefusal(reason: "XX and NX options at the same time are not compatible") }
        guard a.count > i, (a.count - i) % 3 == 0 else { throw .syntax }
        var pairs: [(Bytes, Double)] = []
        for at in stride(from: i, to: a.count, by: 3) {
            guard let score = GeoIndex.score(longitude: try argDouble(a[at]), latitude: try argDouble(a[at + 1])) else {
                throw CommandRefusal(reason: "invalid longitude,latitude pair")
            }
            pairs.append((a[at + 2], score))
        }
        try modifyZSet(a[1], create: !xx) { z throws(CommandRefusal) in
            for (member, score) in pairs {
                if z[member] != nil ? nx : xx { continue }
                z[member] = score
            }
        }
    }

    /// GEOSEARCHSTORE dest src FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit
    /// [ASC|DESC] [COUNT n [ANY]] [STOREDIST].
    private func geosearchstore(_ a: [Bytes]) throws(CommandRefusal) {
        var centre: (Double, Double)?, member: Bytes?, shape: [Bytes] = [], unit: Bytes?
        var rest: [Bytes] = []
        var i = 3
        while i < a.count {
            switch word(a[i]) {
            case "frommember" where i + 1 < a.count:
                member = a[i + 1]
                i += 2
            case "fromlonlat" where i + 2 < a.count:
                centre = (try argDouble(a[i + 1]), try argDouble(a[i + 2]))
                i += 3
            case "byradius" where i + 2 < a.count:
                shape = [a[i + 1]]
                unit = a[i + 2]
                i += 3
            case "bybox" where i + 3 < a.count:
                shape = [a[i + 1], a[i + 2]]
                unit = a[i + 3]
                i += 4
            default:
                rest.append(a[i])
                i += 1
            }
        }
        guard (centre == nil) != (member == nil), let unit, !shape.isEmpty else { throw .syntax }
        try geoStore(source: a[2], centre: centre, fromMember: member, shape: shape, unitArgument: unit, options: rest, destination: a[1])
    }

    /// georadiusGeneric with a store: the matches (ordered and limited as asked) replace the
    /// destination, as scores (STORE) or distances in the query's unit (STOREDIST); no match
    /// deletes it. Without a store the command only reads, and changes nothing.
    private func geoStore(source: Bytes, centre: (Double, Double)?, fromMember: Bytes?, shape sizes: [Bytes], unitArgument: Bytes,
                          options: [Bytes], destination: Bytes?) throws(CommandRefusal) {
        guard let unit = GeoIndex.meters(per: String(decoding: unitArgument, as: UTF8.self)) else {
            throw CommandRefusal(reason: "unsupported unit provided. please use M, KM, FT, MI")
        }
        var sizeValues: [Double] = []
        for size in sizes {
            let v = try argDouble(size)
            guard v >= 0 else { throw CommandRefusal(reason: "radius cannot be negative") }
            sizeValues.append(v)
        }
        var order = GeoIndex.Order.unsorted
        var count: Int?, any = false, storeDistances = false
        var storeKey = destination
        var i = 0
        while i < options.count {
            switch word(options[i]) {
            case "asc": order = .ascending
            case "desc": order = .descending
            case "any": any = true
            case "withcoord", "withdist", "withhash": break
            case "count" where i + 1 < options.count:
                let n = try argInteger(options[i + 1])
                guard n > 0 else { throw CommandRefusal(reason: "COUNT must be > 0") }
                count = Int(n)
                i += 1
            case "store" where destination == nil && i + 1 < options.count:
                storeKey = options[i + 1]
                i += 1
            case "storedist" where destination == nil && i + 1 < options.count:
                storeKey = options[i + 1]
                storeDistances = true
                i += 1
            case "storedist" where destination != nil:
                storeDistances = true
            default: throw .syntax
            }
            i += 1
        }
        if any && count == nil { throw CommandRefusal(reason: "the ANY argument requires COUNT argument") }
        guard let storeKey else { return }
        guard let members = try zset(source) else {
            _ = delete(storeKey)
            return
        }
        var at: (longitude: Double, latitude: Double)
        if let fromMember {
            guard let score = members[fromMember] else { throw CommandRefusal(reason: "could not decode requested zset member") }
            at = GeoIndex.position(score: score)
        } else {
            at = (centre!.0, centre!.1)
        }
        let shape: GeoIndex.Shape = sizeValues.count == 1 ? .radius(meters: sizeValues[0]) : .box(widthMeters: sizeValues[0], heightMeters: sizeValues[1])
        let matches = GeoIndex.search(members: sortedMembers(members), longitude: at.longitude, latitude: at.latitude,
                                      shape: shape, order: order, count: count, any: any, unit: unit)
        if matches.isEmpty {
            _ = delete(storeKey)
            return
        }
        var result: [Bytes: Double] = [:]
        for m in matches { result[m.member] = storeDistances ? m.distanceMeters / unit : m.score }
        store(storeKey, .zset(result))
    }
}
