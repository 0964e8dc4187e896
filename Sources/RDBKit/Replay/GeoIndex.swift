#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Redis's geo commands over sorted-set scores (geo.c, geohash.c), exactly.
///
/// A replayed GEOADD score or GEORADIUS/GEOSEARCHSTORE destination must be bit-identical to what
/// Redis 7.0 wrote, so every computation below repeats Redis's operations in Redis's order with the
/// same libm functions. The search is approximate in ways results depend on (it scans only nine
/// geohash cells, which do not always cover the whole shape, and COUNT ANY keeps whatever the scan
/// meets first), so the cells, their order and the sort algorithms are Redis's too.
enum GeoIndex {
    /// GEO_LONG_MIN...GEO_LONG_MAX and GEO_LAT_MIN...GEO_LAT_MAX (geohash.h): the EPSG:900913
    /// limits; GEOADD and FROMLONLAT refuse positions outside them.
    static let longitudeLimits = -180.0...180.0
    static let latitudeLimits = -85.05112878...85.05112878
    /// GEO_STEP_MAX: scores hold 26 bits of longitude and 26 of latitude.
    private static let scoreStep: UInt8 = 26
    /// EARTH_RADIUS_IN_METERS (geohash_helper.c), the radius every distance uses.
    static let earthRadiusMeters = 6372797.560856
    private static let mercatorMax = 20037726.37
    /// D_R (geohash_helper.c), M_PI / 180.0 folded in double precision.
    private static let radiansPerDegree = Double.pi / 180.0

    // MARK: Scores and positions

    /// GEOADD's score for a position, or nil when it is outside the limits Redis accepts.
    static func score(longitude: Double, latitude: Double) -> Double? {
        guard let hash = encode(longitude: longitude, latitude: latitude, step: scoreStep) else { return nil }
        // geoaddCommand hands ZADD the 52-bit value as integer text (geohashAlign52Bits shifts by
        // nothing at step 26). Exactly on the east or north limit the cell index overflows into bit
        // 53 or 52, the value can need 54 bits, and ZADD's strtod rounds it as this conversion does.
        return Double(hash.bits)
    }

    /// The position a score decodes to (what GEOPOS returns): the centre of its step-26 cell,
    /// clamped to the limits (decodeGeohash, geohashDecodeAreaToLongLat).
    static func position(score: Double) -> (longitude: Double, latitude: Double) {
        centre(of: decode(Hash(bits: bitsOfScore(score), step: scoreStep)))
    }

    /// decodeGeohash's `(uint64_t)score`. C leaves scores that are negative, fractional or too
    /// large for 64 bits to the compiler; Redis builds for x86-64 (GCC) truncate toward zero, give
    /// 2^63 for NaN and for what does not fit a signed 64-bit integer, and 0 from 2^64 up. Such
    /// scores are reachable through ZADD followed by GEOPOS or FROMMEMBER.
    private static func bitsOfScore(_ score: Double) -> UInt64 {
        let twoTo63 = 9_223_372_036_854_775_808.0
        let outOfRange: UInt64 = 1 << 63
        if score >= twoTo63 {
            let lowered = score - twoTo63
            return (lowered < twoTo63 ? UInt64(lowered) : outOfRange) ^ outOfRange
        }
        guard !score.isNaN, score >= -twoTo63 else { return outOfRange }
        return UInt64(bitPattern: Int64(score.rounded(.towardZero)))
    }

    // MARK: Units

    /// extractUnitOrReply: meters per unit of GEORADIUS/GEOSEARCH, nil for units Redis refuses.
    /// Redis compares with strcasecmp, so case folds for ASCII letters only and anything after a
    /// NUL byte in the argument is ignored.
    ///
    /// Redis keeps the unit apart from the sizes: it multiplies radius, width and height by it
    /// where needed, and divides a stored distance by it (STOREDIST stores meters / unit). For
    /// finite sizes only one place rounds differently from converting them to meters first: BYBOX's
    /// cell-size estimate multiplies the half-diagonal by the unit after the square root, which
    /// can pick cells a step finer or coarser; `search(unit:)` takes the command's own numbers to
    /// reproduce that.
    static func meters(per unit: String) -> Double? {
        let folded = unit.utf8.prefix { $0 != 0 }.map { (65...90).contains($0) ? $0 + 32 : $0 }
        switch String(decoding: folded, as: UTF8.self) {
        case "m": return 1
        case "km": return 1000
        case "ft": return 0.3048
        case "mi": return 1609.34
        default: return nil
        }
    }

