import Foundation
import Testing

/// `stats --since/--until` applies to every section (issue 15): the backlog counts the open
/// tickets created in the window, mail the messages queued in it; the text says what each means.
@Suite("stats window")
struct StatsWindowTests {
    @Test(arguments: Engine.available) func theWindowSelectsTheBacklogAndTheMail(engine: Engine) throws {
        // Given an open ticket from 60 days ago and one from 2 days ago (imported, no mail), then
        // mail turned on and a ticket opened now (its notice queued now)
        let sandbox = try Sandbox(engine: engine)
        let now = ImportLine.now
        try sandbox.importTickets([
            ImportLine(subject: "Old", createdAt: now.addingTimeInterval(-60 * 86_400)),
            ImportLine(subject: "Recent", createdAt: now.addingTimeInterval(-2 * 86_400)),
        ])
        try sandbox.enableMail()
        try sandbox.createTicket(extra: ["--requester", "jane@example.test"])
        func figures(_ arguments: [String]) throws -> (backlog: [String: Int], pending: Int) {
            let json = try sandbox.succeed(["stats", "--json"] + arguments).json()
            let backlog = try #require(json["backlog"] as? [String: Int])
            let mail = try #require(json["mail"] as? [String: Any])
            return (backlog, try #require(mail["pending"] as? Int))
        }
        // When the figures are read for all time, the last week, and up to ten days ago
        let all = try figures([])
        let week = try figures(["--since", "7d"])
        let older = try figures(["--until", "10d"])
        // Then the backlog holds what each window selects, by age
        #expect(all.backlog == ["< 1 day": 1, "1-7 days": 1, "7-30 days": 0, "> 30 days": 1], "\(all)")
        #expect(week.backlog == ["< 1 day": 1, "1-7 days": 1, "7-30 days": 0, "> 30 days": 0], "\(week)")
        #expect(older.backlog == ["< 1 day": 0, "1-7 days": 0, "7-30 days": 0, "> 30 days": 1], "\(older)")
        // And the mail queued now counts in the windows that hold now, not in the one that ends ten days ago
        #expect(all.pending == 1 && week.pending == 1 && older.pending == 0, "\(all) \(week) \(older)")
        // And the text says what the window means for each section
        let text = try sandbox.succeed(["stats", "--since", "7d"]).out
        #expect(text.contains("Backlog: open and in-progress tickets created in the window, by age now. Mail: messages queued in the window."), "\(text)")
        #expect(try sandbox.succeed(["stats"]).out.contains("tickets created in all time"))
    }

    @Test(arguments: Engine.available) func aChartShowsTicketsOpenedAndResolvedPerDayOrWeek(engine: Engine) throws {
        // Given two tickets opened at noon (UTC) two days ago, and one opened and resolved yesterday
        let sandbox = try Sandbox(engine: engine)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: Date())
        let twoDaysAgo = today.addingTimeInterval(-2 * 86_400), yesterday = today.addingTimeInterval(-86_400)
        try sandbox.importTickets([
            ImportLine(subject: "A", createdAt: twoDaysAgo.addingTimeInterval(12 * 3600)),
            ImportLine(subject: "B", createdAt: twoDaysAgo.addingTimeInterval(13 * 3600)),
            ImportLine(subject: "C", status: "resolved", createdAt: yesterday.addingTimeInterval(12 * 3600),
                       resolvedAt: yesterday.addingTimeInterval(18 * 3600)),
        ])
        func day(_ date: Date) -> String { ImportLine.iso(date).prefix(10).description }
        // When stats are printed for those two days (in UTC), and for a long window
        let text = try sandbox.run(["stats", "--since", day(twoDaysAgo), "--until", day(yesterday)], environment: ["TZ": "UTC0"])
        let long = try sandbox.run(["stats", "--since", "100d"], environment: ["TZ": "UTC0"])
        // Then there is one line a day, the bars to one scale (2 tickets fill the 40 columns)
        #expect(text.status == 0, "\(text)")
        #expect(text.out.contains("Opened (+) and resolved (x) per day\n"), "\(text.out)")
        #expect(text.out.contains("  \(day(twoDaysAgo))  " + String(repeating: "+", count: 40) + "    2 opened, 0 resolved\n"), "\(text.out)")
        #expect(text.out.contains("  \(day(yesterday))  " + String(repeating: "+", count: 20) + String(repeating: "x", count: 20)
                                  + "    1 opened, 1 resolved\n"), "\(text.out)")
        // And a window of 100 days is drawn a week a line
        #expect(long.out.contains("per week\n"), "\(long.out)")
        let weekLines = long.out.split(separator: "\n").filter { $0.hasSuffix("resolved") }
        #expect(weekLines.count == 15, "\(weekLines)")
        #expect(weekLines.map { Int($0.split(separator: " ").reversed()[3]) ?? 0 }.reduce(0, +) == 3, "\(weekLines)")
    }
}
