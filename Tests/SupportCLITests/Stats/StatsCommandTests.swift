import Foundation
import Testing

/// `support stats --json` through the real binary, on a small data set whose every figure is
/// worked out by hand below.
@Suite("support stats")
struct StatsCommandTests {
    static let sam = ImportedPerson.staff("sam@example.test", name: "Sam")
    static let ada = ImportedPerson.admin("ada@example.test", name: "Ada")
    static let jane = ImportedPerson.requester("jane@example.test")
    static let omar = ImportedPerson.requester("omar@example.test")

    static let minute: TimeInterval = 60
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86_400

    /// Eight tickets, ages counted back from `now`:
    ///
    /// | # | age | category | priority | status | assignee | first public staff reply | resolved after |
    /// |---|-----|----------|----------|--------|----------|--------------------------|----------------|
    /// | 1 | 20 d | technical | high | resolved | sam | sam +1 h (jane +10 min before: a requester) | 5 h (sam) |
    /// | 2 | 15 d | bug | critical | closed | sam | ada +30 min (sam's +5 min note is internal) | 1 d (sam) |
    /// | 3 | 5 h | bug | low | open | — | sam +2 h | — |
    /// | 4 | 3 d | account | medium | in-progress | ada | sam +4 h | — |
    /// | 5 | 40 d | feature | medium | open | — | none | — |
    /// | 6 | 5 d | general | low | resolved | ada | ada +10 min | 1 h (ada) |
    /// | 7 | 10 d | technical | medium | open | — | none | — |
    /// | 8 | 12 d | feature | high | open | — | none | — |
    ///
    /// First response: sam [1 h, 2 h, 4 h] → median 2 h, p90 (nearest rank 3 of 3) 4 h;
    /// ada [30 min, 10 min] → median 20 min, p90 (rank 2 of 2) 30 min;
    /// everyone [10 min, 30 min, 1 h, 2 h, 4 h] → median 1 h, p90 (rank 5 of 5) 4 h.
    /// Resolution: sam [5 h, 1 d] → median 14.5 h, p90 1 d; ada [1 h]; everyone [1 h, 5 h, 1 d] → 5 h, 1 d.
    /// Resolution rate 3 of 8 (two resolved, one closed). Backlog (open and in progress):
    /// < 1 day #3, 1-7 days #4, 7-30 days #7 #8, > 30 days #5.
    static func dataSet(now: Date) -> [ImportLine] {
        func ticket(_ n: Int, age: TimeInterval, _ category: String, _ priority: String, _ status: String,
                    assignee: ImportedPerson? = nil, requester: ImportedPerson = jane,
                    replies: [(TimeInterval, ImportedPerson, Bool)] = [], resolvedAfter: TimeInterval? = nil,
                    closedAfter: TimeInterval? = nil) -> ImportLine {
            let created = now.addingTimeInterval(-age)
            return ImportLine(
                number: "ST-2024-" + String(format: "%03d", n), subject: "Ticket \(n)", category: category, priority: priority,
                status: status, requester: requester, assignee: assignee,
                replies: replies.map { ImportedReply(message: "Reply", by: $0.1, isInternal: $0.2, createdAt: created.addingTimeInterval($0.0)) },
                createdAt: created, updatedAt: created,
                resolvedAt: resolvedAfter.map(created.addingTimeInterval), closedAt: closedAfter.map(created.addingTimeInterval))
        }
        return [
            ticket(1, age: 20 * day, "technical-issue", "high", "resolved", assignee: sam,
                   replies: [(10 * minute, jane, false), (hour, sam, false), (2 * hour, ada, false)], resolvedAfter: 5 * hour),
            ticket(2, age: 15 * day, "bug-report", "critical", "closed", assignee: sam, requester: omar,
                   replies: [(5 * minute, sam, true), (30 * minute, ada, false)], resolvedAfter: day, closedAfter: 2 * day),
            ticket(3, age: 5 * hour, "bug-report", "low", "open", replies: [(2 * hour, sam, false)]),
            ticket(4, age: 3 * day, "account-issue", "medium", "in-progress", assignee: ada, replies: [(4 * hour, sam, false)]),
            ticket(5, age: 40 * day, "feature-request", "medium", "open", requester: omar),
            ticket(6, age: 5 * day, "general-inquiry", "low", "resolved", assignee: ada,
                   replies: [(10 * minute, ada, false)], resolvedAfter: hour),
            ticket(7, age: 10 * day, "technical-issue", "medium", "open"),
            ticket(8, age: 12 * day, "feature-request", "high", "open", requester: omar),
        ]
    }

