import Foundation
import GRDB
import Testing
@testable import SupportCore

/// `statistics` reads the tally table and the duration indexes of migration v6-stats; these tests
/// hold it against the same figures computed the slow way from the raw rows.
@Suite("AppDatabase: statistics")
struct StatisticsStoreTests {
    /// The figures recomputed from `ticket`, `response` and `user` alone, as `stats` did before v6.
    static func oracle(_ database: AppDatabase, since: Date? = nil, until: Date? = nil) throws -> Statistics {
        try database.writer.read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let since { conditions.append("t.createdAt >= ?"); arguments += [since] }
            if let until { conditions.append("t.createdAt < ?"); arguments += [until] }
            let window = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            let and = conditions.isEmpty ? "" : " AND " + conditions.joined(separator: " AND ")
            var stats = Statistics()
            var categories: [String: Int] = [:], priorities: [Int: Int] = [:], statuses: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT category, priority, status FROM ticket t" + window, arguments: arguments) {
                categories[row[0], default: 0] += 1
                priorities[row[1], default: 0] += 1
                statuses[row[2], default: 0] += 1
            }
            stats.byCategory = TicketCategory.allCases.map { ($0, categories[$0.rawValue] ?? 0) }
            stats.byPriority = TicketPriority.allCases.map { ($0, priorities[$0.rawValue] ?? 0) }
            stats.byStatus = TicketStatus.allCases.map { ($0, statuses[$0.rawValue] ?? 0) }
            stats.total = stats.byStatus.reduce(0) { $0 + $1.1 }
            var first: [Double] = [], firstBy: [String: [Double]] = [:], people: [String: Person] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT u.email, u.name, u.role, round((julianday(r.createdAt) - julianday(t.createdAt)) * 86400000) / 1000
                FROM ticket t
                JOIN response r ON r.id = (
                    SELECT r2.id FROM response r2 JOIN user u2 ON u2.id = r2.respondedBy
                    WHERE r2.ticketId = t.id AND r2.isInternal = 0 AND u2.role != 'user'
                    ORDER BY r2.createdAt, r2.id LIMIT 1)
                JOIN user u ON u.id = r.respondedBy
                """ + window, arguments: arguments) {
                let seconds = max(0, row[3] as Double)
                first.append(seconds)
                firstBy[row[0], default: []].append(seconds)
                people[row[0]] = Person(email: row[0], name: row[1], role: Role(rawValue: row[2])!)
            }
            var resolved: [Double] = [], resolvedBy: [String: [Double]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT u.email, u.name, u.role, round((julianday(t.resolvedAt) - julianday(t.createdAt)) * 86400000) / 1000
                FROM ticket t LEFT JOIN user u ON u.id = t.assignedTo WHERE t.resolvedAt IS NOT NULL
                """ + and, arguments: arguments) {
                let seconds = max(0, row[3] as Double)
                resolved.append(seconds)
                if let email: String = row[0] {
                    resolvedBy[email, default: []].append(seconds)
                    people[email] = Person(email: email, name: row[1], role: Role(rawValue: row[2])!)
                }
            }
            stats.firstResponse = Statistics.Durations(first)
            stats.resolution = Statistics.Durations(resolved)
            stats.staff = people.keys.sorted().map { email in
                Statistics.StaffFigures(person: people[email]!, firstResponse: Statistics.Durations(firstBy[email] ?? []),
                                        resolution: Statistics.Durations(resolvedBy[email] ?? []))
            }
            return stats
        }
    }

    /// Compares what the oracle computes (it knows nothing of backlog and mail).
    static func expectSameFigures(_ a: Statistics, _ b: Statistics, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.total == b.total, sourceLocation: sourceLocation)
        #expect(a.byCategory.map(\.1) == b.byCategory.map(\.1), sourceLocation: sourceLocation)
        #expect(a.byPriority.map(\.1) == b.byPriority.map(\.1), sourceLocation: sourceLocation)
        #expect(a.byStatus.map(\.1) == b.byStatus.map(\.1), sourceLocation: sourceLocation)
        #expect(a.firstResponse == b.firstResponse, sourceLocation: sourceLocation)
        #expect(a.resolution == b.resolution, sourceLocation: sourceLocation)
        #expect(a.staff == b.staff, sourceLocation: sourceLocation)
    }

    @Test func indexedFiguresMatchTheRawRowsThroughCreatesRepliesUpdatesAndDeletes() throws {
        // Given forty tickets opened over time, answered after varied delays by two staff members,
        // some first by their requester or an internal note, resolved, reassigned, re-prioritised
        // and reopened, and three deleted
        let clock = TestClock()
        let fixture = try DeskFixture(clock: clock)
        let staff = [fixture.staff, fixture.admin]
        var numbers: [TicketNumber] = []
        var created: [Date] = []
        func opener(_ i: Int) -> User { i % 3 == 0 ? fixture.otherRequester : fixture.requester }
        for i in 0..<40 {
            clock.advance(by: Double(400 + 60 * (i % 7)))  // under the requesters' hourly limit
            let category = TicketCategory.allCases[i % TicketCategory.allCases.count]
            numbers.append(try fixture.openTicket(by: opener(i), category: category).ticketNumber)
            created.append(clock.now)
        }
        for (i, number) in numbers.enumerated() {
            clock.advance(by: Double(97 * (i * 13 % 17) + 5))
            let desk = fixture.desk(staff[i % 2])
            switch i % 5 {
            case 0: _ = try fixture.desk(opener(i)).respond(to: number, message: "Any news?", isInternal: false)
            case 1: _ = try desk.respond(to: number, message: "Looking into it (internal).", isInternal: true)
            default: break
            }
            if i % 4 != 3 { _ = try desk.respond(to: number, message: "On it.", isInternal: false, notify: false) }
            clock.advance(by: 31)
            if i % 3 != 2 { _ = try desk.respond(to: number, message: "Second reply.", isInternal: false, notify: false) }
            var changes = TicketChanges()
            if i % 2 == 0 { changes.assignee = .assign(email: staff[(i / 2) % 2].person.email) }
            if i % 3 == 0 { changes.status = .resolved }
            if i % 6 == 1 { changes.status = .closed }
            if i % 5 == 4 { changes.priority = .critical }
            if changes != TicketChanges() { _ = try fixture.operatorDesk.updateTicket(number, changes) }
        }
        clock.advance(by: 3600)
        _ = try fixture.desk(opener(0)).respond(to: numbers[0], message: "Still broken.", isInternal: false)
        for number in [numbers[5], numbers[17], numbers[30]] { try fixture.operatorDesk.deleteTicket(number) }

        // When the statistics are read for all time and for a window holding every ticket
        let all = try fixture.database.statistics(since: nil, until: nil)
        let windowed = try fixture.database.statistics(since: Date.distantPast, until: Date.distantFuture)

        // Then both equal the figures recomputed from the raw rows
        let expected = try Self.oracle(fixture.database)
        #expect(expected.total == 37 && expected.staff.count == 2 && expected.firstResponse != nil && expected.resolution != nil)
        Self.expectSameFigures(all, expected)
        Self.expectSameFigures(windowed, expected)
        // And the tally has no row below zero or left over from the deleted tickets
        let tally = try fixture.database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT sum(tickets) FROM ticket_tally WHERE tickets >= 0")
        }
        #expect(tally == 37)

        // And a narrow window (read row by row) and a wide one (index walks) agree with the raw
        // rows of that window
        for (since, until) in [(created[10], created[16]), (created[21], created[22]), (created[2], Date.distantFuture)] {
            let figures = try fixture.database.statistics(since: since, until: until)
            let expectedInWindow = try Self.oracle(fixture.database, since: since, until: until)
            #expect(figures.total == expectedInWindow.total && figures.total > 0)
            Self.expectSameFigures(figures, expectedInWindow)
        }
    }

    @Test func listTotalsFromTheTallyEqualTheCounts() throws {
        // Given tickets of every category, re-prioritised, moved between statuses, some deleted
        let clock = TestClock()
        let fixture = try DeskFixture(clock: clock)
        var numbers: [TicketNumber] = []
        for i in 0..<30 {
            clock.advance(by: 400)
            numbers.append(try fixture.openTicket(by: nil, category: TicketCategory.allCases[i % 5]).ticketNumber)
        }
        for (i, number) in numbers.enumerated() {
            _ = try fixture.operatorDesk.updateTicket(number, TicketChanges(
                priority: TicketPriority.allCases[i % 4], status: TicketStatus.allCases[i * 7 % 4]))
        }
        for number in numbers.prefix(4) { try fixture.operatorDesk.deleteTicket(number) }
        // When a list is filtered by any mix of status, priority and category
        let choices: [(statuses: [TicketStatus], priorities: [TicketPriority], categories: [TicketCategory])] = [
            ([], [], []), ([.open], [], []), ([.open, .closed], [.high], []), ([], [.low, .critical], [.bugReport]),
            ([.resolved], [], [.technicalIssue, .accountIssue]), ([.inProgress, .resolved], [.medium, .high], [.generalInquiry]),
        ]
        for choice in choices {
            var query = TicketQuery()
            (query.statuses, query.priorities, query.categories) = (choice.statuses, choice.priorities, choice.categories)
            let filter = TicketFilter(query: query)
            // Then the total read from the tally is the count of the matching tickets
            let (tallied, counted) = try fixture.database.writer.read { db in
                let list = try #require(AppDatabase.listSQL(for: filter))
                return (try AppDatabase.talliedTotal(db, filter), try Int.fetchOne(db, sql: list.countSQL, arguments: list.countArguments))
            }
            #expect(tallied != nil && tallied == counted, "\(choice)")
        }
        // And any other filter counts the tickets themselves
        var mine = TicketQuery()
        mine.statuses = [.open]
        let own = try fixture.database.writer.read { db in try AppDatabase.talliedTotal(db, TicketFilter(query: mine, submittedBy: 1)) }
        #expect(own == nil)
    }

    @Test func aWindowCountsOnlyTheTicketsCreatedInIt() throws {
        // Given three tickets a day apart, each answered by staff after 10, 20 and 30 minutes
        let clock = TestClock()
        let fixture = try DeskFixture(clock: clock)
        var created: [Date] = []
        for minutes in [10.0, 20.0, 30.0] {
            clock.advance(by: 86_400)
            created.append(clock.now)
            let ticket = try fixture.openTicket(by: fixture.requester)
            clock.advance(by: minutes * 60)
            _ = try fixture.desk(fixture.staff).respond(to: ticket.ticketNumber, message: "Hi", isInternal: false, notify: false)
        }
        // When the window holds only the second and third
        let stats = try fixture.database.statistics(since: created[1], until: created[2].addingTimeInterval(1))
        // Then only they count: median of 20 and 30 minutes, p90 the 30
        #expect(stats.total == 2)
        #expect(stats.firstResponse == Statistics.Durations(count: 2, median: 1500, p90: 1800))
        #expect(stats.staff.map(\.person.email) == ["sam@example.test"])
        #expect(stats.staff.first?.firstResponse == Statistics.Durations(count: 2, median: 1500, p90: 1800))
    }

    @Test func theMigrationFillsTheTallyAndFirstRepliesOfAnExistingDatabase() throws {
        // Given a database of the previous schema (v5) holding tickets and replies
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v5-list-indexes")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO user (id, email, name, role, createdAt) VALUES
                    (1, 'jane@example.test', 'Jane', 'user', '2026-01-01 00:00:00.000'),
                    (2, 'sam@example.test', 'Sam', 'internal', '2026-01-01 00:00:00.000');
                INSERT INTO ticket (id, ticketNumber, subject, message, category, priority, status, submittedBy,
                                    assignedTo, createdAt, updatedAt, resolvedAt) VALUES
                    (1, 'ST-2026-001', 'A', 'a', 'bug-report', 2, 2, 1, 2, '2026-01-02 00:00:00.000',
                     '2026-01-02 02:00:00.000', '2026-01-02 02:00:00.000'),
                    (2, 'ST-2026-002', 'B', 'b', 'bug-report', 3, 0, 1, NULL, '2026-01-03 00:00:00.000',
                     '2026-01-03 00:00:00.000', NULL);
                INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt) VALUES
                    (1, 'me again', 1, 0, '2026-01-02 00:01:00.000'),
                    (1, 'note', 2, 1, '2026-01-02 00:02:00.000'),
                    (1, 'hello', 2, 0, '2026-01-02 00:05:00.000'),
                    (1, 'later', 2, 0, '2026-01-02 00:09:00.000');
                """)
        }
        // When this version opens it
        let database = try AppDatabase(queue)
        // Then the first public staff reply (5 minutes) and the tally are there
        let stats = try database.statistics(since: nil, until: nil)
        #expect(stats.total == 2)
        #expect(stats.byCategory.first { $0.0 == .bugReport }?.1 == 2)
        #expect(stats.firstResponse == Statistics.Durations(count: 1, median: 300, p90: 300))
        #expect(stats.resolution == Statistics.Durations(count: 1, median: 7200, p90: 7200))
        Self.expectSameFigures(stats, try Self.oracle(database))
    }

    @Test func ranksAreTheMiddleAndTheNearestRank() {
        #expect(Statistics.Durations.ranks(count: 1) == (0, 0, 0))
        #expect(Statistics.Durations.ranks(count: 2) == (0, 1, 1))
        #expect(Statistics.Durations.ranks(count: 10) == (4, 5, 8))
        #expect(Statistics.Durations.ranks(count: 11) == (5, 5, 9))
        #expect(Statistics.Durations([5, 1, 3, 2]) == Statistics.Durations(count: 4, median: 2.5, p90: 5))
    }
}
