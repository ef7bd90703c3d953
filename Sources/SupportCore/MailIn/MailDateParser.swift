import Foundation

/// Reads an RFC 5322 `Date:` (and the obsolete forms of RFC 5322 §4.3 real mail still has).
/// Hand-written instead of `DateFormatter`: one fixed format string cannot take an optional day
/// name, optional seconds, two-digit years and the old zone names (`EST`, `GMT`, `Z`) together,
/// and a formatter per try costs tens of microseconds.
enum MailDateParser {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5,
        "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    ]

    static func parse(_ header: String?) -> Date? {
        guard let header else { return nil }
        // Drop comments (`(CET)`) and the day name; split on blanks and commas.
        var text = ""
        var depth = 0
        for char in header {
            if char == "(" { depth += 1 } else if char == ")" { depth = max(0, depth - 1) } else if depth == 0 { text.append(char) }
        }
        var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map { $0.lowercased() }
        if let first = words.first, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(String(first.prefix(3))) {
            words.removeFirst()
        }
        guard words.count >= 4 else { return nil }
        var day: Int?
        var month: Int?
        var year: Int?
        var timeWord: String?
        var zoneWord: String?
        for word in words {
            if zoneWord == nil, word.hasPrefix("+") || word.hasPrefix("-") {
                zoneWord = word
            } else if let number = Int(word) {
                if day == nil && number >= 1 && number <= 31 {
                    day = number
                } else if year == nil {
                    year = number
                }
            } else if month == nil, let index = months.firstIndex(of: String(word.prefix(3))), word.first?.isLetter == true {
                month = index + 1
            } else if timeWord == nil, word.contains(":") {
                timeWord = word
            } else if zoneWord == nil, word.hasPrefix("+") || word.hasPrefix("-") || zones[word] != nil {
                zoneWord = word
            }
        }
        guard let day, let month, var year, let timeWord else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        guard (1900...9999).contains(year) else { return nil }  // no calendar arithmetic on nonsense
        let clock = timeWord.split(separator: ":").map { Int($0) }
        guard clock.count >= 2, clock.allSatisfy({ $0 != nil }) else { return nil }
        let hour = clock[0]!, minute = clock[1]!, second = clock.count > 2 ? clock[2]! : 0
        guard hour < 24, minute < 60, second <= 60 else { return nil }
        var offsetSeconds = 0
        if let zoneWord {
            if let hours = zones[zoneWord] {
                offsetSeconds = hours * 3600
            } else if zoneWord.count == 5, let value = Int(zoneWord.dropFirst()) {
                let sign = zoneWord.hasPrefix("-") ? -1 : 1
                offsetSeconds = sign * ((value / 100) * 3600 + (value % 100) * 60)
            }
        }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = min(second, 59)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let utc = calendar.date(from: components),
              calendar.component(.day, from: utc) == day else { return nil }
        return utc.addingTimeInterval(TimeInterval(-offsetSeconds))
    }
}
