import Foundation

/// ISO 8601 in UTC with milliseconds, the one date format of `--json` and messages.
public enum ISO8601 {
    public static func string(_ date: Date) -> String {
        snappedToMillisecond(date)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    /// `date` moved to its nearest millisecond, plus a microsecond. Both this format style and
    /// GRDB's storage text ("yyyy-MM-dd HH:mm:ss.SSS") cut what lies below the millisecond rather
    /// than round it, and a `Date` read back from "…:06.653" or parsed from "…:06.653Z" often lies
    /// a hair below .653: cut, it became .652. So `--json` printed stored times a millisecond
    /// early, and export → import → export did not give the same bytes.
    public static func snappedToMillisecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000 + 0.000_001)
    }
}
