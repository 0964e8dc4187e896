import Foundation
import XCTest
@testable import RDBKit

/// GeoIndex against a real Redis 7.0: GEOADD scores and GEOPOS positions bit for bit, and seeded
/// random GEOSEARCHSTORE / GEORADIUS ... STORE / GEORADIUSBYMEMBER ... STORE queries, destination
/// for destination, plus the same queries' plain replies to check order and COUNT ANY picks.
final class GeoIndexTests: XCTestCase {
    private static let latitudeMax = 85.05112878

    func testUnits() {
        XCTAssertEqual(GeoIndex.meters(per: "m"), 1)
        XCTAssertEqual(GeoIndex.meters(per: "KM"), 1000)
        XCTAssertEqual(GeoIndex.meters(per: "Ft"), 0.3048)
        XCTAssertEqual(GeoIndex.meters(per: "mI"), 1609.34)
        XCTAssertEqual(GeoIndex.meters(per: "km\u{0}junk"), 1000)
        XCTAssertNil(GeoIndex.meters(per: "cm"))
        XCTAssertNil(GeoIndex.meters(per: ""))
        XCTAssertNil(GeoIndex.meters(per: "kilometers"))
        XCTAssertNil(GeoIndex.meters(per: "\u{212A}m"), "the Kelvin sign folds to k in Unicode, not in strcasecmp")
    }

    func testRefusedInputsFindNothing() {
        let members: [(member: [UInt8], score: Double)] = [(Array("a".utf8), GeoIndex.score(longitude: 1, latitude: 1)!)]
        let everywhere = GeoIndex.Shape.radius(meters: .infinity)
        XCTAssertEqual(GeoIndex.search(members: members, longitude: 1, latitude: 1, shape: everywhere,
                                       order: .ascending, count: nil, any: false).count, 1)
        for (longitude, latitude) in [(181.0, 0.0), (0, 86), (.nan, 0), (0, -.infinity)] {
            XCTAssertTrue(GeoIndex.search(members: members, longitude: longitude, latitude: latitude, shape: everywhere,
                                          order: .unsorted, count: nil, any: false).isEmpty)
        }
        for shape in [GeoIndex.Shape.radius(meters: -1), .radius(meters: .nan), .box(widthMeters: 1, heightMeters: -1)] {
            XCTAssertTrue(GeoIndex.search(members: members, longitude: 1, latitude: 1, shape: shape,
                                          order: .unsorted, count: nil, any: false).isEmpty)
        }
        XCTAssertTrue(GeoIndex.search(members: members, longitude: 1, latitude: 1, shape: everywhere,
                                      order: .unsorted, count: nil, any: false, unit: -1).isEmpty)
    }

