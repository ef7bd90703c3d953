import Foundation

/// ISO 8601 in UTC with milliseconds, the one date format of `--json` and messages.
public enum ISO8601 {
    /// "2026-03-14T16:09:26.653Z", the date at its nearest millisecond (what the ISO 8601 format
    /// style printed for the snapped date, without building a format style per call).
    public static func string(_ date: Date) -> String {
        CivilTime(date).iso8601
    }

    /// `date` moved to its nearest millisecond, plus a microsecond. Both this format style and
    /// GRDB's storage text ("yyyy-MM-dd HH:mm:ss.SSS") cut what lies below the millisecond rather
    /// than round it, and a `Date` read back from "…:06.653" or parsed from "…:06.653Z" often lies
    /// a hair below .653: cut, it became .652. So `--json` printed stored times a millisecond
    /// early, and export → import → export did not give the same bytes.
    public static func snappedToMillisecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000 + 0.000_001)
    }

    /// The milliseconds since 1970 of `yyyy-MM-ddTHH:mm:ssZ` or `yyyy-MM-ddTHH:mm:ss.SSSZ` (the
    /// form `--json` prints), read by hand. Nil for any other form, an impossible date, or a
    /// year outside 1970–2105: callers then ask Foundation, so this only ever agrees with it.
    static func milliseconds(exactUTC text: String) -> Int64? {
        text.utf8.withContiguousStorageIfAvailable { b -> Int64? in
            guard b.count == 20 || b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
                  b[b.count - 1] == 0x5A
            else { return nil }
            func number(_ at: Int, _ digits: Int) -> Int? {
                var value = 0
                for i in at..<at + digits {
                    let digit = b[i] &- 0x30
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int(digit)
                }
                return value
            }
            var milliseconds = 0
            if b.count == 24 {
                guard b[19] == 0x2E, let ms = number(20, 3) else { return nil }
                milliseconds = ms
            }
            guard let year = number(0, 4), (1970...2105).contains(year),
                  let month = number(5, 2), (1...12).contains(month),
                  let day = number(8, 2), day >= 1, day <= CivilDate.daysIn(month: month, year: year),
                  let hour = number(11, 2), hour < 24, let minute = number(14, 2), minute < 60,
                  let second = number(17, 2), second < 60
            else { return nil }
            let days = CivilDate(year: year, month: month, day: day).daysSince1970
            return Int64(days) * 86_400_000 + Int64(((hour * 60 + minute) * 60 + second) * 1000 + milliseconds)
        } ?? nil
    }

    /// The date of a millisecond, exactly as `snappedToMillisecond` makes it.
    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000 + 0.000_001)
    }
}