    static func seeded() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.importTickets(dataSet(now: ImportLine.now))
        return sandbox
    }

    static func stats(_ sandbox: Sandbox, _ arguments: [String] = [], as actor: String? = nil) throws -> [String: Any] {
        let result = try sandbox.succeed(["stats", "--json"] + arguments, as: actor)
        #expect(result.err == "", "\(result)")
        return try result.json()
    }

    static func durations(_ value: Any?) -> [String: Int]? { value as? [String: Int] }

    @Test func volumeByCategoryPriorityAndStatus() throws {
        // Given the eight tickets
        let sandbox = try Self.seeded()
        // When staff ask for the statistics
        let stats = try Self.stats(sandbox, as: "sam@example.test")
        // Then every distribution counts them, every value listed even at zero, in the seed's spelling
        #expect(stats["total"] as? Int == 8)
        #expect(stats["byCategory"] as? [String: Int] == [
            "Technical Issue": 2, "Account Issue": 1, "Feature Request": 2, "General Inquiry": 1, "Bug Report": 2,
        ])
        #expect(stats["byPriority"] as? [String: Int] == ["Low": 2, "Medium": 3, "High": 2, "Critical": 1])
        #expect(stats["byStatus"] as? [String: Int] == ["Open": 4, "In Progress": 1, "Resolved": 2, "Closed": 1])
        // And the resolution rate is resolved or closed over all: 3 of 8
        #expect(stats["resolved"] as? Int == 3)
        #expect(stats["resolutionRate"] as? Double == 0.375)
    }

    @Test func firstResponseAndResolutionPerStaffMember() throws {
        // Given the eight tickets
        let sandbox = try Self.seeded()
        // When the statistics are asked for
        let stats = try Self.stats(sandbox)
        // Then first response counts only the first public reply by staff, credited to its author
        #expect(Self.durations(stats["firstResponse"]) == ["count": 5, "medianSeconds": 3600, "p90Seconds": 14_400])
        #expect(Self.durations(stats["resolution"]) == ["count": 3, "medianSeconds": 18_000, "p90Seconds": 86_400])
        let staff = try #require(stats["staff"] as? [[String: Any]])
        #expect(staff.compactMap { $0["email"] as? String } == ["ada@example.test", "sam@example.test"])
        let ada = try #require(staff.first)
        let sam = try #require(staff.last)
        #expect(ada["name"] as? String == "Ada" && sam["name"] as? String == "Sam")
        #expect(Self.durations(sam["firstResponse"]) == ["count": 3, "medianSeconds": 7200, "p90Seconds": 14_400])
        #expect(Self.durations(ada["firstResponse"]) == ["count": 2, "medianSeconds": 1200, "p90Seconds": 1800])
        // And resolution time is credited to the assignee
        #expect(Self.durations(sam["resolution"]) == ["count": 2, "medianSeconds": 52_200, "p90Seconds": 86_400])
        #expect(Self.durations(ada["resolution"]) == ["count": 1, "medianSeconds": 3600, "p90Seconds": 3600])
    }

    @Test func openBacklogByAge() throws {
        // Given the eight tickets
        let sandbox = try Self.seeded()
        // When the statistics are asked for
        let stats = try Self.stats(sandbox)
        // Then open and in-progress tickets are counted by age; resolved and closed ones are not
        #expect(stats["backlog"] as? [String: Int] == ["< 1 day": 1, "1-7 days": 1, "7-30 days": 2, "> 30 days": 1])
    }

    @Test func aPeriodCountsTheTicketsCreatedInIt() throws {
        // Given the eight tickets
        let sandbox = try Self.seeded()
        // When the period starts 16 days ago (leaving out #1 at 20 days and #5 at 40 days)
        let stats = try Self.stats(sandbox, ["--since", "16d"])
        // Then volume and times cover #2, #3, #4, #6, #7, #8 only
        #expect(stats["total"] as? Int == 6)
        #expect(stats["byStatus"] as? [String: Int] == ["Open": 3, "In Progress": 1, "Resolved": 1, "Closed": 1])
        #expect(stats["resolutionRate"] as? Double == 0.3333)
        // sam: #3 2 h, #4 4 h; ada: #2 30 min, #6 10 min
        let staff = try #require(stats["staff"] as? [[String: Any]])
        #expect(Self.durations(staff.last?["firstResponse"]) == ["count": 2, "medianSeconds": 10_800, "p90Seconds": 14_400])
        #expect(Self.durations(staff.first?["firstResponse"]) == ["count": 2, "medianSeconds": 1200, "p90Seconds": 1800])
        #expect(Self.durations(staff.last?["resolution"]) == ["count": 1, "medianSeconds": 86_400, "p90Seconds": 86_400])
        #expect(stats["since"] is String && stats["until"] is NSNull)
        // And a period with no tickets has no rates and no times rather than zeros
        let empty = try Self.stats(sandbox, ["--since", "2001-01-01", "--until", "2001-12-31"])
        #expect(empty["total"] as? Int == 0)
        #expect(empty["resolutionRate"] is NSNull && empty["firstResponse"] is NSNull && empty["resolution"] is NSNull)
        #expect((empty["staff"] as? [Any])?.isEmpty == true)
    }

    @Test(arguments: Engine.available) func mailDeliveryCounts(engine: Engine) throws {
        // Given a support address, auto-responses on, and a mail program that accepts mail for most
        // addresses, asks to try again later for "retry" ones and refuses "fail" ones for good
        let sandbox = try Sandbox(engine: engine)
        let mailer = try sandbox.script(named: "mailer", """
            cat >/dev/null
            for last; do :; done
            case "$last" in
              *fail*) echo "550 5.1.1 no such user" >&2; exit 69 ;;
              *retry*) exit 75 ;;
            esac
            exit 0
            """)
        try sandbox.succeed(["settings", "set", "support_email", "help@example.test"])
        try sandbox.succeed(["settings", "set", "support_auto_response", "true"])
        // When one requester's mail fails for good (one attempt allowed) ...
        try sandbox.succeed(["settings", "set", "mail_max_attempts", "1"])
        try sandbox.createTicket(extra: ["--requester", "fail@example.test"])
        let first = try sandbox.run(["notify", "flush", "--sendmail", mailer, "--json"])
        // ... another's is put off (two attempts allowed), and a third ticket's mail is not sent yet
        try sandbox.succeed(["settings", "set", "mail_max_attempts", "2"])
        try sandbox.createTicket(extra: ["--requester", "retry@example.test"])
        let second = try sandbox.run(["notify", "flush", "--sendmail", mailer, "--json"])
        try sandbox.createTicket(extra: ["--requester", "ok@example.test"])
        #expect(first.status == 75 && second.status == 75, "\(first)\n\(second)")
        let stats = try Self.stats(sandbox)
        // Then: sent = the two new-ticket notices to the support address; failed = fail@'s
        // auto-response; pending = retry@'s and the third ticket's two; retried = messages put off at least
        // once (retry@'s); success rate = sent / (sent + failed)
        let mail = try #require(stats["mail"] as? [String: Any])
        #expect(mail["sent"] as? Int == 2)
        #expect(mail["failed"] as? Int == 1)
        #expect(mail["pending"] as? Int == 3)
        #expect(mail["retried"] as? Int == 1)
        #expect(mail["successRate"] as? Double == 0.6667)
    }

    @Test func noMailMeansNoSuccessRate() throws {
        // Given tickets but no mail ever queued
        let sandbox = try Self.seeded()
        // When the statistics are asked for
        let mail = try #require(try Self.stats(sandbox)["mail"] as? [String: Any])
        // Then the counts are zero and the rate is null, not 0 % or 100 %
        #expect(mail["sent"] as? Int == 0 && mail["failed"] as? Int == 0 && mail["pending"] as? Int == 0)
        #expect(mail["successRate"] is NSNull)
    }

    @Test func requestersMayNotSeeStatistics() throws {
        // Given the eight tickets
        let sandbox = try Self.seeded()
        // When a requester asks for the statistics
        let result = try sandbox.run(["stats", "--json"], as: "jane@example.test")
        // Then it is refused (77) and nothing is shown
        #expect(result.status == 77, "\(result)")
        #expect(result.out == "")
        _ = try result.apiError()
    }

    @Test func terminalFormDrawsBarsBesideTheFigures() throws {
        // Given the eight tickets
        let sandbox = try Self.seeded()
        // When the statistics are printed for a person
        let result = try sandbox.succeed(["stats"])
        // Then each distribution is a bar chart drawn with block characters, with its counts and shares
        let text = result.out
        #expect(text.hasPrefix("8 tickets"))
        for title in ["By category", "By priority", "By status", "Open backlog by age", "Resolution rate", "First response", "Mail"] {
            #expect(text.contains(title), "\(title)")
        }
        let open = try #require(text.split(separator: "\n").first { $0.contains("Open ") && $0.contains("50.0%") })
        #expect(open.contains("█"), "\(open)")
        #expect(text.contains("37.5%"), "resolution rate 3 of 8")
        #expect(text.contains("sam@example.test") && text.contains("ada@example.test"))
    }
}