    func testScoresAndPositionsMatchTheServer() throws {
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        let latitudeMax = Self.latitudeMax
        var generator = SplitMix64(seed: 0x6E0)

        var positions: [(longitude: Double, latitude: Double)] = []
        let edgeLongitudes = [-180, 180, 0, -0.0, 1e-300, -1e-300, 179.99999999, -179.99999999, 180.0.nextDown, 90]
        let edgeLatitudes = [-latitudeMax, latitudeMax, 0, -0.0, 1e-300, latitudeMax.nextDown, (-latitudeMax).nextUp, 85, -85]
        for longitude in edgeLongitudes { for latitude in edgeLatitudes { positions.append((longitude, latitude)) } }
        while positions.count < 500 {
            var longitude = Double.random(in: -180...180, using: &generator)
            var latitude = Double.random(in: -latitudeMax...latitudeMax, using: &generator)
            if positions.count % 3 == 0 {
                // Positions as people type them, with few decimals.
                let scale = [1.0, 100, 1e6][positions.count % 9 / 3]
                longitude = (longitude * scale).rounded() / scale
                latitude = (latitude * scale).rounded() / scale
            }
            positions.append((longitude, latitude))
        }
        try server.pipe(positions.enumerated().map { index, p in
            [b("GEOADD"), b("geo"), b("\(p.longitude)"), b("\(p.latitude)"), b("p\(index)")]
        })

        let scores = try replies(server, positions.indices.map { "ZSCORE geo p\($0)" })
        for (index, p) in positions.enumerated() {
            let ours = try XCTUnwrap(GeoIndex.score(longitude: p.longitude, latitude: p.latitude), "\(p)")
            let theirs = try XCTUnwrap(Double(scores[index].first ?? ""), "ZSCORE of \(p): \(scores[index])")
            XCTAssertEqual(ours.bitPattern, theirs.bitPattern, "score of \(p): ours \(ours), server \(theirs)")
        }
        let stored = positions.indices.map { GeoIndex.score(longitude: positions[$0].longitude, latitude: positions[$0].latitude)! }
        try assertPositions(server, key: "geo", members: positions.indices.map { "p\($0)" }, scores: stored)

        // Scores no GEOADD writes still decode (GEOPOS, FROMMEMBER): negative, fractional, past 2^52,
        // past 2^63 and 2^64, infinite.
        let odd: [Double] = [-1, -0.0, 0.5, 1.5, 4_503_599_627_370_495.5, 4_503_599_627_370_496, 9_007_199_254_740_994,
                             1e19, 1.8446744073709552e19, 1e20, -9.223372036854775808e18, -9.3e18, -1e300, 1e300,
                             .infinity, -.infinity]
        try server.pipe(odd.enumerated().map { [b("ZADD"), b("odd"), b("\($1)"), b("o\($0)")] })
        try assertPositions(server, key: "odd", members: odd.indices.map { "o\($0)" }, scores: odd)

        // Just outside the limits, and what the float parser refuses: the server answers an error.
        let refused: [(Double, Double)] = [(180.00000001, 0), (-180.00000001, 0), (180.0.nextUp, 0), (0, latitudeMax.nextUp),
                                           (0, (-latitudeMax).nextDown), (0, 85.05112879), (0, -90), (1e300, 0),
                                           (.infinity, 0), (0, -.infinity), (.nan, 0)]
        let errors = try replies(server, refused.map { "GEOADD bad \($0.0) \($0.1) m" })
        for (index, p) in refused.enumerated() {
            XCTAssertNil(GeoIndex.score(longitude: p.0, latitude: p.1), "\(p)")
            XCTAssertTrue(errors[index].first?.hasPrefix("ERR") == true, "server accepted \(p): \(errors[index])")
        }
    }

