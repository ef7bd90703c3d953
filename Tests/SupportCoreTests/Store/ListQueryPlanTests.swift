import Foundation
import GRDB
import Testing
@testable import SupportCore

/// Every common `ticket list` path is served by an index: the plan SQLite picks for the SQL the
/// store really runs (`AppDatabase.listSQL(for:)`) never sorts in a temporary B-tree and never
/// scans the whole ticket table. The planner has no statistics here (no ANALYZE), as in a fresh
/// production file.
@Suite("list query plans")
struct ListQueryPlanTests {
    /// One list path: a name for the report, the query, and the actor's scope.
    struct Path: Sendable, CustomTestStringConvertible {
        var name: String
        var query: TicketQuery
        /// A requester's own list (`filter.submittedBy` set by the rules, not by `--requester`).
        var ownTicketsOnly = false
        var assignee: TicketQuery.Assignee?
        var testDescription: String { name }

        init(_ name: String, ownTicketsOnly: Bool = false, assignee: TicketQuery.Assignee? = nil,
             _ configure: (inout TicketQuery) -> Void = { _ in }) {
            self.name = name
            var query = TicketQuery()
            configure(&query)
            self.query = query
            self.ownTicketsOnly = ownTicketsOnly
            self.assignee = assignee
        }
    }

    static let paths: [Path] = [
        Path("no filter"),
        Path("no filter, oldest first") { $0.reverse = true },
        Path("--status") { $0.statuses = [.open] },
        Path("--status, oldest first") { $0.statuses = [.open]; $0.reverse = true },
        Path("--priority") { $0.priorities = [.high] },
        Path("--category") { $0.categories = [.bugReport] },
        Path("--assignee EMAIL", assignee: .email("sam@example.test")),
        Path("--assignee none", assignee: .nobody),
        Path("--requester") { $0.requesterEmail = "jane@example.test" },
        Path("--since/--until") { $0.since = fixedNow.addingTimeInterval(-86_400); $0.until = fixedNow },
        Path("--status --since") { $0.statuses = [.open]; $0.since = fixedNow.addingTimeInterval(-86_400) },
        Path("--sort priority") { $0.sort = .priority },
        Path("--sort priority --reverse") { $0.sort = .priority; $0.reverse = true },
        Path("--sort priority --status") { $0.sort = .priority; $0.statuses = [.inProgress] },
        Path("--sort updated") { $0.sort = .updated },
        Path("--sort updated --reverse") { $0.sort = .updated; $0.reverse = true },
        Path("--sort status") { $0.sort = .status },
        Path("--sort status --reverse") { $0.sort = .status; $0.reverse = true },
        Path("a requester's own list", ownTicketsOnly: true),
        Path("a requester's own list, --status", ownTicketsOnly: true) { $0.statuses = [.open] },
        Path("--requester --status") { $0.requesterEmail = "jane@example.test"; $0.statuses = [.open] },
        // Several values of one filter: one index range per value, merged in order
        Path("--status a,b") { $0.statuses = [.open, .inProgress] },
        Path("--status a,b, oldest first") { $0.statuses = [.open, .inProgress]; $0.reverse = true },
        Path("--status (all four)") { $0.statuses = TicketStatus.allCases },
        Path("--priority a,b") { $0.priorities = [.high, .critical] },
        Path("--category a,b") { $0.categories = [.bugReport, .accountIssue] },
        Path("--category a,b, oldest first") { $0.categories = [.bugReport, .accountIssue]; $0.reverse = true },
        Path("--status a,b --priority c,d") { $0.statuses = [.open, .inProgress]; $0.priorities = [.high, .critical] },
        Path("--status a,b --since") { $0.statuses = [.open, .resolved]; $0.since = fixedNow.addingTimeInterval(-86_400) },
        Path("--status a --priority c,d") { $0.statuses = [.open]; $0.priorities = [.high, .critical] },
        Path("--status a,b --category c") { $0.statuses = [.open, .inProgress]; $0.categories = [.bugReport] },
        Path("--assignee EMAIL --status a,b", assignee: .email("sam@example.test")) { $0.statuses = [.open, .inProgress] },
        Path("--assignee none --priority a,b", assignee: .nobody) { $0.priorities = [.low, .high] },
        Path("a requester's own list, --priority a,b", ownTicketsOnly: true) { $0.priorities = [.high, .critical] },
        Path("a requester's own list, --status a,b", ownTicketsOnly: true) { $0.statuses = [.open, .resolved] },
        // The queues agents watch (issue 14): two equality filters, one index range in order
        Path("--assignee none --status", assignee: .nobody) { $0.statuses = [.open] },
        Path("--assignee EMAIL --status", assignee: .email("sam@example.test")) { $0.statuses = [.inProgress] },
        Path("--assignee none --category", assignee: .nobody) { $0.categories = [.bugReport] },
        Path("--assignee EMAIL --category", assignee: .email("sam@example.test")) { $0.categories = [.bugReport] },
        Path("--status --sort updated") { $0.statuses = [.open]; $0.sort = .updated },
        Path("--status --sort updated --reverse") { $0.statuses = [.open]; $0.sort = .updated; $0.reverse = true },
        Path("--assignee EMAIL --sort updated", assignee: .email("sam@example.test")) { $0.sort = .updated },
        Path("--assignee none --sort updated", assignee: .nobody) { $0.sort = .updated },
    ]

