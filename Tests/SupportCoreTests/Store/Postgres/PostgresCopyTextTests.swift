import Foundation
import Testing
@testable import SupportCore

/// The rows `ticket import` sends PostgreSQL through COPY: what the server reads back must be the
/// very value, whatever the text holds (the round trip through a real server is in
/// PostgresDeskTests; these pin the format's rules one by one).
@Suite("PostgreSQL COPY text")
struct PostgresCopyTextTests {
    func line(_ fill: (inout PostgresCopyText) throws -> Void) rethrows -> String {
        var rows = PostgresCopyText()
        try fill(&rows)
        rows.endRow()
        return String(decoding: rows.bytes, as: UTF8.self)
    }

    @Test func columnsAreTabSeparatedAndNullIsBackslashN() {
        let text = line { row in
            row.int(42); row.text(nil); row.bool(true); row.bool(false); row.int(nil); row.double(1.5); row.int(-7)
        }
        #expect(text == "42\t\\N\tt\tf\t\\N\t1.5\t-7\n")
    }

    @Test func theFormatsSpecialCharactersAreEscapedAndTheRestPassesAsUTF8() {
        // Given text with every character the format gives a meaning to, and a NULL's spelling
        let text = line { row in row.text("a\tb\nc\rd\\e \\N 日本語 🎉") }
        // Then each is escaped, so no value can end a column or a row early or read as NULL
        #expect(text == "a\\tb\\nc\\rd\\\\e \\\\N 日本語 🎉\n")
    }

    @Test func bytesGoAsByteasHexInput() {
        #expect(line { row in row.bytea([0x00, 0x0A, 0x5C, 0xFF]); row.bytea([]) } == "\\\\x000a5cff\t\\\\x\n")
    }

    @Test func anEmptyTextIsNotNull() {
        #expect(line { row in row.text(""); row.text(nil) } == "\t\\N\n")
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00.000Z", "1970-01-01 00:00:00.000000+00"),
        ("2000-01-01T00:00:00.000Z", "2000-01-01 00:00:00.000000+00"),
        ("2024-02-29T23:59:59.999Z", "2024-02-29 23:59:59.999000+00"),
        ("1969-12-31T23:59:59.500Z", "1969-12-31 23:59:59.500000+00"),
        ("2100-03-01T12:34:56.789Z", "2100-03-01 12:34:56.789000+00"),
        ("1583-01-01T00:00:00.000Z", "1583-01-01 00:00:00.000000+00"),
        ("9999-12-31T23:59:59.000Z", "9999-12-31 23:59:59.000000+00"),
    ])
    func timesAreUTCToTheMicrosecond(iso: String, expected: String) throws {
        let date = try Date(iso, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        // Read as postgres-nio's binary encoding reads the same Date: the microseconds since
        // 2000-01-01, truncated; a parsed ".999" can lie a hair below, so compare to the micro.
        let micros = Int64(date.timeIntervalSince(PostgresCopyText.postgresEpoch) * 1_000_000)
        let text = try line { row in try row.timestamp(date) }
        let rebuilt = try #require(Self.micros(of: String(text.dropLast())))
        #expect(rebuilt == micros, "\(text)")
        #expect(text.hasPrefix(String(expected.prefix(20))), "\(text)")
    }

    @Test func aYearPostgreSQLCannotTakeInThisFormIsRefusedNotMangled() {
        var rows = PostgresCopyText()
        #expect(throws: PostgresCopyText.Unrepresentable.self) { try rows.timestamp(Date(timeIntervalSince1970: -70_000_000_000)) }
        #expect(throws: PostgresCopyText.Unrepresentable.self) { try rows.timestamp(Date(timeIntervalSince1970: 260_000_000_000)) }
        #expect(rows.bytes.isEmpty)
    }

    @Test func civilDatesAgreeWithFoundationsCalendarDayByDay() {
        // Every 97th day over 1600-2400 (leap centuries both ways), against Foundation (whose
        // calendar is Julian before 1582, where PostgreSQL stays Gregorian: not compared there).
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for days in stride(from: -135_140, to: 157_000, by: 97) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = CivilDate(daysSince1970: days)
            #expect(civil.year == parts.year! && civil.month == parts.month! && civil.day == parts.day!, "day \(days)")
        }
    }

    /// Microseconds since 2000-01-01 of "YYYY-MM-DD HH:MM:SS.ffffff+00".
    static func micros(of text: String) -> Int64? {
        let parts = text.split(whereSeparator: { "- :.+".contains($0) }).map { Int64($0) }
        guard parts.count == 8, let y = parts[0], let mo = parts[1], let d = parts[2], let h = parts[3], let mi = parts[4],
              let s = parts[5], let f = parts[6] else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let day = calendar.date(from: DateComponents(year: Int(y), month: Int(mo), day: Int(d))) else { return nil }
        let seconds = Int64(day.timeIntervalSince(PostgresCopyText.postgresEpoch).rounded()) + h * 3600 + mi * 60 + s
        return seconds * 1_000_000 + f
    }
}
