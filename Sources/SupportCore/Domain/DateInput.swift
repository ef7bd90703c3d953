import Foundation

/// Dates given on the command line: `2026-11-01`, `2026-11-01T09:30`, `2026-11-01T09:30:00Z`,
/// `2026-11-01T09:30:00+02:00`, or relative to now: `7d`, `12h`, `2w`, `30min`.
public enum DateInput {
    public enum Bound { case start, end }

    /// `bound: .end` makes a bare day mean the end of that day (so `--until 2026-11-01` includes it).
    public static func parse(_ text: String, now: Date, bound: Bound = .start, field: String) throws(SupportError) -> Date {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let relative = relative(t, now: now) { return relative }
        // Strictly, by hand: DateFormatter took second 60 as the next minute.
        if let midnight = StrictTimestamp.day(t) {
            return Date(timeIntervalSince1970: Double(bound == .end ? midnight + 86_400_000 : midnight) / 1000)
        }
        if let milliseconds = StrictTimestamp.milliseconds(t, form: .commandLine) {
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        // Shaped like a date but naming a day, hour, minute or second the calendar does not have
        // (2026-02-30, T25:00, :60): said so, rather than that it is not a date at all.
        if t.range(of: #"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"#, options: .regularExpression) != nil {
            throw .invalidInput(field: field, "\(field): '\(Validation.printable(text))' is not a real date or time")
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
