/// Reads an ISO 8601 timestamp and refuses every impossible one, where Foundation's format styles
/// and `DateFormatter` normalised: `2026-02-30` became March 2, `T25:00` the next day, second
/// `:60` the next minute, junk after `Z` was ignored, and `23:59:59.9999Z` was rounded into the
/// next year (which then gave the ticket a number of that year).
///
/// `yyyy-MM-dd?HH:mm[:ss[.f…]][zone]`, `?` being `T` (or a space where `allowsSpace`), the zone
/// `Z`, `±HH:mm` or `±HHmm`. A fraction of any length is cut to the millisecond, never rounded up.
/// Every component is checked against the calendar: month 1–12, a day the month has, hour 0–23,
/// minute and second 0–59 (no leap second), offsets up to ±23:59; the UTC result must lie in
/// the years 1–9999. Integer arithmetic only, on at most four digits at a time: nothing here
/// can overflow.
enum StrictTimestamp {
    struct Form {
        var allowsSpace = false
        var requiresSeconds = true
        var requiresZone = true

        /// What an import file holds (what `--json` and `ticket export` print, and the lower-case
        /// `z` Foundation read before).
        static let importFile = Form()
        /// What people type after `--since` / `--until` (UTC when no zone is given).
        static let commandLine = Form(allowsSpace: true, requiresSeconds: false, requiresZone: false)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z, or nil when `text` is not such a timestamp.
    static func milliseconds(_ text: String, form: Form) -> Int64? {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { parse($0, form) } ?? nil
    }

    /// The first day of the calendar only (`yyyy-MM-dd` exactly), as milliseconds at its midnight UTC.
    static func day(_ text: String) -> Int64? {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { b -> Int64? in
            guard b.count == 10, let (year, month, day) = readDay(b), year >= 1 else { return nil }
            return Int64(CivilDate(year: year, month: month, day: day).daysSince1970) * 86_400_000
        } ?? nil
    }

    private static func readDay(_ b: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let year = CivilTime.readDigits(b, 0, 4), let month = CivilTime.readDigits(b, 5, 2), (1...12).contains(month),
              let day = CivilTime.readDigits(b, 8, 2), day >= 1, day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        return (year, month, day)
    }

    /// 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
    static let earliest: Int64 = Int64(CivilDate(year: 1, month: 1, day: 1).daysSince1970) * 86_400_000
    static let latest: Int64 = Int64(CivilDate(year: 10_000, month: 1, day: 1).daysSince1970) * 86_400_000 - 1

    private static func parse(_ b: UnsafeBufferPointer<UInt8>, _ form: Form) -> Int64? {
        guard b.count >= 16, let (year, month, day) = readDay(b),
              b[10] == UInt8(ascii: "T") || (form.allowsSpace && b[10] == UInt8(ascii: " ")),
              let hour = CivilTime.readDigits(b, 11, 2), hour < 24, b[13] == UInt8(ascii: ":"),
              let minute = CivilTime.readDigits(b, 14, 2), minute < 60
        else { return nil }
        var at = 16
        var second = 0, millisecond = 0
        if at < b.count, b[at] == UInt8(ascii: ":") {
            guard at + 3 <= b.count, let s = CivilTime.readDigits(b, at + 1, 2), s < 60 else { return nil }
            second = s
            at += 3
            if at < b.count, b[at] == UInt8(ascii: ".") {
                at += 1
                let start = at
                while at < b.count, b[at] &- UInt8(ascii: "0") < 10 {
                    // Cut, never rounded: .9999 stays in its second (and year).
                    if at - start < 3 { millisecond = millisecond * 10 + Int(b[at] - UInt8(ascii: "0")) }
                    at += 1
                }
                guard at > start else { return nil }
                for _ in (at - start)..<max(3, at - start) { millisecond *= 10 }
            }
        } else if form.requiresSeconds {
            return nil
        }
        var offsetMinutes = 0
        if at == b.count {
            guard !form.requiresZone else { return nil }
        } else if b[at] == UInt8(ascii: "Z") || b[at] == UInt8(ascii: "z") {
            at += 1
        } else if b[at] == UInt8(ascii: "+") || b[at] == UInt8(ascii: "-") {
            let sign = b[at] == UInt8(ascii: "-") ? -1 : 1
            at += 1
            guard at + 2 <= b.count, let hours = CivilTime.readDigits(b, at, 2), hours < 24 else { return nil }
            at += 2
            if at < b.count, b[at] == UInt8(ascii: ":") { at += 1 }
            guard at + 2 <= b.count, let minutes = CivilTime.readDigits(b, at, 2), minutes < 60 else { return nil }
            at += 2
            offsetMinutes = sign * (hours * 60 + minutes)
        } else {
            return nil
        }
        guard at == b.count else { return nil }
        let local = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                              millisecond: millisecond).millisecondsSince1970
        let utc = Int64(local - offsetMinutes * 60_000)
        guard (earliest...latest).contains(utc) else { return nil }
        return utc
    }
}