    func testSearchesMatchTheServer() throws {
        guard let server = try RedisServerProcess() else { throw XCTSkip("redis-server is not installed") }
        defer { server.stop() }
        var generator = SplitMix64(seed: 0x6E05EA)

        // Clusters at different scales, on the limits and across the antimeridian, with members
        // sharing a position (equal distances, so COUNT cuts depend on Redis's sort).
        let clusters: [(longitude: Double, latitude: Double, spread: Double)] = [
            (13.361389, 38.115556, 2_000), (179.95, 10, 40_000), (0.0001, -0.0001, 300), (2.35, 84.9, 30_000),
            (-70, -84.99, 5_000), (120, 45, 300_000), (-179.999, -85.0511, 800), (-46.6, -23.5, 60_000),
        ]
        var points: [(name: String, longitude: Double, latitude: Double)] = []
        for (c, cluster) in clusters.enumerated() {
            var shared: (Double, Double)?
            for i in 0..<55 {
                var position: (Double, Double)
                if i < 3 {
                    position = (cluster.longitude, cluster.latitude)
                } else if i > 3, i < 8, let shared {
                    position = shared
                } else {
                    // Denser toward the centre, out to the cluster's spread.
                    let east = Double.random(in: -1...1, using: &generator) * cluster.spread
                    let north = Double.random(in: -1...1, using: &generator) * cluster.spread * Double.random(in: 0...1, using: &generator)
                    var longitude = cluster.longitude + east / GeoIndex.earthRadiusMeters / cos(cluster.latitude * .pi / 180) * 180 / .pi
                    let latitude = cluster.latitude + north / GeoIndex.earthRadiusMeters * 180 / .pi
                    if longitude > 180 { longitude -= 360 }
                    if longitude < -180 { longitude += 360 }
                    position = (longitude, min(max(latitude, -Self.latitudeMax), Self.latitudeMax))
                }
                if i == 3 { shared = position }
                points.append(("c\(c)m\(i)", position.0, position.1))
            }
        }
        points.append(("corner-ne", 180, Self.latitudeMax))
        points.append(("corner-sw", -180, -Self.latitudeMax))
        // "geo" is a skiplist, "small" (under 128 members) a listpack: both must scan alike.
        points.shuffle(using: &generator)
        // "grid" is evenly dense, so every cell the search keeps holds members and the order the
        // cells are scanned in shows. At 60° north a shape is wide enough in degrees for both the
        // east and west neighbours to be kept.
        var grid: [(name: String, longitude: Double, latitude: Double)] = []
        for i in 0..<400 {
            let longitude: Double = 30 + Double(i % 20) * 0.1 + Double.random(in: 0..<0.02, using: &generator)
            let latitude: Double = 60 + Double(i / 20) * 0.05 + Double.random(in: 0..<0.01, using: &generator)
            grid.append(("g\(i)", longitude, latitude))
        }
        let keys = ["geo": points, "small": Array(points.prefix(100)), "grid": grid]
        let areas = ["geo": clusters, "small": clusters, "grid": [(longitude: 31, latitude: 60.5, spread: 40_000.0)]]
        for (key, members) in keys {
            try server.pipe(members.map { [b("GEOADD"), b(key), b("\($0.longitude)"), b("\($0.latitude)"), b($0.name)] })
        }
        var zsets: [String: [(member: [UInt8], score: Double)]] = [:]
        for key in keys.keys {
            let lines = try replies(server, ["ZRANGE \(key) 0 -1 WITHSCORES"])[0]
            zsets[key] = stride(from: 0, to: lines.count - 1, by: 2).map { (b(lines[$0]), Double(lines[$0 + 1])!) }
            XCTAssertEqual(zsets[key]?.count, keys[key]?.count)
        }

        var queries = (0..<300).map { _ in randomQuery(&generator, keys: keys, areas: areas) }
        queries += edgeQueries()
        // One redis-cli for all: each query stores, reads the destination back, asks again without
        // storing for the order, and once more without order or COUNT for the scan order.
        var script: [String] = []
        for q in queries { script += [q.storing, "ZRANGE dest 0 -1 WITHSCORES", q.listing, q.scanning] }
        let answers = try replies(server, script)

        var several = 0, reachedCount = 0, total = 0, unitMatters = 0
        for (index, q) in queries.enumerated() {
            let zset = zsets[q.key]!
            let centre = q.fromMember.map { name in GeoIndex.position(score: zset.first { $0.member == b(name) }!.score) }
                ?? (longitude: q.longitude, latitude: q.latitude)
            let ours = GeoIndex.search(members: zset, longitude: centre.longitude, latitude: centre.latitude, shape: q.shape,
                                       order: q.order, count: q.count, any: q.any, unit: q.unit)
            let stored = answers[4 * index], destination = answers[4 * index + 1].filter { !$0.isEmpty }
            let listed = answers[4 * index + 2].filter { !$0.isEmpty }, scanned = answers[4 * index + 3].filter { !$0.isEmpty }
            XCTAssertEqual(stored, ["\(ours.count)"], q.storing)
            var theirs: [String: Double] = [:]
            for i in stride(from: 0, to: destination.count - 1, by: 2) { theirs[destination[i]] = Double(destination[i + 1]) }
            XCTAssertEqual(Set(theirs.keys), Set(ours.map { String(decoding: $0.member, as: UTF8.self) }), q.storing)
            for match in ours {
                let name = String(decoding: match.member, as: UTF8.self)
                let expected = q.storeDistance ? match.distanceMeters / q.unit : match.score
                XCTAssertEqual(theirs[name]?.bitPattern, expected.bitPattern,
                               "\(q.storing): \(name) server \(theirs[name] ?? .nan), ours \(expected)")
            }
            XCTAssertEqual(listed, ours.map { String(decoding: $0.member, as: UTF8.self) }, q.listing)
            let walk = GeoIndex.search(members: zset, longitude: centre.longitude, latitude: centre.latitude, shape: q.shape,
                                       order: .unsorted, count: nil, any: false, unit: q.unit)
            XCTAssertEqual(scanned, walk.map { String(decoding: $0.member, as: UTF8.self) }, q.scanning)

            // Converting a radius to meters first rounds exactly as Redis does; only BYBOX's cell
            // size estimate needs the unit kept apart.
            switch q.shape {
            case .radius(let radius):
                let inMeters = GeoIndex.search(members: zset, longitude: centre.longitude, latitude: centre.latitude,
                                               shape: .radius(meters: radius * q.unit), order: q.order, count: q.count, any: q.any)
                XCTAssertEqual(inMeters.map(\.member), ours.map(\.member))
            case .box(let width, let height):
                let inMeters = GeoIndex.search(members: zset, longitude: centre.longitude, latitude: centre.latitude,
                                               shape: .box(widthMeters: width * q.unit, heightMeters: height * q.unit),
                                               order: .unsorted, count: nil, any: false)
                if inMeters.map(\.member) != walk.map(\.member) { unitMatters += 1 }
            }
            if ours.count > 1 { several += 1 }
            if let count = q.count, count == ours.count { reachedCount += 1 }
            total += ours.count
        }
        // The queries must exercise something: most find several members, many hit their COUNT.
        XCTAssertGreaterThan(several, queries.count / 2, "too few queries found more than one member")
        XCTAssertGreaterThan(reachedCount, 15, "too few queries reached their COUNT")
        XCTAssertGreaterThan(unitMatters, 0, "no BYBOX query showed why search(unit:) keeps the unit apart")
        print("GeoIndexTests: \(queries.count) queries, \(several) with several matches, \(reachedCount) reaching their COUNT, \(total) matches, "
              + "\(unitMatters) BYBOX scans that converting to meters first would change")

        // Redis reads the unit with strcasecmp, so a NUL ends it.
        try server.pipe([[b("GEOSEARCHSTORE"), b("dest"), b("geo"), b("FROMLONLAT"), b("0"), b("0"), b("BYRADIUS"), b("1"), b("km\u{0}x")]])
    }

