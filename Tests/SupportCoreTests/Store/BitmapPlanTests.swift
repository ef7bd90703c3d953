import Foundation
import GRDB
import Testing
@testable import SupportCore

/// The bitmap plan (`AppDatabase.bitmapPage`: each filter read once into a bitmap of ticket ids,
/// ANDed, the page walked in the order's index or sorted) gives the very pages and totals of
/// today's plans, on many random combinations of filters, searches, orders and pages: both
/// plans are forced on the same small desk and must agree, the bitmap plan with its walk and
/// with its sort.
@Suite("list: the bitmap plan agrees with today's plans")
struct BitmapPlanTests {
    /// SplitMix64: the same combinations on every run.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let words = ["toner", "printer", "cable", "invoice", "refund", "screen", "heron", "jams"]

    /// A desk of 240 tickets with every status, priority, category and assignee, creation and
    /// update times with ties, words in subjects, messages, replies and internal notes, and two
    /// long tickets whose last replies and notes are in the tails (`ticket_search_split`).
    static func desk() throws -> DeskFixture {
        let fixture = try DeskFixture()
        var random = Seeded(state: 14)
        let staffDesk = fixture.desk(fixture.staff)
        func text(_ count: Int) -> String {
            (0..<count).map { _ in words.randomElement(using: &random)! }.joined(separator: " ")
        }
        for i in 0..<240 {
            // (opened by staff: a requester may open 10 an hour; the requester is set below)
            let ticket = try fixture.openTicket(by: fixture.staff,
                                                subject: "Case \(i) " + text(Int.random(in: 0...2, using: &random)),
                                                message: "About " + text(Int.random(in: 0...3, using: &random)),
                                                category: TicketCategory.allCases.randomElement(using: &random)!)
            if i % 4 == 0 { _ = try staffDesk.respond(to: ticket.ticketNumber, message: "Reply " + text(2), isInternal: false) }
            if i % 5 == 0 { _ = try staffDesk.respond(to: ticket.ticketNumber, message: "Note " + text(2), isInternal: true) }
        }
        for subject in ["Scanner", "Plotter"] {
            let long = try fixture.openTicket(by: fixture.staff, subject: subject, message: "Slow")
            for i in 1...34 { _ = try staffDesk.respond(to: long.ticketNumber, message: "step \(i) cable", isInternal: i % 2 == 0) }
            _ = try staffDesk.respond(to: long.ticketNumber, message: "heron toner", isInternal: true)
            _ = try staffDesk.respond(to: long.ticketNumber, message: "refund jams", isInternal: false)
        }
        // Statuses, priorities, assignees and times set straight in the table (its triggers keep
        // the tally and the documents), ties included: a day each for creation, ten for updates.
        try fixture.database.writer.write { db in
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM ticket") {
                let created = fixedNow.addingTimeInterval(-86_400 * Double(Int.random(in: 0..<60, using: &random)))
                let updated = created.addingTimeInterval(86_400 * Double(Int.random(in: 0..<10, using: &random)))
                let assignee: Int64? = [nil, fixture.staff.id, fixture.admin.id].randomElement(using: &random)!
                let requester = Int.random(in: 0..<3, using: &random) == 0 ? fixture.otherRequester.id : fixture.requester.id
                try db.execute(sql: "UPDATE ticket SET submittedBy = ?, status = ?, priority = ?, assignedTo = ?, createdAt = ?, updatedAt = ? WHERE id = ?",
                               arguments: [requester, TicketStatus.allCases.randomElement(using: &random)!.rawValue,
                                           TicketPriority.allCases.randomElement(using: &random)!.rawValue,
                                           assignee, created, updated, id])
            }
        }
        return fixture
    }

    static func randomQuery(_ random: inout Seeded) -> TicketQuery {
        var q = TicketQuery()
        func some<T>(_ all: [T]) -> [T] {
            Int.random(in: 0..<3, using: &random) == 0 ? [] : all.filter { _ in Bool.random(using: &random) }
        }
        q.statuses = some(TicketStatus.allCases)
        q.priorities = Int.random(in: 0..<2, using: &random) == 0 ? [] : some(TicketPriority.allCases)
        q.categories = Int.random(in: 0..<2, using: &random) == 0 ? [] : some(TicketCategory.allCases)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: q.assignee = .nobody
        case 1: q.assignee = .email("sam@example.test")
        default: break
        }
        if Bool.random(using: &random) {
            q.since = fixedNow.addingTimeInterval(-86_400 * Double(Int.random(in: 10..<70, using: &random)))
            if Bool.random(using: &random) { q.until = q.since!.addingTimeInterval(86_400 * Double(Int.random(in: 5..<40, using: &random))) }
        }
        if Int.random(in: 0..<3, using: &random) > 0 {
            q.search = (0..<Int.random(in: 1...2, using: &random)).map { _ in words.randomElement(using: &random)! }.joined(separator: " ")
        }
        q.sort = TicketSort.allCases.randomElement(using: &random)!
        q.reverse = Bool.random(using: &random)
        q.limit = [1, 7, 25].randomElement(using: &random)!
        q.page = Int.random(in: 1...4, using: &random)
        return q
    }

    @Test func theBitmapPlanGivesTodaysPagesAndTotals() throws {
        let fixture = try Self.desk()
        var random = Seeded(state: 1_000_000)
        var bitmapPages = 0, nonEmpty = 0
        for round in 0..<600 {
            let q = Self.randomQuery(&random)
            let user = [fixture.staff, fixture.admin, fixture.requester].randomElement(using: &random)!
            guard let filter = try fixture.desk(user).filter(for: q) else { continue }
            let todays = try fixture.database.tickets(matching: filter, includeInternal: user.role != .user, plan: .todays)
            for walk in [true, false] {
                let bitmap = try fixture.database.tickets(matching: filter, includeInternal: user.role != .user, plan: .bitmap(walk: walk))
                #expect(bitmap.total == todays.total, "round \(round) walk \(walk): \(q)")
                #expect(bitmap.tickets.map(\.ticketNumber) == todays.tickets.map(\.ticketNumber), "round \(round) walk \(walk): \(q)")
                #expect(bitmap.tickets.map(\.attachments.count) == todays.tickets.map(\.attachments.count))
            }
            let applies = try fixture.database.read { db in
                let tails = try AppDatabase.searchReachesTailsOrNotes(db, filter)
                if case .page = try AppDatabase.bitmapPage(db, filter, searchingTailsOrNotes: tails, plan: .bitmap(walk: nil)) { return true }
                return false
            }
            if applies { bitmapPages += 1 }
            if applies && !todays.tickets.isEmpty { nonEmpty += 1 }
        }
        // (the bitmap plan really answered most of them, and many pages were not empty)
        #expect(bitmapPages > 300, "\(bitmapPages)")
        #expect(nonEmpty > 150, "\(nonEmpty)")
    }

    @Test func aSearchThroughATailAndNotesCountsAsToday() throws {
        // Given the long tickets, whose last reply (public) and note are in the tails
        let fixture = try Self.desk()
        for (text, user) in [("refund jams", fixture.requester), ("heron toner", fixture.staff), ("heron toner", fixture.requester),
                             ("cable heron", fixture.staff), ("jams", fixture.admin)] {
            for sort in TicketSort.allCases {
                var q = TicketQuery()
                q.search = text
                q.sort = sort
                q.statuses = [.open, .inProgress, .resolved, .closed]
                q.limit = 500
                let filter = try #require(try fixture.desk(user).filter(for: q))
                // When both plans list it
                let todays = try fixture.database.tickets(matching: filter, includeInternal: user.role != .user, plan: .todays)
                let bitmap = try fixture.database.tickets(matching: filter, includeInternal: user.role != .user, plan: .bitmap(walk: nil))
                // Then they agree, and a requester never finds a ticket through a note
                #expect(bitmap.total == todays.total && bitmap.tickets.map(\.ticketNumber) == todays.tickets.map(\.ticketNumber),
                        "\(text) \(sort) \(user.email)")
                if user.role == .user && text == "heron toner" {
                    #expect(bitmap.tickets.allSatisfy { $0.subject != "Scanner" && $0.subject != "Plotter" })
                }
            }
        }
    }

    static func plan(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> String {
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }.joined(separator: "\n")
    }

    @Test func theBitmapPlanReadsIndexesOnly() throws {
        // Given each filter's fill statement and each order's walk
        let fixture = try Self.desk()
        var q = TicketQuery()
        q.statuses = [.open, .closed]
        q.priorities = [.high]
        q.categories = [.bugReport, .accountIssue]
        q.assignee = .nobody
        q.since = fixedNow.addingTimeInterval(-86_400 * 30)
        q.until = fixedNow
        let filter = try #require(try fixture.desk(fixture.staff).filter(for: q))
        // (and the pairs read together: status and assignee, assignee and priority; one filter alone)
        var statusAndAssignee = q, assigneeAndPriority = q
        statusAndAssignee.priorities = []
        statusAndAssignee.assignee = .email("sam@example.test")
        assigneeAndPriority.statuses = []
        assigneeAndPriority.categories = []
        let pairs = try [statusAndAssignee, assigneeAndPriority].map { try #require(try fixture.desk(fixture.staff).filter(for: $0)) }
        try fixture.database.read { db in
            // Then a fill reads a range of an index that holds the id, never the table
            for filter in [filter] + pairs {
                let parts = AppDatabase.filterParts(filter)
                for part in AppDatabase.fillParts(parts) + parts.map({ ($0.condition, $0.arguments) }) {
                    let plan = try Self.plan(db, "SELECT t.id FROM ticket t WHERE " + part.condition, part.arguments)
                    #expect(plan.contains("SEARCH t USING COVERING INDEX"), "\(part.condition): \(plan)")
                }
                #expect(AppDatabase.fillParts(parts).count < parts.count)
            }
            // And a walk reads the order's index in order: no sort, no table
            try AppDatabase.ensureBitmapFunction(db)
            // (within the range of the filter that leads the index, when there is one)
            let parts = AppDatabase.filterParts(filter)
            for sort in TicketSort.allCases {
                for reverse in [false, true] {
                    for leading in [nil, AppDatabase.leadingPart(parts, sort)] {
                        let sql = "SELECT t.id FROM ticket t INDEXED BY \(AppDatabase.orderIndex(sort))"
                            + " WHERE \(leading.map { $0.condition + " AND " } ?? "")support_in_bitmap(?, t.id)"
                            + AppDatabase.orderClause(sort, reverse: reverse) + " LIMIT 1"
                        let plan = try Self.plan(db, sql, (leading?.arguments ?? []) + [Data()])
                        #expect(plan.contains("COVERING INDEX") && !plan.contains("TEMP B-TREE"), "\(sort) \(reverse): \(plan)")
                        if leading != nil { #expect(plan.contains("SEARCH t"), "\(sort) \(reverse): \(plan)") }
                    }
                }
            }
        }
    }

    @Test func slicesOfTheIdsEstimateTheHits() throws {
        // Given 1,200 tickets spread over 116,400 ids: "toner" in each, "printer" in every third,
        // "cable" only in the ids of the first quarter (outside every slice but one)
        let fixture = try DeskFixture()
        try fixture.database.writer.write { db in
            let first = try Row.fetchOne(db, sql: "SELECT id FROM user WHERE role = 'admin' LIMIT 1")!
            for k in 1...1_200 {
                let message = "toner" + (k % 3 == 0 ? " printer" : "") + (k <= 300 ? " cable" : "")
                try db.execute(sql: """
                    INSERT INTO ticket (id, ticketNumber, subject, message, category, priority, status, submittedBy, createdAt, updatedAt)
                    VALUES (?, ?, 'Spread', ?, 'bug-report', 2, 0, ?, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                    """, arguments: [97 * k, "ST-2031-\(100_000 + k)", message, first[0] as Int64])
            }
        }
        try fixture.database.read { db in
            let maxID = try Int64.fetchOne(db, sql: "SELECT max(id) FROM ticket") ?? 0
            func estimate(_ word: String) throws -> Int {
                try AppDatabase.estimatedHits(db, index: AppDatabase.staffSearchIndex, match: #require(AppDatabase.searchMatch(word)), maxID: maxID)
            }
            // When four slices are counted and scaled up
            // Then the estimates are near the true counts where the words are spread evenly
            let toner = try estimate("toner"), printer = try estimate("printer"), heron = try estimate("heron")
            #expect(abs(toner - 1_200) <= 300, "\(toner)")
            #expect(abs(printer - 400) <= 150, "\(printer)")
            #expect(heron == 0)
            // and a desk of fewer ids than the bitmap plan's margin is left to the exact count
            #expect(try AppDatabase.estimatedHits(db, index: AppDatabase.staffSearchIndex, match: "toner", maxID: 79_999) == 0)
        }
    }
}