    // MARK: Search

    enum Shape { case radius(meters: Double), box(widthMeters: Double, heightMeters: Double) }
    enum Order { case unsorted, ascending, descending }
    struct Match { var member: [UInt8]; var score: Double; var distanceMeters: Double }

    /// The members of a zset (member, score) within `shape` around the centre, as GEOSEARCH finds
    /// them, ordered and limited as asked (count nil = all; any = COUNT n ANY) (georadiusGeneric).
    ///
    /// For FROMMEMBER and GEORADIUSBYMEMBER the centre is `position(score:)` of the member's score.
    /// `unit` is 1 when the shape's sizes are meters; otherwise they are in that unit (the numbers
    /// the command gave, with `meters(per:)` of its unit), which reproduces Redis's rounding even
    /// for BYBOX (see `meters(per:)`). Distances in the result are meters either way; STOREDIST
    /// stores `distanceMeters / unit`, STORE the original score. Inputs Redis refuses find
    /// nothing: a centre outside the limits, negative or NaN sizes, a unit that is not positive and
    /// finite. Redis also refuses a COUNT below 1 and ANY without COUNT; here they mean no COUNT.
    static func search(members: [(member: [UInt8], score: Double)], longitude: Double, latitude: Double,
                       shape: Shape, order: Order, count: Int?, any: Bool, unit: Double = 1) -> [Match] {
        let sizes: [Double]
        switch shape {
        case .radius(let radius): sizes = [radius]
        case .box(let width, let height): sizes = [width, height]
        }
        guard longitudeLimits.contains(longitude), latitudeLimits.contains(latitude),
              unit > 0, unit.isFinite, sizes.allSatisfy({ $0 >= 0 }),
              let cells = searchCells(longitude: longitude, latitude: latitude, shape: shape, unit: unit)
        else { return [] }

        // A zset is ordered by score, then by member bytes; NaN is a score no zset can hold.
        let zset = members.filter { !$0.score.isNaN }.sorted {
            $0.score != $1.score ? $0.score < $1.score : $0.member.lexicographicallyPrecedes($1.member)
        }
        let count = count.flatMap { $0 > 0 ? $0 : nil }
        let limit = any ? count ?? 0 : 0
        var found: [Found] = []

        // membersOfAllNeighbors. Huge shapes make neighbouring cells coincide; Redis skips a cell
        // equal to the one it scanned last, but index 0 doubles as its "none yet" marker, so a
        // cell is never compared with the centre.
        var lastScanned = 0
        for (index, cell) in cells.enumerated() {
            guard let cell else { continue }
            if lastScanned != 0, cells[lastScanned] == cell { continue }
            if limit > 0, found.count >= limit { break }
            scan(zset, cell: cell, centre: (longitude: longitude, latitude: latitude), shape: shape, unit: unit, limit: limit, into: &found)
            lastScanned = index
        }

        // COUNT without ANY wants the nearest n, so Redis sorts them even when no order was asked.
        let sortOrder = count != nil && order == .unsorted && !any ? .ascending : order
        let returned = min(count ?? found.count, found.count)
        if sortOrder != .unsorted {
            // sort_gp_asc / sort_gp_desc. Equal distances compare equal, so which of them come
            // first, and which survive a COUNT cut, is up to the exact sort algorithm.
            let sign = sortOrder == .ascending ? 1 : -1
            let compare: (Found, Found) -> Int = { a, b in
                sign * (a.distance > b.distance ? 1 : a.distance == b.distance ? 0 : -1)
            }
            if returned == found.count {
                mergeSort(&found, by: compare)
            } else {
                partialQuickSort(&found, start: 0, count: found.count, keep: 0...(returned - 1), by: compare)
            }
        }
        return found.prefix(returned).map {
            Match(member: zset[$0.entry].member, score: zset[$0.entry].score, distanceMeters: $0.distance)
        }
    }

    /// A geoPoint: an entry of the sorted zset and its distance from the centre in meters.
    private struct Found { var entry: Int; var distance: Double }