    // MARK: Queries

    private struct Query {
        var key: String
        var fromMember: String?
        var longitude = 0.0, latitude = 0.0
        var shape: GeoIndex.Shape
        var unit: Double
        var order: GeoIndex.Order
        var count: Int?
        var any: Bool
        var storeDistance: Bool
        /// The command storing into "dest", the same without storing, and that without order or COUNT.
        var storing = "", listing = "", scanning = ""
    }

    private enum Form { case search, radius, radiusByMember }

    /// The command texts of a query in one of the three forms.
    private func render(_ q: inout Query, form: Form, unitName: String) {
        var options: [String] = []
        switch q.order {
        case .unsorted: break
        case .ascending: options.append("ASC")
        case .descending: options.append("DESC")
        }
        if let count = q.count { options += ["COUNT", "\(count)"] + (q.any ? ["ANY"] : []) }
        let size: String
        switch q.shape {
        case .radius(let radius): size = "\(radius) \(unitName)"
        case .box(let width, let height): size = "\(width) \(height) \(unitName)"
        }
        let rest = options.joined(separator: " ")
        switch form {
        case .search:
            let from = q.fromMember.map { "FROMMEMBER \($0)" } ?? "FROMLONLAT \(q.longitude) \(q.latitude)"
            let by = if case .radius = q.shape { "BYRADIUS \(size)" } else { "BYBOX \(size)" }
            q.storing = "GEOSEARCHSTORE dest \(q.key) \(from) \(by) \(rest)" + (q.storeDistance ? " STOREDIST" : "")
            q.listing = "GEOSEARCH \(q.key) \(from) \(by) \(rest)"
            q.scanning = "GEOSEARCH \(q.key) \(from) \(by)"
        case .radius, .radiusByMember:
            let head = form == .radius ? "GEORADIUS \(q.key) \(q.longitude) \(q.latitude) \(size)"
                : "GEORADIUSBYMEMBER \(q.key) \(q.fromMember!) \(size)"
            q.storing = "\(head) \(rest) \(q.storeDistance ? "STOREDIST" : "STORE") dest"
            q.listing = "\(head) \(rest)"
            q.scanning = head
        }
    }

