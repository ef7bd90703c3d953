import Foundation

/// A UTC timestamp to the millisecond as calendar fields, computed with integer arithmetic
/// (`CivilDate`) instead of Foundation's `Calendar` and format styles:
/// on a `ticket show` of 50 replies those cost a fifth of the run (a calendar and a format style
/// built per date, `String(format:)` per line).
struct CivilTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var millisecond: Int

    /// `date` at its nearest millisecond (as ISO8601.snappedToMillisecond, so the text agrees
    /// with what the format styles printed).
    init(_ date: Date) {
        let total = Int((date.timeIntervalSince1970 * 1000).rounded())
        let msPerDay = 86_400_000
        let days = total >= 0 ? total / msPerDay : -((-total + msPerDay - 1) / msPerDay)
        var rest = total - days * msPerDay
        millisecond = rest % 1000
        rest /= 1000
        second = rest % 60
        minute = rest / 60 % 60
        hour = rest / 3600
        let civil = CivilDate(daysSince1970: days)
        (year, month, day) = (civil.year, civil.month, civil.day)
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second, self.millisecond) =
            (year, month, day, hour, minute, second, millisecond)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    var millisecondsSince1970: Int {
        let days = CivilDate(year: year, month: month, day: day).daysSince1970
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
    }

    /// "2026-03-14T16:09:26.000Z"
    var iso8601: String {
        var out = dateAndTime(separator: "T", seconds: true)
        out.append(UInt8(ascii: "."))
        Self.append(millisecond, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// "2026-03-14 16:09:26.653", GRDB's storage text.
    var storageText: String {
        var out = dateAndTime(separator: " ", seconds: true)
        out.append(UInt8(ascii: "."))
        Self.append(millisecond, width: 3, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// "2026-03-14 16:09"
    var minutes: String {
        String(decoding: dateAndTime(separator: " ", seconds: false), as: UTF8.self)
    }

    private func dateAndTime(separator: Unicode.Scalar, seconds: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        Self.append(year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.append(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.append(day, width: 2, to: &out)
        out.append(UInt8(ascii: separator))
        Self.append(hour, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.append(minute, width: 2, to: &out)
        if seconds {
            out.append(UInt8(ascii: ":"))
            Self.append(second, width: 2, to: &out)
        }
        return out
    }

    private static func append(_ value: Int, width: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = abs(value)
        // Digits written in place from the right, at least `width` of them (no String per field:
        // an export formats three dates per ticket).
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 { digits += 1; rest /= 10 }
        let count = max(width, digits)
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var index = start + count - 1
        while magnitude > 0 {
            out[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        }
    }

    /// Parses GRDB's storage text, "yyyy-MM-dd HH:mm:ss.SSS" exactly; nil for anything else.
    init?(storage text: String) {
        var text = text
        text.makeContiguousUTF8()
        guard text.utf8.count == 23, let parsed = text.utf8.withContiguousStorageIfAvailable(Self.parseStorage) ?? nil else {
            return nil
        }
        self = parsed
    }

    private static func parseStorage(_ b: UnsafeBufferPointer<UInt8>) -> CivilTime? {
        guard b[19] == UInt8(ascii: "."), var time = readDateTime(b, separator: UInt8(ascii: " ")),
              let ms = readDigits(b, 20, 3)
        else { return nil }
        time.millisecond = ms
        return time
    }

    /// "yyyy-MM-dd?HH:mm:ss" at the start of `b` (`?` the separator given), a day the calendar
    /// has; nil for anything else. The caller checks what follows.
    static func readDateTime(_ b: UnsafeBufferPointer<UInt8>, separator: UInt8) -> CivilTime? {
        guard b.count >= 19, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == separator,
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = readDigits(b, 0, 4), let month = readDigits(b, 5, 2), (1...12).contains(month),
              let day = readDigits(b, 8, 2), day >= 1, day <= CivilDate.daysIn(month: month, year: year),
              let hour = readDigits(b, 11, 2), hour < 24, let minute = readDigits(b, 14, 2), minute < 60,
              let second = readDigits(b, 17, 2), second < 60
        else { return nil }
        return CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: 0)
    }

    /// The number written in `count` ASCII digits from `from`; nil if one is not a digit.
    static func readDigits(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int? {
        var n = 0
        for i in from..<from + count {
            let digit = b[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            n = n * 10 + Int(digit)
        }
        return n
    }

    /// The `Date` GRDB would decode from the same storage text (same value to the bit, checked by
    /// CivilTimeTests), so that a date read and written back keeps its millisecond.
    var date: Date {
        let ms = millisecondsSince1970
        let seconds = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + Double(ms - seconds * 1000) / 1000)
    }
}

/// The zone times are shown and typed in: the process's local zone (`TZ`, else the system's),
/// read through libc's `localtime_r` (cheap per call, unlike a Foundation `Calendar`), or UTC.
public struct LocalZone: Sendable {
    let isUTC: Bool

    public static let utc = LocalZone(isUTC: true)
    /// `TZ` as the process has it; UTC when the system has no zone data for it.
    public static let current = LocalZone(isUTC: false)

    /// Seconds east of UTC at `date`, and the zone's abbreviation then ("CET", "CEST", "UTC").
    public func offset(at date: Date) -> (seconds: Int, name: String) {
        guard !isUTC else { return (0, "UTC") }
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var fields = tm()
        guard localtime_r(&seconds, &fields) != nil else { return (0, "UTC") }
        let name = fields.tm_zone.map { String(cString: $0) } ?? ""
        return (Int(fields.tm_gmtoff), name.isEmpty || name == "GMT" && fields.tm_gmtoff == 0 ? "UTC" : name)
    }

    /// `date` as wall-clock fields of this zone.
    func civil(_ date: Date) -> CivilTime {
        CivilTime(date.addingTimeInterval(Double(offset(at: date).seconds)))
    }

    /// The instant whose wall clock in this zone reads `wall` (milliseconds since 1970 as if the
    /// wall clock were UTC). A wall time skipped by a DST change is taken at the offset before
    /// it; a repeated one at its first occurrence.
    public func instant(wallMilliseconds wall: Int64) -> Date {
        let asUTC = Date(timeIntervalSince1970: Double(wall) / 1000)
        let offsets = Set([offset(at: asUTC).seconds, offset(at: asUTC.addingTimeInterval(-86_400)).seconds,
                           offset(at: asUTC.addingTimeInterval(86_400)).seconds])
        let valid = offsets.map { asUTC.addingTimeInterval(-Double($0)) }.filter { civil($0).millisecondsSince1970 == Int(wall) }
        if let first = valid.min() { return first }
        // Skipped by a change to summer time: read with the offset in force before it.
        return asUTC.addingTimeInterval(-Double(offsets.min() ?? 0))
    }

    /// "2026-03-14 17:09" in this zone, without the zone's name.
    public func minutes(_ date: Date) -> String { civil(date).minutes }

    /// "2026-03-14 17:09 CET".
    public func minutesNamed(_ date: Date) -> String {
        let (seconds, name) = offset(at: date)
        return CivilTime(date.addingTimeInterval(Double(seconds))).minutes + " " + name
    }
}