    /// geoGetPointsInRange over scoresOfGeoHashBox: the entries whose scores share the cell's
    /// prefix (min inclusive, max exclusive), in zset order, that lie within the shape. Redis
    /// stops as soon as `limit` (COUNT ANY) points are found, counting across cells.
    private static func scan(_ zset: [(member: [UInt8], score: Double)], cell: Hash, centre: (longitude: Double, latitude: Double),
                             shape: Shape, unit: Double, limit: Int, into found: inout [Found]) {
        // geohashAlign52Bits: the cell's bits as the top of a 52-bit score.
        let shift = 52 - 2 * Int(cell.step)
        let low = Double(cell.bits << shift), high = Double((cell.bits &+ 1) << shift)
        var lower = 0, upper = zset.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if zset[middle].score >= low { upper = middle } else { lower = middle + 1 }
        }
        var entry = lower
        while entry < zset.count, zset[entry].score < high {
            if let distance = distanceIfWithin(shape, unit: unit, centre: centre, score: zset[entry].score) {
                found.append(Found(entry: entry, distance: distance))
            }
            if limit > 0, found.count >= limit { return }
            entry += 1
        }
    }

    /// geoWithinShape: the distance from the centre to the position `score` decodes to, or nil
    /// when that position is outside the shape (geohashGetDistanceIfInRadiusWGS84,
    /// geohashGetDistanceIfInRectangle). The rectangle is judged by the north-south distance and
    /// the east-west distance along the point's own parallel, not by the bounding box.
    private static func distanceIfWithin(_ shape: Shape, unit: Double, centre: (longitude: Double, latitude: Double),
                                         score: Double) -> Double? {
        let point = position(score: score)
        switch shape {
        case .radius(let radius):
            let distance = self.distance(centre.longitude, centre.latitude, point.longitude, point.latitude)
            return distance > radius * unit ? nil : distance
        case .box(let width, let height):
            let widthMeters = width * unit, heightMeters = height * unit
            if latitudeDistance(point.latitude, centre.latitude) > heightMeters / 2 { return nil }
            if distance(point.longitude, point.latitude, centre.longitude, point.latitude) > widthMeters / 2 { return nil }
            return distance(centre.longitude, centre.latitude, point.longitude, point.latitude)
        }
    }

    /// geohashGetLatDistance: the meridian arc between two latitudes.
    private static func latitudeDistance(_ latitude1: Double, _ latitude2: Double) -> Double {
        earthRadiusMeters * abs(latitude2 * radiansPerDegree - latitude1 * radiansPerDegree)
    }

    /// geohashGetDistance: the haversine distance in meters. Argument order matters to the last
    /// bit, so callers pass them as Redis does.
    private static func distance(_ longitude1: Double, _ latitude1: Double, _ longitude2: Double, _ latitude2: Double) -> Double {
        let v = sin((longitude2 * radiansPerDegree - longitude1 * radiansPerDegree) / 2)
        // Redis's shortcut for points on one meridian, which also differs in the last bits.
        if v == 0 { return latitudeDistance(latitude1, latitude2) }
        let latitude1Radians = latitude1 * radiansPerDegree, latitude2Radians = latitude2 * radiansPerDegree
        let u = sin((latitude2Radians - latitude1Radians) / 2)
        let a = u * u + cos(latitude1Radians) * cos(latitude2Radians) * v * v
        // asin of a rounded a above 1 (near-antipodal points) is NaN, which Redis then counts as
        // inside every radius; this does the same.
        return 2.0 * earthRadiusMeters * asin(a.squareRoot())
    }

    // MARK: Cells to scan

    /// geohashCalculateAreasByShapeWGS84: the centre's cell and its eight neighbours, at a step
    /// estimated from the shape's size, in the order membersOfAllNeighbors scans them; nil for
    /// neighbours dropped as lying wholly beyond the shape's bounding box.
    private static func searchCells(longitude: Double, latitude: Double, shape: Shape, unit: Double) -> [Hash?]? {
        // geohashBoundingBox. Meridians converge, so the east-west half-width is converted to
        // degrees at the edge nearer the pole, where a meter spans the most longitude.
        let halfHeight: Double, halfWidth: Double, radiusMeters: Double
        switch shape {
        case .radius(let radius):
            (halfHeight, halfWidth) = (unit * radius, unit * radius)
            radiusMeters = radius * unit
        case .box(let width, let height):
            (halfHeight, halfWidth) = (unit * (height / 2), unit * (width / 2))
            // The distance from the centre to a corner, scaled by the unit only after the root.
            radiusMeters = ((width / 2) * (width / 2) + (height / 2) * (height / 2)).squareRoot() * unit
        }
        let latitudeDelta = halfHeight / earthRadiusMeters / radiansPerDegree
        let poleward = latitude < 0 ? latitude - latitudeDelta : latitude + latitudeDelta
        let longitudeDelta = halfWidth / earthRadiusMeters / cos(poleward * radiansPerDegree) / radiansPerDegree
        let west = longitude - longitudeDelta, east = longitude + longitudeDelta
        let south = latitude - latitudeDelta, north = latitude + latitudeDelta

        var step = estimatedStep(radiusMeters: radiusMeters, latitude: latitude)
        guard var hash = encode(longitude: longitude, latitude: latitude, step: step) else { return nil }
        // The estimate can leave the shape reaching past the neighbours when the centre lies near
        // its cell's edge; Redis then goes one step coarser, once.
        if step > 1,
           decode(neighbour(of: hash, .north)).latitude.max < north
            || decode(neighbour(of: hash, .south)).latitude.min > south
            || decode(neighbour(of: hash, .east)).longitude.max < east
            || decode(neighbour(of: hash, .west)).longitude.min > west {
            step -= 1
            guard let coarser = encode(longitude: longitude, latitude: latitude, step: step) else { return nil }
            hash = coarser
        }
        let area = decode(hash)
        return [hash] + Direction.scanOrder.map { direction -> Hash? in
            // Redis drops neighbours only from step 2 on.
            if step >= 2 {
                if direction.dy < 0 && area.latitude.min < south { return nil }
                if direction.dy > 0 && area.latitude.max > north { return nil }
                if direction.dx < 0 && area.longitude.min < west { return nil }
                if direction.dx > 0 && area.longitude.max > east { return nil }
            }
            return neighbour(of: hash, direction)
        }
    }

    /// geohashEstimateStepsByRadius: the finest step whose cells are two to four times the radius
    /// wide at the equator, a step or two coarser toward the poles, within 1...26.
    private static func estimatedStep(radiusMeters: Double, latitude: Double) -> UInt8 {
        if radiusMeters == 0 { return scoreStep }
        var range = radiusMeters, step = 1
        while range < mercatorMax {
            range *= 2
            step += 1
        }
        step -= 2
        if latitude > 66 || latitude < -66 {
            step -= 1
            if latitude > 80 || latitude < -80 { step -= 1 }
        }
        return UInt8(min(max(step, 1), Int(scoreStep)))
    }

    // MARK: Geohash cells (geohash.c)

    /// GeoHashBits: a cell index, `step` bits per coordinate, latitude in the even bits and
    /// longitude in the odd ones.
    private struct Hash: Equatable { var bits: UInt64; var step: UInt8 }

    /// GeoHashArea without the hash: a cell's edges in degrees.
    private struct Area { var longitude: (min: Double, max: Double); var latitude: (min: Double, max: Double) }

    /// geohashEncodeWGS84: the cell containing a position at `step`, nil outside the limits.
    private static func encode(longitude: Double, latitude: Double, step: UInt8) -> Hash? {
        guard longitudeLimits.contains(longitude), latitudeLimits.contains(latitude),
              (1...scoreStep).contains(step) else { return nil }
        let cells = Double(UInt64(1) << step)
        let latitudeOffset = (latitude - latitudeLimits.lowerBound)
            / (latitudeLimits.upperBound - latitudeLimits.lowerBound) * cells
        let longitudeOffset = (longitude - longitudeLimits.lowerBound)
            / (longitudeLimits.upperBound - longitudeLimits.lowerBound) * cells
        // Truncation to 32 bits, as interleave64's parameters do. An offset of exactly 1 (the
        // north or east limit) gives index 2^step, one past the last cell; Redis keeps it.
        return Hash(bits: spread(UInt32(latitudeOffset)) | spread(UInt32(longitudeOffset)) << 1, step: step)
    }

    /// geohashDecodeWGS84: the cell's edges. Redis refuses only the all-zero hash, which marks a
    /// dropped neighbour; those are nil here and never decoded.
    private static func decode(_ hash: Hash) -> Area {
        let latitudeIndex = gather(hash.bits), longitudeIndex = gather(hash.bits >> 1)
        let cells = Double(UInt64(1) << hash.step)
        let latitudeMin = latitudeLimits.lowerBound, latitudeScale = latitudeLimits.upperBound - latitudeMin
        let longitudeMin = longitudeLimits.lowerBound, longitudeScale = longitudeLimits.upperBound - longitudeMin
        // `index + 1` is 32-bit unsigned arithmetic in Redis: it wraps to 0 for an index of all
        // ones, which scores of -1 and the like decode to.
        return Area(
            longitude: (longitudeMin + Double(longitudeIndex) / cells * longitudeScale,
                        longitudeMin + Double(longitudeIndex &+ 1) / cells * longitudeScale),
            latitude: (latitudeMin + Double(latitudeIndex) / cells * latitudeScale,
                       latitudeMin + Double(latitudeIndex &+ 1) / cells * latitudeScale))
    }

    /// geohashDecodeAreaToLongLat: the middle of the area, clamped to the limits (indexes past the
    /// last cell would otherwise decode beyond them).
    private static func centre(of area: Area) -> (longitude: Double, latitude: Double) {
        func clamp(_ value: Double, _ limits: ClosedRange<Double>) -> Double {
            value > limits.upperBound ? limits.upperBound : value < limits.lowerBound ? limits.lowerBound : value
        }
        return (clamp((area.longitude.min + area.longitude.max) / 2, longitudeLimits),
                clamp((area.latitude.min + area.latitude.max) / 2, latitudeLimits))
    }

    /// The 32 bits of `value` moved to the even bit positions (interleave64's half).
    private static func spread(_ value: UInt32) -> UInt64 {
        var bits = UInt64(value)
        bits = (bits | bits << 16) & 0x0000_FFFF_0000_FFFF
        bits = (bits | bits << 8) & 0x00FF_00FF_00FF_00FF
        bits = (bits | bits << 4) & 0x0F0F_0F0F_0F0F_0F0F
        bits = (bits | bits << 2) & 0x3333_3333_3333_3333
        bits = (bits | bits << 1) & 0x5555_5555_5555_5555
        return bits
    }

    /// The even bits of `value` packed into 32 (deinterleave64's half).
    private static func gather(_ value: UInt64) -> UInt32 {
        var bits = value & 0x5555_5555_5555_5555
        bits = (bits | bits >> 1) & 0x3333_3333_3333_3333
        bits = (bits | bits >> 2) & 0x0F0F_0F0F_0F0F_0F0F
        bits = (bits | bits >> 4) & 0x00FF_00FF_00FF_00FF
        bits = (bits | bits >> 8) & 0x0000_FFFF_0000_FFFF
        bits = (bits | bits >> 16) & 0x0000_0000_FFFF_FFFF
        return UInt32(bits)
    }

    /// The neighbours of geohashNeighbors, as cell offsets (east and north positive).
    private struct Direction {
        var dx: Int, dy: Int
        static let north = Direction(dx: 0, dy: 1), south = Direction(dx: 0, dy: -1)
        static let east = Direction(dx: 1, dy: 0), west = Direction(dx: -1, dy: 0)
        /// membersOfAllNeighbors' order after the centre: N, S, E, W, NE, NW, SE, SW.
        static let scanOrder: [Direction] = [
            north, south, east, west,
            Direction(dx: 1, dy: 1), Direction(dx: -1, dy: 1), Direction(dx: 1, dy: -1), Direction(dx: -1, dy: -1),
        ]
    }

    private static func neighbour(of hash: Hash, _ direction: Direction) -> Hash {
        moved(moved(hash, by: direction.dx, longitude: true), by: direction.dy, longitude: false)
    }

    /// geohash_move_x / geohash_move_y: one cell along a coordinate, wrapping around the world.
    /// Only a coordinate that moves is masked to `step` bits, so an index one past the last cell
    /// (see `encode`) survives in the other coordinate.
    private static func moved(_ hash: Hash, by delta: Int, longitude: Bool) -> Hash {
        guard delta != 0 else { return hash }
        let own: UInt64 = longitude ? 0xAAAA_AAAA_AAAA_AAAA : 0x5555_5555_5555_5555
        let unused = UInt64(64 - 2 * Int(hash.step))
        // Ones in the other coordinate's bits let a carry or borrow ripple across them.
        let filler = ~own >> unused
        var coordinate = hash.bits & own
        coordinate = delta > 0 ? coordinate &+ (filler &+ 1) : (coordinate | filler) &- (filler &+ 1)
        coordinate &= own >> unused
        return Hash(bits: coordinate | hash.bits & ~own, step: hash.step)
    }

    // MARK: Redis's sorts

    /// glibc's qsort, which Redis uses when it keeps every result (msort.c up to glibc 2.36, the
    /// C library of Debian 12's Redis 7.0): a top-down merge sort splitting at n / 2 and taking
    /// from the left run unless it compares greater. Mirrored rather than any stable sort because
    /// NaN distances make the comparison inconsistent.
    private static func mergeSort<T>(_ items: inout [T], by compare: (T, T) -> Int) {
        var scratch = items
        mergeSort(&items, scratch: &scratch, start: 0, count: items.count, by: compare)
    }

    private static func mergeSort<T>(_ items: inout [T], scratch: inout [T], start: Int, count: Int,
                                     by compare: (T, T) -> Int) {
        guard count > 1 else { return }
        let leftCount = count / 2
        mergeSort(&items, scratch: &scratch, start: start, count: leftCount, by: compare)
        mergeSort(&items, scratch: &scratch, start: start + leftCount, count: count - leftCount, by: compare)
        var left = start, right = start + leftCount, out = start
        let leftEnd = right, rightEnd = start + count
        while left < leftEnd && right < rightEnd {
            if compare(items[left], items[right]) <= 0 {
                scratch[out] = items[left]
                left += 1
            } else {
                scratch[out] = items[right]
                right += 1
            }
            out += 1
        }
        while left < leftEnd {
            scratch[out] = items[left]
            left += 1
            out += 1
        }
        // What is left of the right run is already in place.
        for index in start..<out { items[index] = scratch[index] }
    }

    /// Redis's pqsort (pqsort.c), used when COUNT cuts the results: Bentley and McIlroy's
    /// quicksort that only sorts the parts overlapping `keep`. Which of several equally distant
    /// points survive the cut depends on its exact swaps, so this repeats them.
    private static func partialQuickSort<T>(_ items: inout [T], start: Int, count: Int, keep: ClosedRange<Int>,
                                            by compare: (T, T) -> Int) {
        var start = start, count = count
        while true {
            if count < 7 {
                for insert in stride(from: start + 1, to: start + count, by: 1) {
                    var slot = insert
                    while slot > start && compare(items[slot - 1], items[slot]) > 0 {
                        items.swapAt(slot, slot - 1)
                        slot -= 1
                    }
                }
                return
            }
            func median(_ a: Int, _ b: Int, _ c: Int) -> Int {
                compare(items[a], items[b]) < 0
                    ? (compare(items[b], items[c]) < 0 ? b : compare(items[a], items[c]) < 0 ? c : a)
                    : (compare(items[b], items[c]) > 0 ? b : compare(items[a], items[c]) < 0 ? a : c)
            }
            var pivot = start + count / 2
            if count > 7 {
                var first = start, last = start + count - 1
                if count > 40 {
                    let gap = count / 8
                    first = median(first, first + gap, first + 2 * gap)
                    pivot = median(pivot - gap, pivot, pivot + gap)
                    last = median(last - 2 * gap, last - gap, last)
                }
                pivot = median(first, pivot, last)
            }
            items.swapAt(start, pivot)
            // Elements equal to the pivot gather at both ends ([start+1, a) and (d, end)), the
            // smaller ones in [a, b), the larger in (c, d].
            var a = start + 1, b = start + 1, c = start + count - 1, d = start + count - 1
            while true {
                while b <= c {
                    let order = compare(items[b], items[start])
                    if order > 0 { break }
                    if order == 0 {
                        items.swapAt(a, b)
                        a += 1
                    }
                    b += 1
                }
                while b <= c {
                    let order = compare(items[c], items[start])
                    if order < 0 { break }
                    if order == 0 {
                        items.swapAt(c, d)
                        d -= 1
                    }
                    c -= 1
                }
                if b > c { break }
                items.swapAt(b, c)
                b += 1
                c -= 1
            }
            let end = start + count
            var run = min(a - start, b - a)
            for offset in 0..<run { items.swapAt(start + offset, b - run + offset) }
            run = min(d - c, end - d - 1)
            for offset in 0..<run { items.swapAt(b + offset, end - run + offset) }
            let overlapsKeep = { (from: Int, length: Int) in !(keep.upperBound < from || keep.lowerBound >= from + length) }
            let smaller = b - a
            if smaller > 1 && overlapsKeep(start, smaller) {
                partialQuickSort(&items, start: start, count: smaller, keep: keep, by: compare)
            }
            let larger = d - c
            guard larger > 1 && overlapsKeep(end - larger, larger) else { return }
            start = end - larger
            count = larger
        }
    }
}