    private func randomQuery(_ generator: inout SplitMix64, keys: [String: [(name: String, longitude: Double, latitude: Double)]],
                             areas: [String: [(longitude: Double, latitude: Double, spread: Double)]]) -> Query {
        let key = ["geo", "geo", "geo", "small", "grid", "grid"].randomElement(using: &generator)!
        let clusters = areas[key]!
        let form = [Form.search, .search, .search, .search, .radius, .radiusByMember].randomElement(using: &generator)!
        let cluster = clusters.randomElement(using: &generator)!
        let units = [("m", 1.0), ("km", 1000), ("ft", 0.3048), ("mi", 1609.34), ("KM", 1000)]
        let (unitName, unit) = units.randomElement(using: &generator)!
        // Sizes from a twentieth of the cluster to three times it, sometimes rounded as typed.
        func size() -> Double {
            let meters = cluster.spread * exp(Double.random(in: log(0.05)...log(3), using: &generator))
            let inUnit = meters / unit
            return Bool.random(using: &generator) ? inUnit : (inUnit * 100).rounded() / 100
        }
        let box = form == .search && Bool.random(using: &generator)
        let shape = box ? GeoIndex.Shape.box(widthMeters: size(), heightMeters: size()) : .radius(meters: size())
        let count: Int? = Bool.random(using: &generator) ? Int.random(in: 1...40, using: &generator) : nil
        var q = Query(key: key, shape: shape, unit: unit,
                      order: [GeoIndex.Order.unsorted, .ascending, .descending].randomElement(using: &generator)!,
                      count: count, any: count != nil && Bool.random(using: &generator),
                      storeDistance: Bool.random(using: &generator))
        let byMember = form == .radiusByMember || (form == .search && Bool.random(using: &generator))
        if byMember {
            // A member of the same cluster, so the shape is around something.
            let candidates = keys[key]!.filter { abs($0.latitude - cluster.latitude) < 5 }
            q.fromMember = (candidates.isEmpty ? keys[key]! : candidates).randomElement(using: &generator)!.name
        } else {
            let jitter = cluster.spread / GeoIndex.earthRadiusMeters * 180 / .pi
            q.longitude = min(max(cluster.longitude + Double.random(in: -jitter...jitter, using: &generator), -180), 180)
            q.latitude = min(max(cluster.latitude + Double.random(in: -jitter...jitter, using: &generator), -Self.latitudeMax), Self.latitudeMax)
        }
        render(&q, form: form, unitName: unitName)
        return q
    }

