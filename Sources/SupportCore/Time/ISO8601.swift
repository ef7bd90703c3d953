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
            guard b.count == 20 || b.count == 24, b[b.count - 1] == UInt8(ascii: "Z"),
                  var time = CivilTime.readDateTime(b, separator: UInt8(ascii: "T")), (1970...2105).contains(time.year)
            else { return nil }
            if b.count == 24 {
                guard b[19] == UInt8(ascii: "."), let ms = CivilTime.readDigits(b, 20, 3) else { return nil }
                time.millisecond = ms
            }
            return Int64(time.millisecondsSince1970)
        } ?? nil
    }

    /// The date of a millisecond, exactly as `snappedToMillisecond` makes it.
    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000 + 0.000_001)
    }
}
