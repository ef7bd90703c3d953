import Foundation
import GRDB
import Testing
@testable import SupportCore

/// Issue 14's other views: a person's tickets (`--assignee me`, `--requester EMAIL`, a requester's
/// own list) in every order, and a common word's search in every order, are read in order from
/// an index and stop at the page, never gathered and sorted.
@Suite("ordered view plans")
struct OrderedViewPlanTests {
    static func plan(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [String] {
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
    }

    enum Person: String, CaseIterable, Sendable { case assigneeMe, requesterEmail, ownList }

    @Test(arguments: Person.allCases, TicketSort.listOrders)
    func aPersonsTicketsInEveryOrderAreReadInOrderFromAnIndex(_ person: Person, _ sort: TicketSort) throws {
        // Given a person's view sorted both ways
        let fixture = try DeskFixture()
        for reverse in [false, true] {
            var query = TicketQuery()
            query.sort = sort
            query.reverse = reverse
            var actor = fixture.staff
            switch person {
            case .assigneeMe: query.assignee = .me
            case .requesterEmail: query.requesterEmail = "jane@example.test"
            case .ownList: actor = fixture.requester
            }
            let filter = try #require(try fixture.desk(actor).filter(for: query))
            let list = try #require(AppDatabase.listSQL(for: filter))
            // When SQLite plans the page and the count
            let (page, count) = try fixture.database.writer.read { db in
                (try Self.plan(db, list.pageSQL, list.pageArguments), try Self.plan(db, list.countSQL, list.countArguments))
            }
            let described = "\(person) \(sort) reverse \(reverse):\n" + page.joined(separator: "\n")
            // Then every step reading tickets searches the person's range of an index, nothing is sorted
            #expect(!described.contains("TEMP B-TREE"), "\(described)")
            let ticketSteps = page.filter { $0.hasPrefix("SCAN t") || $0.hasPrefix("SEARCH t ") }
            #expect(!ticketSteps.isEmpty, "\(described)")
            #expect(ticketSteps.allSatisfy { $0.hasPrefix("SEARCH t USING INDEX ") || $0.hasPrefix("SEARCH t USING COVERING INDEX ") },
                    "\(described)")
            // And by status, one range per status, merged
            if sort == .status { #expect(page.contains("MERGE (UNION ALL)"), "\(described)") }
            // And the total is a search of an index, no ticket row read
            #expect(count.count == 1 && count[0].hasPrefix("SEARCH t USING COVERING INDEX "), "\(person) \(sort): \(count)")
        }
    }

    @Test(arguments: [TicketSort.updated, .priority, .status])
    func aSearchInAnOrderWalksTheOrdersIndex(_ sort: TicketSort) throws {
        // Given a search sorted by something other than its own order, alone and with filters
        let fixture = try DeskFixture()
        for (name, configure) in [("alone", { (_: inout TicketQuery) in }),
                                  ("--status a,b", { $0.statuses = [.open, .inProgress] }),
                                  ("--assignee none --category", { $0.assignee = .nobody; $0.categories = [.bugReport] })] as [(String, (inout TicketQuery) -> Void)] {
            for reverse in [false, true] {
                var query = TicketQuery()
                query.search = "printer crashes"
                query.sort = sort
                query.reverse = reverse
                configure(&query)
                let filter = try #require(try fixture.desk(fixture.staff).filter(for: query))
                let ordered = try #require(AppDatabase.searchPageInIndexOrder(for: filter))
                // When SQLite plans that page
                let page = try fixture.database.writer.read { db in try Self.plan(db, ordered.sql, ordered.arguments) }
                let described = "\(sort) \(name) reverse \(reverse):\n" + page.joined(separator: "\n")
                // Then the tickets come in order from an index, each checked in the full-text index by rowid
                #expect(!described.contains("TEMP B-TREE"), "\(described)")
                #expect(page.first?.hasPrefix("SCAN t USING INDEX ") == true, "\(described)")
                #expect(page.contains { $0.hasPrefix("SCAN f VIRTUAL TABLE INDEX 0:=M") }, "\(described)")
            }
        }
    }

    @Test func aSearchInAnOrderListsWhatSortingEveryHitLists() throws {
        // Given 60 tickets, 45 of them about a printer, in mixed priorities, statuses and updates
        let fixture = try DeskFixture()
        for i in 0..<60 {
            let ticket = try fixture.openTicket(by: nil, subject: i % 4 == 3 ? "Scanner jam" : "Printer \(i)",
                                                message: "Details \(i)")
            try fixture.database.writer.write { db in
                try db.execute(sql: "UPDATE ticket SET priority = ?, status = ?, updatedAt = ? WHERE id = ?",
                               arguments: [1 + (i * 7) % 4, (i * 5) % 3, fixedNow.addingTimeInterval(Double((i * 11) % 6) * 60), ticket.id])
            }
        }
        for sort in [TicketSort.updated, .priority, .status] {
            for reverse in [false, true] {
                // When each page of one ticket is read by walking the order's index, and all by
                // sorting every hit
                var query = TicketQuery()
                query.search = "printer"
                query.sort = sort
                query.reverse = reverse
                query.limit = 1
                var walked: [Int64] = []
                for page in 1...46 {
                    query.page = page
                    let filter = try #require(try fixture.desk(fixture.staff).filter(for: query))
                    let ordered = try #require(AppDatabase.searchPageInIndexOrder(for: filter))
                    walked += try fixture.database.writer.read { db in
                        try Int64.fetchAll(db, sql: "SELECT id FROM (\(ordered.sql))", arguments: ordered.arguments)
                    }
                }
                query.page = 1
                let firstPage = try #require(try fixture.desk(fixture.staff).filter(for: query))
                let usesWalk = try fixture.database.writer.read { db in try AppDatabase.indexOrderIsCheaper(db, firstPage, hits: 45) }
                let listed = try fixture.desk(fixture.staff).listTickets(query)
                query.limit = 50
                let filter = try #require(try fixture.desk(fixture.staff).filter(for: query))
                let sorted = try #require(AppDatabase.listSQL(for: filter))
                let all = try fixture.database.writer.read { db in
                    try Int64.fetchAll(db, sql: "SELECT id FROM (\(sorted.pageSQL))", arguments: sorted.pageArguments)
                }
                // Then both give the same tickets in the same order, page after page
                #expect(all.count == 45)
                #expect(walked == all, "\(sort) reverse \(reverse)")
                // And the store takes the walk for the first page of one (45 hits of 60 tickets), with the same answer
                #expect(usesWalk, "\(sort)")
                #expect(listed.total == 45 && listed.tickets.map(\.id) == [all[0]], "\(sort) reverse \(reverse)")
            }
        }
    }
}