    /// Centres on the limits, zero and unbounded sizes, and COUNT cuts among equal distances.
    private func edgeQueries() -> [Query] {
        var queries: [Query] = []
        func add(_ shape: GeoIndex.Shape, key: String = "geo", member: String? = nil, at centre: (Double, Double) = (0, 0),
                 unit: (String, Double) = ("m", 1), order: GeoIndex.Order = .unsorted, count: Int? = nil,
                 any: Bool = false, distances: Bool = false, form: Form = .search) {
            var q = Query(key: key, fromMember: member, longitude: centre.0, latitude: centre.1, shape: shape, unit: unit.1,
                          order: order, count: count, any: any, storeDistance: distances)
            render(&q, form: form, unitName: unit.0)
            queries.append(q)
        }
        let km = ("km", 1000.0), top = Self.latitudeMax
        add(.radius(meters: 0), member: "c0m0", distances: true)
        add(.box(widthMeters: 0, heightMeters: 0), member: "c0m0", order: .ascending, count: 2)
        add(.radius(meters: 1), member: "c0m4", order: .descending, count: 3, distances: true)
        add(.radius(meters: 400), member: "c5m0", unit: km, order: .ascending, count: 4, distances: true)
        add(.radius(meters: 700), member: "c5m5", unit: km, order: .descending, count: 9)
        add(.radius(meters: 100), at: (180, top), unit: km, distances: true)
        add(.box(widthMeters: 500, heightMeters: 500), at: (-180, -top), unit: km, order: .ascending)
        add(.radius(meters: 50), at: (180, 0), unit: km, form: .radius)
        add(.box(widthMeters: 200, heightMeters: 80), at: (-180, 10), unit: km, order: .descending, count: 7, any: true)
        add(.radius(meters: 3000), at: (0, top), unit: km)
        add(.radius(meters: 5), member: "corner-ne", unit: km, form: .radiusByMember)
        add(.radius(meters: 20000), at: (10, 10), unit: km, order: .ascending, count: 5)
        add(.radius(meters: .infinity), at: (10, 10), count: 30, any: true)
        add(.radius(meters: 1e9), at: (-120, -40), unit: km, order: .descending, count: 12)
        add(.box(widthMeters: 40000, heightMeters: 40000), key: "small", unit: km, order: .ascending, count: 11)
        add(.radius(meters: 200), member: "c2m0", order: .ascending, count: 1, any: true, distances: true)
        // Scaled by feet after the square root, this box's half-diagonal is one ulp under
        // MERCATOR_MAX / 2^9; scaled before, it is exactly that, and the cells are a step coarser.
        for centre in [(31.0, 60.5), (30.3, 60.2), (31.7, 60.8), (30.95, 60.45), (30.5, 60.9)] {
            add(.box(widthMeters: 252926.714098, heightMeters: 44428.14459311259), key: "grid", at: centre, unit: ("ft", 0.3048))
        }
        // Three members at the centre and five sharing another position: the cut splits the five.
        for (cluster, meters) in [(0, 3_000.0), (1, 60_000), (5, 500_000), (7, 90_000)] {
            add(.radius(meters: meters), member: "c\(cluster)m0", order: .ascending, count: 5)
            add(.box(widthMeters: meters * 2, heightMeters: meters * 2), member: "c\(cluster)m1", order: .ascending, count: 6,
                distances: true)
        }
        return queries
    }

    // MARK: Server access

    private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Checks GEOPOS of `members` against `GeoIndex.position` of their scores, as Redis prints it
    /// ("%.17Lf" without trailing zeros).
    private func assertPositions(_ server: RedisServerProcess, key: String, members: [String], scores: [Double]) throws {
        let printed = try replies(server, members.map { "GEOPOS \(key) \($0)" })
        for (index, score) in scores.enumerated() {
            let p = GeoIndex.position(score: score)
            XCTAssertEqual(printed[index], [human(p.longitude), human(p.latitude)], "GEOPOS of score \(score)")
        }
    }

    private func human(_ value: Double) -> String {
        var text = String(format: "%.17f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Runs `commands` (plain ASCII words) through one redis-cli and returns each one's reply
    /// lines, as redis-cli prints them when not on a terminal. The commands come from a file: fed
    /// through a pipe written before reading, large replies would fill both pipes and deadlock.
    private func replies(_ server: RedisServerProcess, _ commands: [String]) throws -> [[String]] {
        let marker = "--end-of-reply--"
        let script = server.directory.appendingPathComponent("commands-\(UUID().uuidString).txt")
        try Data(commands.map { "\($0)\nECHO \(marker)\n" }.joined().utf8).write(to: script)
        defer { try? FileManager.default.removeItem(at: script) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(RedisServerProcess.executable("redis-cli")))
        process.arguments = ["-p", "\(server.port)"]
        process.standardInput = try FileHandle(forReadingFrom: script)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var result: [[String]] = [], current: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == marker {
                result.append(current)
                current = []
            } else {
                current.append(String(line))
            }
        }
        XCTAssertEqual(result.count, commands.count, "redis-cli answered \(result.count) of \(commands.count) commands")
        return result + Array(repeating: [], count: max(0, commands.count - result.count))
    }
}
