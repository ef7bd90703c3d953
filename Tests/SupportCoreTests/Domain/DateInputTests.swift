import Foundation
import Testing
@testable import SupportCore

@Suite("DateInput")
struct DateInputTests {
    static func utc(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    @Test(arguments: [
        ("2026-11-01", "2026-11-01T00:00:00Z"),
        (" 2026-11-01 ", "2026-11-01T00:00:00Z"),
        ("2026-11-01T09:30", "2026-11-01T09:30:00Z"),
        ("2026-11-01T09:30Z", "2026-11-01T09:30:00Z"),
        ("2026-11-01T09:30:15Z", "2026-11-01T09:30:15Z"),
        ("2026-11-01T09:30:00+02:00", "2026-11-01T07:30:00Z"),
        ("2026-11-01T09:30:00-0500", "2026-11-01T14:30:00Z"),
        ("2026-11-01 09:30", "2026-11-01T09:30:00Z"),
        ("2024-02-29", "2024-02-29T00:00:00Z"),
    ])
    func absoluteDates(_ input: String, _ expected: String) throws {
        // Given an absolute date in one of the accepted forms
        // When parsed as a start bound
        let date = try DateInput.parse(input, now: fixedNow, field: "--since")
        // Then it is that instant in UTC
        #expect(date == Self.utc(expected))
    }

    @Test func bareDayAsEndBoundIncludesTheDay() throws {
        let end = try DateInput.parse("2026-11-01", now: fixedNow, bound: .end, field: "--until")
        #expect(end == Self.utc("2026-11-02T00:00:00Z"))
        // A time of day is taken as given, even as an end bound.
        let exact = try DateInput.parse("2026-11-01T09:30Z", now: fixedNow, bound: .end, field: "--until")
        #expect(exact == Self.utc("2026-11-01T09:30:00Z"))
    }

    @Test(arguments: [("30min", 1800.0), ("12h", 43_200.0), ("7d", 604_800.0), ("2w", 1_209_600.0), ("0d", 0.0)])
    func relativeDatesCountBackFromNow(_ input: String, _ seconds: Double) throws {
        #expect(try DateInput.parse(input, now: fixedNow, field: "--since") == fixedNow.addingTimeInterval(-seconds))
    }

    @Test(arguments: [
        // fixedNow is Saturday 2026-03-14 15:09:26 UTC; the zone here is UTC (the CLI passes the local one)
        ("today", "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z"),
        ("Yesterday", "2026-03-13T00:00:00Z", "2026-03-14T00:00:00Z"),
        ("monday", "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z"),
        ("fri", "2026-03-13T00:00:00Z", "2026-03-14T00:00:00Z"),
        // On a Saturday, "saturday" is the one before today, a week ago.
        ("saturday", "2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z"),
        ("1mo", "2026-02-14T15:09:26Z", "2026-02-14T15:09:26Z"),
        ("13mo", "2025-02-14T15:09:26Z", "2025-02-14T15:09:26Z"),
        ("now", "2026-03-14T15:09:26Z", "2026-03-14T15:09:26Z"),
    ])
    func wordsNameDaysAndMonthsCountOnTheCalendar(_ input: String, _ start: String, _ end: String) throws {
        // Given a word or a number of months
        // When parsed as a start and as an end bound
        let since = try DateInput.parse(input, now: fixedNow, field: "--since")
        let until = try DateInput.parse(input, now: fixedNow, bound: .end, field: "--until")
        // Then a day runs from its midnight to the next; months and now are instants
        #expect(since == Self.utc(start))
        #expect(until == Self.utc(end))
    }

    @Test func aMonthBackFromTheThirtyFirstIsTheLastDayOfTheShorterMonth() throws {
        let march31 = Self.utc("2026-03-31T12:00:00Z")
        #expect(try DateInput.parse("1mo", now: march31, field: "--since") == Self.utc("2026-02-28T12:00:00Z"))
    }

    @Test(arguments: [
        "", "yesterdays", "the day before", "mo", "mond", "1m", "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-11-31",
        "2026-13-01T00:00Z", "2026-11-01T25:00Z", "2026-11-01T09:61Z", "26-11-01", "2026/11/01",
        "-5d", "+5d", "5 d", "٥d", "1234567d", "d", "7y", "2026-11-01T09:30:00Zjunk", "2026-11-01\u{1B}[2J",
    ])
    func refusesWhatIsNotADate(_ input: String) {
        // Given text that is not a date (or not a real one)
        // When parsed
        let error = failure { _ = try DateInput.parse(input, now: fixedNow, field: "--since") }
        // Then it is invalid input naming the option, with no raw control character in the message
        #expect(error?.exitCode == 65)
        #expect(error?.message.hasPrefix("--since") == true)
        #expect(error?.message.contains("\u{1B}") == false)
    }
}
