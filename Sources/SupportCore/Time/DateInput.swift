import Foundation

/// Dates given on the command line, read in `zone` (the local zone, `TZ`) unless they carry
/// their own: `2026-11-01`, `2026-11-01T09:30`, `2026-11-01 09:30`, `2026-11-01T09:30:00Z`,
/// `2026-11-01T09:30:00+02:00`; the words `now`, `today`, `yesterday` and weekday names
/// (`monday` or `mon`: the most recent Monday before today, so on a Monday a week ago); or an
/// age: `30min`, `12h`, `3d`, `2w`, `1mo` (calendar months, the day of the month kept or the
/// month's last day), each that long before now.
public enum DateInput {
    public enum Bound { case start, end }

    /// What `--help` says a date may be.
    public static let help = "2026-11-01 (local time unless a zone is given, 2026-11-01T09:30Z), today, yesterday, monday (the last Monday before today), or an age: 30min, 12h, 3d, 2w, 1mo"

    /// `bound: .end` makes a day (`2026-11-01`, `today`, `monday`) mean the end of that day, so
    /// that `--until 2026-11-01` includes it.
    public static func parse(_ text: String, now: Date, bound: Bound = .start, field: String,
                             zone: LocalZone = .utc) throws(SupportError) -> Date {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let relative = relative(t.lowercased(), now: now, zone: zone) { return relative }
        if let day = day(t.lowercased(), now: now, zone: zone) {
            return zone.instant(wallMilliseconds: Int64(day + (bound == .end ? 1 : 0)) * 86_400_000)
        }
        // Strictly, by hand: DateFormatter took second 60 as the next minute.
        if let midnight = StrictTimestamp.day(t) {
            return zone.instant(wallMilliseconds: bound == .end ? midnight + 86_400_000 : midnight)
        }
        if let milliseconds = StrictTimestamp.milliseconds(t, form: .commandLine) {
            // Without a zone of its own, the wall clock is read in `zone`.
            if t.range(of: #"(Z|z|[+-]\d{2}:?\d{2})$"#, options: .regularExpression) == nil {
                return zone.instant(wallMilliseconds: milliseconds)
            }
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        // Shaped like a date but naming a day, hour, minute or second the calendar does not have
        // (2026-02-30, T25:00, :60): said so, rather than that it is not a date at all.
        if t.range(of: #"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"#, options: .regularExpression) != nil {
            throw .invalidInput(field: field, "\(field): '\(Validation.printable(text))' is not a real date or time")
        }
        throw .invalidInput(field: field, "\(field): '\(Validation.printable(text))' is not a date (use \(help))")
    }

    static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// `today`, `yesterday` or a weekday, as days since 1970 of that day in `zone`.
    private static func day(_ t: String, now: Date, zone: LocalZone) -> Int? {
        let wall = zone.civil(now)
        let today = CivilDate(year: wall.year, month: wall.month, day: wall.day).daysSince1970
        switch t {
        case "today": return today
        case "yesterday": return today - 1
        default:
            guard t.count >= 3, let weekday = weekdays.firstIndex(where: { $0 == t || ($0.hasPrefix(t) && t.count == 3) }) else { return nil }
            // 1970-01-01 was a Thursday (4).
            let todayWeekday = ((today % 7) + 7 + 4) % 7
            let back = (todayWeekday - weekday + 7) % 7
            return today - (back == 0 ? 7 : back)
        }
    }

    private static func relative(_ t: String, now: Date, zone: LocalZone) -> Date? {
        if t == "now" { return now }
        if t.hasSuffix("mo"), let n = count(t.dropLast(2)) {
            // Calendar months on the local wall clock: 31 March less 1mo is 28 (or 29) February.
            let wall = zone.civil(now)
            let months = wall.year * 12 + (wall.month - 1) - n
            let (year, month) = (months / 12, months % 12 + 1)
            guard year >= 1 else { return nil }
            var back = wall
            (back.year, back.month) = (year, month)
            back.day = min(wall.day, CivilDate.daysIn(month: month, year: year))
            return zone.instant(wallMilliseconds: Int64(back.millisecondsSince1970))
        }
        let units: [(String, Double)] = [("min", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        for (suffix, seconds) in units where t.hasSuffix(suffix) {
            guard let n = count(t.dropLast(suffix.count)) else { return nil }
            return now.addingTimeInterval(-Double(n) * seconds)
        }
        return nil
    }

    private static func count(_ digits: Substring) -> Int? {
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy(\.isASCIIDigit), let n = Int(digits), n >= 0 else { return nil }
        return n
    }
}