    /// The index each queue view must read, for its page and its total alike.
    static let queueIndexes: [String: String] = [
        "--assignee none --status": "ticket_on_status_assignedTo_createdAt",
        "--assignee EMAIL --status": "ticket_on_status_assignedTo_createdAt",
        "--assignee none --category": "ticket_on_category_assignedTo_createdAt",
        "--assignee EMAIL --category": "ticket_on_category_assignedTo_createdAt",
        "--status --sort updated": "ticket_on_status_updatedAt",
        "--status --sort updated --reverse": "ticket_on_status_updatedAt",
        "--assignee EMAIL --sort updated": "ticket_on_assignedTo_updatedAt",
        "--assignee none --sort updated": "ticket_on_assignedTo_updatedAt",
    ]

    /// The `detail` column of EXPLAIN QUERY PLAN, one line per step.
    static func plan(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [String] {
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
    }

    @Test(arguments: paths)
    func listIsServedByAnIndex(_ path: Path) throws {
        // Given a database with the people the filters name
        let fixture = try DeskFixture()
        var query = path.query
        query.assignee = path.assignee
        let desk = fixture.desk(path.ownTicketsOnly ? fixture.requester : fixture.staff)
        let filter = try #require(try desk.filter(for: query), "the filter matches nothing")
        let list = try #require(AppDatabase.listSQL(for: filter))
        // When SQLite plans the page and the count the store runs
        let (page, count) = try fixture.database.writer.read { db in
            (try Self.plan(db, list.pageSQL, list.pageArguments), try Self.plan(db, list.countSQL, list.countArguments))
        }
        // Then the page comes out of an index in the requested order
        let described = page.joined(separator: "\n")
        #expect(!described.contains("TEMP B-TREE"), "\(path.name): sorts in a temporary B-tree:\n\(described)")
        let ticketStep = try #require(page.first { $0.hasPrefix("SCAN t ") || $0.hasPrefix("SEARCH t ") }, "\(described)")
        #expect(ticketStep.contains(" USING INDEX ") || ticketStep.contains(" USING COVERING INDEX "),
                "\(path.name): reads the ticket table without an index:\n\(described)")
        // And a filter narrows the index with a SEARCH on it rather than scanning all of it
        let filtered = !filter.query.statuses.isEmpty || !filter.query.priorities.isEmpty || !filter.query.categories.isEmpty
            || filter.assignedTo != nil || filter.submittedBy != nil || filter.query.since != nil
        if filtered {
            #expect(ticketStep.hasPrefix("SEARCH t "), "\(path.name): scans every ticket:\n\(described)")
        }
        // And a requester's list with a status uses both constraints, not a scan of every such ticket
        if filter.submittedBy != nil && !filter.query.statuses.isEmpty {
            #expect(ticketStep.contains("submittedBy=?") && ticketStep.contains("status=?"), "\(path.name):\n\(described)")
        }
        // And a queue view reads its own two-column index, for the page and for the total
        let counted = count.joined(separator: "\n")
        if let index = Self.queueIndexes[path.name] {
            #expect(ticketStep.contains("INDEX \(index) ("), "\(path.name):\n\(described)")
            #expect(count.contains { $0.hasPrefix("SEARCH t USING COVERING INDEX ") }, "\(path.name):\n\(counted)")
        }
        // And the total is counted from an index alone
        #expect(count.allSatisfy { !$0.hasPrefix("SCAN t ") || $0.contains("COVERING INDEX") }, "\(path.name):\n\(counted)")
        if filtered {
            #expect(count.contains { $0.hasPrefix("SEARCH t ") }, "\(path.name): the count scans every ticket:\n\(counted)")
        }
    }

