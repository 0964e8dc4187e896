/// A point in time as users write it on a command line: Unix seconds (`1764158400`) or an
/// ISO 8601 / RFC 3339 time (`2026-11-26T12:00:00Z`, `2026-11-26 13:00:00+01:00`, fractions of
/// a second allowed and dropped; a time without a zone is refused rather than guessed).
public enum UnixTime {
    /// Unix seconds for `text`, or nil when it is neither form.
    public static func seconds(from text: String) -> Int64? {
        if let seconds = Int64(text) { return seconds }
        let b = Array(text.utf8)
        func number(_ at: Int, _ digits: Int) -> Int64? {
            guard at + digits <= b.count else { return nil }
            var v: Int64 = 0
            for c in b[at..<(at + digits)] {
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            return v
        }
        func byte(_ at: Int, _ c: Character) -> Bool { at < b.count && b[at] == c.asciiValue! }
        guard let year = number(0, 4), byte(4, "-"), let month = number(5, 2), byte(7, "-"), let day = number(8, 2),
              byte(10, "T") || byte(10, "t") || byte(10, " "),
              let hour = number(11, 2), byte(13, ":"), let minute = number(14, 2), byte(16, ":"), let second = number(17, 2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 61 else { return nil }
        var at = 19
        if byte(at, ".") {
            at += 1
            let start = at
            while at < b.count && b[at] >= 0x30 && b[at] <= 0x39 { at += 1 }
            guard at > start else { return nil }
        }
        var offset: Int64 = 0
        if byte(at, "Z") || byte(at, "z") {
            at += 1
        } else if byte(at, "+") || byte(at, "-") {
            guard let h = number(at + 1, 2), byte(at + 3, ":"), let m = number(at + 4, 2), h < 24, m < 60 else { return nil }
            offset = (h * 3600 + m * 60) * (b[at] == UInt8(ascii: "+") ? 1 : -1)
            at += 6
        } else {
            return nil
        }
        guard at == b.count else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil (the inverse of the civil_from_days `isoTime` uses).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
