import Foundation
import Testing

/// Times in the local zone (`TZ`), named, in text; `--json` in UTC; dates typed on the command
/// line read in the local zone unless they carry one; `today`, `yesterday`, weekdays and ages
/// (issue 15). The zone is a POSIX TZ string, `XST-2` (two hours east of UTC, named XST), so the
/// test needs no zone database.
@Suite("local time")
struct LocalTimeTests {
    static let zone: [String: String?] = ["TZ": "XST-2"]

    /// The ticket's creation as UTC milliseconds, from `--json`.
    static func createdAt(_ ticket: [String: Any]) throws -> Date {
        let text = try #require(ticket["createdAt"] as? String)
        #expect(text.hasSuffix("Z"), "JSON stays UTC: \(text)")
        return try Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// "yyyy-MM-dd HH:mm" of `date` two hours east of UTC (the wall clock of XST-2).
    static func wall(_ date: Date, seconds: Bool = false) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7200)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let text = String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
        return seconds ? text + String(format: ":%02d", c.second!) : text
    }

    func ids(_ sandbox: Sandbox, _ arguments: [String]) throws -> [String] {
        let result = try sandbox.run(["ticket", "list", "--ids", "--status", "all"] + arguments, environment: Self.zone)
        try #require(result.status == 0, "\(arguments): \(result)")
        return result.out.split(separator: "\n").map(String.init)
    }

    @Test func textShowsTheLocalZoneNamedAndJSONStaysUTC() throws {
        // Given a ticket
        let sandbox = try Sandbox()
        let ticket = try sandbox.createTicket()
        let number = try #require(ticket["ticketNumber"] as? String)
        let created = try Self.createdAt(ticket)
        // When it is shown as text in XST-2, and its history, and the list on a table
        let shown = try sandbox.run(["ticket", "show", number], environment: Self.zone)
        let history = try sandbox.run(["ticket", "history", number], environment: Self.zone)
        let json = try sandbox.run(["ticket", "show", number, "--json"], environment: Self.zone)
        // Then text gives the wall clock two hours ahead, named XST; JSON is the same instant in UTC
        #expect(shown.out.contains("Created:   \(Self.wall(created)) XST"), "\(shown)")
        #expect(history.out.hasPrefix(Self.wall(created) + " XST  "), "\(history)")
        #expect(try Self.createdAt(try #require(try json.json()["ticket"] as? [String: Any])) == created)
        // And without TZ the zone is named too (UTC here)
        let utc = try sandbox.run(["ticket", "show", number], environment: ["TZ": "UTC0"])
        #expect(utc.out.contains(" UTC\n"), "\(utc)")
    }

    @Test func datesWithoutAZoneAreLocalAndWordsAndAgesAreAccepted() throws {
        // Given a ticket made now
        let sandbox = try Sandbox()
        let ticket = try sandbox.createTicket()
        let number = try #require(ticket["ticketNumber"] as? String)
        let created = try Self.createdAt(ticket)
        // When --since is its local wall clock a minute before and after, without a zone
        let before = Self.wall(created.addingTimeInterval(-60), seconds: true)
        let after = Self.wall(created.addingTimeInterval(60), seconds: true)
        // Then the minute before finds it and the minute after does not: the time was read as XST
        #expect(try ids(sandbox, ["--since", before]) == [number])
        #expect(try ids(sandbox, ["--since", after]) == [])
        // And a minute after in UTC wall-clock time finds nothing with a Z, and finds it read as XST
        // (two hours earlier) without one
        let utcAfter = Self.wall(created.addingTimeInterval(60 - 7200), seconds: true).replacingOccurrences(of: " ", with: "T")
        #expect(try ids(sandbox, ["--since", utcAfter + "Z"]) == [])
        #expect(try ids(sandbox, ["--since", utcAfter]) == [number])
        // And the words and ages are accepted: today and the ages reach back over it, yesterday ends before it
        for since in ["today", "yesterday", "monday", "sun", "1mo", "2w", "3d", "12h", "30min"] {
            #expect(try ids(sandbox, ["--since", since]) == [number], "--since \(since)")
        }
        #expect(try ids(sandbox, ["--until", "yesterday"]) == [], "--until yesterday ends at today's midnight")
        #expect(try ids(sandbox, ["--until", "today"]) == [number])
        // And the audit trail and stats take them too
        #expect(try sandbox.run(["audit", "--since", "yesterday", "--ticket", number, "--json"], environment: Self.zone).status == 0)
        #expect(try sandbox.run(["stats", "--since", "1mo", "--json"], environment: Self.zone).status == 0)
        // And what is not a date, or not a real one, is still refused with 65 and changes nothing
        for bad in ["2026-02-30", "last tuesday", "1y", "mond"] {
            let result = try sandbox.run(["ticket", "list", "--since", bad], environment: Self.zone)
            #expect(result.status == 65 && result.err.contains("--since"), "\(bad): \(result)")
        }
    }
}