    @Test(arguments: TicketSort.listOrders, [false, true])
    func sinceWithEverySortIsReadInOrderAndCountedFromAnIndex(_ sort: TicketSort, _ reverse: Bool) throws {
        // Given `--since` with a sort order
        let fixture = try DeskFixture()
        var query = TicketQuery()
        query.since = fixedNow.addingTimeInterval(-86_400)
        query.sort = sort
        query.reverse = reverse
        let filter = try #require(try fixture.desk(fixture.staff).filter(for: query))
        let list = try #require(AppDatabase.listSQL(for: filter))
        // When SQLite plans the page and the count
        let (page, count) = try fixture.database.writer.read { db in
            (try Self.plan(db, list.pageSQL, list.pageArguments), try Self.plan(db, list.countSQL, list.countArguments))
        }
        // Then the page is read in order from an index (the window filtered inside it), never sorted
        let described = page.joined(separator: "\n")
        #expect(!described.contains("TEMP B-TREE"), "\(sort): \(described)")
        #expect(page.contains { $0.contains(" USING INDEX ") || $0.contains(" USING COVERING INDEX ") }, "\(sort): \(described)")
        // And the total is one range of the createdAt index, no ticket row read
        #expect(count == ["SEARCH t USING COVERING INDEX ticket_on_createdAt (createdAt>?)"], "\(sort): \(count)")
    }

