import Foundation

/// Dates given on the command line: `2026-11-01`, `2026-11-01T09:30`, `2026-11-01T09:30:00Z`,
/// `2026-11-01T09:30:00+02:00`, or relative to now: `7d`, `12h`, `2w`, `30min`.
public enum DateInput {
    public enum Bound { case start, end }

    /// `bound: .end` makes a bare day mean the end of that day (so `--until 2026-11-01` includes it).
    public static func parse(_ text: String, now: Date, bound: Bound = .start, field: String) throws(SupportError) -> Date {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let relative = relative(t, now: now) { return relative }
        let utc = TimeZone(identifier: "UTC")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        let dayPattern = #"^(\d{4})-(\d{2})-(\d{2})$"#
        if t.range(of: dayPattern, options: .regularExpression) != nil {
            let parts = t.split(separator: "-").map { Int($0)! }
            var comps = DateComponents(year: parts[0], month: parts[1], day: parts[2])
            comps.timeZone = utc
            guard let day = calendar.date(from: comps), calendar.component(.day, from: day) == parts[2],
                  calendar.component(.month, from: day) == parts[1]
            else { throw .invalidInput(field: field, "\(field): '\(Validation.printable(text))' is not a real date") }
            return bound == .end ? day.addingTimeInterval(86_400) : day
        }
        let withZone = t.range(of: #"(Z|[+-]\d{2}:?\d{2})$"#, options: .regularExpression) != nil ? t : t + "Z"
        for format in ["yyyy-MM-dd'T'HH:mm:ss.SSSXXXXX", "yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mmXXXXX",
                       "yyyy-MM-dd HH:mm:ssXXXXX", "yyyy-MM-dd HH:mmXXXXX"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = utc
            formatter.isLenient = false
            formatter.dateFormat = format
            if let date = formatter.date(from: withZone) { return date }
        }
        throw .invalidInput(field: field, "\(field): '\(Validation.printable(text))' is not a date (use 2026-11-01, 2026-11-01T09:30Z, or 7d / 12h / 2w ago)")
    }

    private static func relative(_ t: String, now: Date) -> Date? {
        let units: [(String, Double)] = [("min", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        for (suffix, seconds) in units where t.hasSuffix(suffix) {
            let digits = t.dropLast(suffix.count)
            guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy(\.isASCIIDigit), let n = Int(digits), n >= 0 else { return nil }
            return now.addingTimeInterval(-Double(n) * seconds)
        }
        return nil
    }
}