    /// Plans the page of `query` and expects it to merge (UNION ALL) `ranges` ordered ranges of
    /// `index`, one per status, without a temporary B-tree. Returns the SQL of the list's count.
    @discardableResult
    static func expectMergedRanges(_ fixture: DeskFixture, _ query: TicketQuery, index: String, ranges: Int,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let filter = try #require(try fixture.desk(fixture.staff).filter(for: query), sourceLocation: sourceLocation)
        let list = try #require(AppDatabase.listSQL(for: filter), sourceLocation: sourceLocation)
        let page = try fixture.database.writer.read { db in try Self.plan(db, list.pageSQL, list.pageArguments) }
        let described = page.joined(separator: "\n")
        #expect(page.contains("MERGE (UNION ALL)"), "\(described)", sourceLocation: sourceLocation)
        #expect(page.filter { $0.hasPrefix("SEARCH t USING INDEX \(index) (status=?)") }.count == ranges, "\(described)",
                sourceLocation: sourceLocation)
        #expect(!described.contains("TEMP B-TREE"), "\(described)", sourceLocation: sourceLocation)
        return list.countSQL
    }

    @Test func severalValuesOfOneFilterAreMergedFromTheirIndexRanges() throws {
        // Given two statuses (one given twice), newest first, and no other filter
        let fixture = try DeskFixture()
        var query = TicketQuery()
        query.statuses = [.open, .inProgress, .open]
        // When SQLite plans the page
        // Then it merges one ordered range of the status index per distinct status, and sorts nothing
        let countSQL = try Self.expectMergedRanges(fixture, query, index: "ticket_on_status_createdAtDesc_idDesc", ranges: 2)
        // And the count stays one statement over the same index
        #expect(countSQL == "SELECT count(*) FROM ticket t WHERE t.status IN (?,?,?)")
    }

    @Test func severalStatusesByPriorityAreMergedFromTheStatusPriorityIndex() throws {
        // Given two statuses sorted by priority, both ways
        let fixture = try DeskFixture()
        for reverse in [false, true] {
            var query = TicketQuery()
            query.statuses = [.open, .inProgress]
            query.sort = .priority
            query.reverse = reverse
            // When SQLite plans the page
            // Then each status's range of (status, priority, createdAt) is read in order and merged
            try Self.expectMergedRanges(fixture, query, index: "ticket_on_status_priority_createdAt", ranges: 2)
        }
    }

    @Test func otherOrdersAndEqualityFiltersKeepThePlainQuery() throws {
        // Given multi-value filters where SQLite already reads an index in order, or sorts by something else
        var byPriority = TicketQuery()
        byPriority.statuses = [.open, .closed]
        byPriority.priorities = [.low, .high]
        byPriority.sort = .priority
        var withAssignee = TicketQuery()
        withAssignee.statuses = [.open, .closed]
        withAssignee.assignee = .nobody
        var withSearch = TicketQuery()
        withSearch.statuses = [.open, .closed]
        withSearch.search = "printer"
        let fixture = try DeskFixture()
        for query in [byPriority, withAssignee, withSearch] {
            let filter = try #require(try fixture.desk(fixture.staff).filter(for: query))
            // When the page's SQL is built
            let list = try #require(AppDatabase.listSQL(for: filter))
            // Then it is the one SELECT with IN lists
            #expect(!list.pageSQL.contains("UNION ALL"), "\(query)")
            #expect(list.pageSQL.contains("t.status IN (?,?)"), "\(query)")
        }
    }

    @Test func searchPagesAndCountsStraightFromTheFullTextIndex() throws {
        // Given a staff search, alone and with a status
        let fixture = try DeskFixture()
        var query = TicketQuery()
        query.search = "printer crashes"
        for statuses in [[], [TicketStatus.open]] {
            query.statuses = statuses
            let filter = try #require(try fixture.desk(fixture.staff).filter(for: query))
            let list = try #require(AppDatabase.listSQL(for: filter))
            // When SQLite plans the page and the count
            let (page, count) = try fixture.database.writer.read { db in
                (try Self.plan(db, list.pageSQL, list.pageArguments), try Self.plan(db, list.countSQL, list.countArguments))
            }
            let described = page.joined(separator: "\n")
            // Then FTS5 hands out the matches in rowid order (no sort), each ticket read by its id
            #expect(page.first?.hasPrefix("SCAN f VIRTUAL TABLE") == true, "\(described)")
            #expect(page.contains("SEARCH t USING INTEGER PRIMARY KEY (rowid=?)"), "\(described)")
            #expect(!described.contains("TEMP B-TREE"), "\(described)")
            // And the words are one MATCH (every word in one document), not a set per word
            #expect(list.pageSQL.components(separatedBy: "MATCH ?").count == 2, "\(list.pageSQL)")
            // And alone, the total is counted in the full-text index without reading a ticket
            // (staff's documents, notes included: the MATCH on the hidden column after their three)
            if statuses.isEmpty {
                #expect(count == ["SCAN f VIRTUAL TABLE INDEX 0:M3"], "\(count)")
                #expect(list.countSQL.contains("FROM ticket_search_staff f"), "\(list.countSQL)")
            }
        }
    }

    @Test func aRequestersSearchStartsFromTheirOwnTicketsAndNamesThePublicColumns() throws {
        // Given a requester's search
        let fixture = try DeskFixture()
        var query = TicketQuery()
        query.search = "printer crashes"
        let filter = try #require(try fixture.desk(fixture.requester).filter(for: query))
        let list = try #require(AppDatabase.listSQL(for: filter))
        // When SQLite plans the page
        let page = try fixture.database.writer.read { db in try Self.plan(db, list.pageSQL, list.pageArguments) }
        let described = page.joined(separator: "\n")
        // Then their own tickets come from their index, and each is looked up in the full-text
        // index by its rowid (`=`), with the MATCH
        #expect(page.contains { $0.hasPrefix("SEARCH t USING INDEX ticket_on_submittedBy") }, "\(described)")
        #expect(page.contains { $0.hasPrefix("SCAN f VIRTUAL TABLE INDEX 0:=M") }, "\(described)")
        // And the query never names the index of internal notes (their own since issue 13)
        #expect(!filter.searchesInternalNotes)
        #expect(AppDatabase.searchMatch(query.search!) == #"("printer" AND "crashes")"#)
        #expect(!(list.countSQL + list.pageSQL).contains("ticket_search_note"))
    }
}
