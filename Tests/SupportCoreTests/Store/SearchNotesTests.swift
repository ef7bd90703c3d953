import Foundation
import GRDB
import Testing
@testable import SupportCore

/// Internal notes are in full-text indexes a requester's search never reads (issue 13, item 16):
/// since migration `ticket-search-staff-documents`, staff's documents of their own (the public
/// text and the notes, one per ticket) and the notes' tail index of long tickets. So what a
/// requester's search finds and what it costs cannot depend on notes. Staff find a ticket when
/// each word is somewhere in it, notes included, with one MATCH, and notes count in their relevance.
@Suite("search: internal notes in indexes a requester never reads")
struct SearchNotesTests {
    static func search(_ fixture: DeskFixture, _ text: String, as user: User?, sort: TicketSort = .created,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> [TicketNumber] {
        var query = TicketQuery()
        query.search = text
        query.sort = sort
        let page = try fixture.desk(user).listTickets(query)
        #expect(page.total == page.tickets.count, "\(text): total \(page.total), listed \(page.tickets.count)",
                sourceLocation: sourceLocation)
        return page.tickets.map(\.ticketNumber)
    }

    static func exported(_ fixture: DeskFixture, _ text: String, as user: User?) throws -> [TicketNumber] {
        var query = TicketQuery()
        query.search = text
        var numbers: [TicketNumber] = []
        try fixture.desk(user).exportTickets(query) { numbers.append($0.ticketNumber) }
        return numbers
    }

    static func expectIndexesIntact(_ fixture: DeskFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try fixture.database.writer.write { db in
            for table in ["ticket_search", "ticket_search_reply", "ticket_search_staff", "ticket_search_note"] {
                try db.execute(sql: "INSERT INTO \(table)(\(table), rank) VALUES('integrity-check', 1)")
            }
        }
    }

    func note(_ fixture: DeskFixture, _ ticket: Ticket, _ text: String) throws {
        _ = try fixture.desk(fixture.staff).respond(to: ticket.ticketNumber, message: text, isInternal: true)
    }

    @Test func aRequestersSearchNeverReadsTheNotesIndex() throws {
        // Given a requester's tickets, with the searched words in subjects, bodies, public replies,
        // the tail of a long ticket, and in many internal notes (some on tickets with the word
        // nowhere else)
        let fixture = try DeskFixture()
        let desk = fixture.desk(fixture.staff)
        var mine: [Ticket] = []
        for i in 0..<12 {
            let ticket = try fixture.openTicket(by: i % 3 == 0 ? fixture.otherRequester : fixture.requester,
                                                subject: i % 2 == 0 ? "Toner low \(i)" : "Screen dim \(i)",
                                                message: i % 4 == 0 ? "The printer jams" : "Nothing works")
            mine.append(ticket)
            try note(fixture, ticket, "toner fraud suspected, printer \(i)")
            if i % 5 == 0 { _ = try desk.respond(to: ticket.ticketNumber, message: "Try a new cable", isInternal: false) }
        }
        let long = try fixture.openTicket(by: fixture.requester, subject: "Scanner", message: "Slow")
        for i in 1...34 { _ = try desk.respond(to: long.ticketNumber, message: "step \(i) cable", isInternal: i % 2 == 0) }
        try note(fixture, long, "toner in the scanner")
        _ = try desk.respond(to: long.ticketNumber, message: "replaced the toner", isInternal: false)
        let texts = ["toner", "fraud", "printer", "toner printer", "cable", "cable toner", "scanner toner", "step cable", "suspected jams"]
        let sorts: [TicketSort] = [.created, .updated, .priority, .status, .relevance]
        var before: [String: [TicketNumber]] = [:]
        for text in texts {
            for sort in sorts { before["\(text) \(sort)"] = try Self.search(fixture, text, as: fixture.requester, sort: sort) }
            before["\(text) export"] = try Self.exported(fixture, text, as: fixture.requester)
        }
        // (the words are really there: the requester finds public hits, never a note-only one)
        #expect(before["toner created"]?.count == 5, "\(before["toner created"] ?? [])")
        #expect(before["fraud created"] == [])
        #expect(try Self.search(fixture, "fraud", as: fixture.staff).count == 12)
        // (a note of the long ticket is in its tail: both indexes that hold notes hold some)
        #expect(try fixture.database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_note") } ?? 0 > 0)
        // When the indexes that hold notes are gone from the file (no statement can read them)
        try fixture.database.writer.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TABLE ticket_search_note")
            try db.execute(sql: "DROP TABLE ticket_search_staff")
        }
        // Then every search and export of the requester gives what it gave, in the same order
        for text in texts {
            for sort in sorts {
                #expect(try Self.search(fixture, text, as: fixture.requester, sort: sort) == before["\(text) \(sort)"], "\(text) \(sort)")
            }
            #expect(try Self.exported(fixture, text, as: fixture.requester) == before["\(text) export"], "\(text) export")
        }
        // And staff, whose search does read notes, now fail: the index really was out of reach
        #expect(failure { _ = try Self.search(fixture, "fraud", as: fixture.staff) } != nil)
    }

    @Test func aRequestersSearchStatementsNeverNameTheNotesIndex() throws {
        // Given a requester's and a staff member's filters for the same search, in every order
        let fixture = try DeskFixture()
        for sort in [TicketSort.created, .updated, .priority, .status, .relevance] {
            var query = TicketQuery()
            query.search = "toner printer"
            query.sort = sort
            let requester = try #require(try fixture.desk(fixture.requester).filter(for: query))
            let staff = try #require(try fixture.desk(fixture.staff).filter(for: query))
            // When the store writes the statements, whatever the tails and notes hold
            for reaching in [false, true] {
                let mine = try #require(AppDatabase.listSQL(for: requester, searchingTailsOrNotes: reaching))
                let theirs = try #require(AppDatabase.listSQL(for: staff, searchingTailsOrNotes: reaching))
                // Then the requester's never name an index that holds notes; staff's read their
                // documents, and the notes' tail once a tail holds a word
                #expect(!(mine.countSQL + mine.pageSQL).contains("ticket_search_note"), "\(sort)")
                #expect(!(mine.countSQL + mine.pageSQL).contains("ticket_search_staff"), "\(sort)")
                #expect((theirs.countSQL + theirs.pageSQL).contains("ticket_search_staff"), "\(sort)")
                #expect((theirs.countSQL + theirs.pageSQL).contains("ticket_search_note") == reaching, "\(sort)")
            }
            let where_ = try #require(AppDatabase.whereClause(requester))
            #expect(!where_.0.contains("ticket_search_note") && !where_.0.contains("ticket_search_staff"))
        }
    }

    @Test func staffFindEachWordAnywhereInTheTicketNotesIncluded() throws {
        // Given a ticket whose words are spread over subject, body, two notes and a public reply
        let fixture = try DeskFixture()
        let ticket = try fixture.openTicket(by: fixture.requester, subject: "Printer offline", message: "Since Monday")
        try note(fixture, ticket, "vendor is quokka inc")
        try note(fixture, ticket, "invoice walrus pending")
        _ = try fixture.desk(fixture.staff).respond(to: ticket.ticketNumber, message: "Replaced narwhal cable", isInternal: false)
        let other = try fixture.openTicket(by: fixture.otherRequester, subject: "Printer jam", message: "quokka")
        // When staff search words that no single place holds
        // Then the ticket is found: a word in a note and another in the subject, the body, a
        // reply, or in another note
        #expect(try Self.search(fixture, "printer walrus", as: fixture.staff) == [ticket.ticketNumber])
        #expect(try Self.search(fixture, "monday quokka", as: fixture.staff) == [ticket.ticketNumber])
        #expect(try Self.search(fixture, "narwhal walrus", as: fixture.staff) == [ticket.ticketNumber])
        #expect(try Self.search(fixture, "quokka walrus", as: fixture.staff) == [ticket.ticketNumber])
        #expect(try Self.search(fixture, "quokka", as: fixture.staff) == [other.ticketNumber, ticket.ticketNumber])
        #expect(try Self.search(fixture, "quokka walrus nowhere", as: fixture.staff) == [])
        for sort in [TicketSort.updated, .priority, .status, .relevance] {
            #expect(Set(try Self.search(fixture, "printer quokka", as: fixture.staff, sort: sort))
                    == [ticket.ticketNumber, other.ticketNumber], "\(sort)")
        }
        #expect(Set(try Self.exported(fixture, "printer walrus", as: fixture.admin)) == [ticket.ticketNumber])
        // And the requester finds it by its public words only
        #expect(try Self.search(fixture, "printer narwhal", as: fixture.requester) == [ticket.ticketNumber])
        #expect(try Self.search(fixture, "printer walrus", as: fixture.requester) == [])
        #expect(try Self.search(fixture, "quokka", as: fixture.requester) == [])
        try Self.expectIndexesIntact(fixture)
    }

    @Test func notesCountInStaffRelevanceOnly() throws {
        // Given two tickets of the same requester with the same text, the older with notes that
        // repeat the word, among tickets without it (so that the word is rare enough to score)
        let fixture = try DeskFixture()
        for i in 0..<6 { _ = try fixture.openTicket(by: fixture.otherRequester, subject: "Screen dim \(i)", message: "Nothing works") }
        let noted = try fixture.openTicket(by: fixture.requester, subject: "Paper jam", message: "The printer is stuck")
        let plain = try fixture.openTicket(by: fixture.requester, subject: "Paper jam", message: "The printer is stuck")
        try note(fixture, noted, "printer printer printer")
        // When both search by relevance
        // Then for staff the notes lift the older one first; for the requester the two tie and
        // the newer comes first
        #expect(try Self.search(fixture, "printer", as: fixture.staff, sort: .relevance) == [noted.ticketNumber, plain.ticketNumber])
        #expect(try Self.search(fixture, "printer", as: fixture.requester, sort: .relevance) == [plain.ticketNumber, noted.ticketNumber])
        // And in reverse, the other way round
        var query = TicketQuery()
        query.search = "printer"
        query.sort = .relevance
        query.reverse = true
        #expect(try fixture.desk(fixture.staff).listTickets(query).tickets.map(\.ticketNumber) == [plain.ticketNumber, noted.ticketNumber])
    }

    @Test func notesEditedMovedAndDeletedKeepTheIndexesIntact() throws {
        // Given tickets with notes and replies, one of them long enough to have a tail
        let fixture = try DeskFixture()
        let first = try fixture.openTicket(by: fixture.requester, subject: "Scanner", message: "Broken")
        let second = try fixture.openTicket(by: fixture.requester, subject: "Monitor", message: "Flickers")
        for i in 1...36 {
            _ = try fixture.desk(fixture.staff).respond(to: first.ticketNumber, message: "step \(i)", isInternal: i % 3 == 0)
        }
        try note(fixture, second, "heron sighted")
        try note(fixture, second, "ibis sighted")
        // When rows change under the triggers: a note edited, a note made public, a public reply
        // made a note, a note moved to the other ticket, a note deleted
        try fixture.database.writer.write { db in
            let notes = try Int64.fetchAll(db, sql: "SELECT id FROM response WHERE ticketId = ? AND isInternal = 1 ORDER BY id",
                                           arguments: [second.id])
            let publicReplies = try Int64.fetchAll(db, sql: "SELECT id FROM response WHERE ticketId = ? AND isInternal = 0 ORDER BY id",
                                                   arguments: [first.id])
            let firstNotes = try Int64.fetchAll(db, sql: "SELECT id FROM response WHERE ticketId = ? AND isInternal = 1 ORDER BY id",
                                                arguments: [first.id])
            try db.execute(sql: "UPDATE response SET message = 'egret sighted' WHERE id = ?", arguments: [notes[0]])
            try db.execute(sql: "UPDATE response SET isInternal = 0 WHERE id = ?", arguments: [notes[1]])
            try db.execute(sql: "UPDATE response SET isInternal = 1, message = 'stork quietly' WHERE id = ?", arguments: [publicReplies.last!])
            try db.execute(sql: "UPDATE response SET ticketId = ? WHERE id = ?", arguments: [second.id, firstNotes[0]])
            try db.execute(sql: "DELETE FROM response WHERE id = ?", arguments: [firstNotes[1]])
        }
        // Then each word is where the rows say, for staff and for the requester
        try Self.expectIndexesIntact(fixture)
        #expect(try Self.search(fixture, "heron", as: fixture.staff) == [])
        #expect(try Self.search(fixture, "egret monitor", as: fixture.staff) == [second.ticketNumber])
        #expect(try Self.search(fixture, "egret", as: fixture.requester) == [])
        #expect(try Self.search(fixture, "ibis monitor", as: fixture.requester) == [second.ticketNumber])
        #expect(try Self.search(fixture, "stork scanner", as: fixture.staff) == [first.ticketNumber])
        #expect(try Self.search(fixture, "stork", as: fixture.requester) == [])
        #expect(try Self.search(fixture, "step 3 monitor", as: fixture.staff) == [second.ticketNumber])
        #expect(try Self.search(fixture, "step 6 scanner", as: fixture.staff) == [])
        // And deleting a ticket takes its notes out of the indexes: one staff document is left,
        // no tail
        try fixture.desk(fixture.admin).deleteTicket(first.ticketNumber)
        try Self.expectIndexesIntact(fixture)
        #expect(try Self.search(fixture, "step", as: fixture.staff) == [second.ticketNumber])
        try fixture.database.writer.read { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_staff_docsize") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_note_docsize") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_staff WHERE ticket_search_staff MATCH 'notes : (egret AND step)'") == 1)
        }
    }

    /// Files of v10 (notes in the tickets' documents) and of the notes' own index (one document
    /// per note).
    @Test(arguments: ["outbox-kind-too-large", "ticket-search-notes-index-of-their-own"])
    func anExistingDatabaseMigratesInPlace(schema: String) throws {
        // Given a file of an earlier schema, with notes and a long ticket split by v10
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: schema)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO user (id, email, name, role, createdAt) VALUES
                    (1, 'jane@example.test', 'Jane', 'user', '2026-01-01 00:00:00.000'),
                    (2, 'sam@example.test', 'Sam', 'internal', '2026-01-01 00:00:00.000');
                INSERT INTO ticket (id, ticketNumber, subject, message, category, priority, status, submittedBy,
                                    assignedTo, createdAt, updatedAt) VALUES
                    (1, 'ST-2026-001', 'Printer', 'jams', 'bug-report', 2, 0, 1, NULL, '2026-01-02 00:00:00.000', '2026-01-02 00:00:00.000'),
                    (2, 'ST-2026-002', 'Scanner', 'slow', 'bug-report', 2, 0, 1, NULL, '2026-01-03 00:00:00.000', '2026-01-03 00:00:00.000');
                INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt) VALUES
                    (1, 'owes quokka fees', 2, 1, '2026-01-02 00:01:00.000'),
                    (1, 'try the tray', 2, 0, '2026-01-02 00:02:00.000');
                """)
            for i in 1...40 {
                try db.execute(sql: """
                    INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt)
                    VALUES (2, ?, 2, ?, '2026-01-03 00:01:00.000')
                    """, arguments: ["scan step \(i)" + (i == 39 ? " heron" : "") + (i == 40 ? " walrus" : ""), i % 2])
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_split") == 1)
        }
        // When this version opens it
        let database = try AppDatabase(queue)
        // Then the notes are in staff's documents (up to the long ticket's mark) and its tail
        // (past it), out of the public documents; the split stays, and every index matches its view
        try database.writer.write { db in
            for table in ["ticket_search", "ticket_search_reply", "ticket_search_staff", "ticket_search_note"] {
                try db.execute(sql: "INSERT INTO \(table)(\(table), rank) VALUES('integrity-check', 1)")
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_split") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search WHERE ticket_search MATCH 'quokka'") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_staff WHERE ticket_search_staff MATCH 'notes : quokka'") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_staff") == 2)
            // the notes past the mark, and only those, are in the tail (heron is note 39 of 40)
            let tailNotes = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM response r JOIN ticket_search_split s ON s.ticketId = r.ticketId AND r.id > s.lastReplyId
                WHERE r.isInternal = 1
                """) ?? 0
            #expect(tailNotes > 0 && tailNotes < 20)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_note") == tailNotes)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_note WHERE ticket_search_note MATCH 'heron'") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_staff WHERE ticket_search_staff MATCH 'heron'") == 0)
        }
        let jane = try #require(try database.user(email: "jane@example.test"))
        let sam = try #require(try database.user(email: "sam@example.test"))
        let fixtureSearch = { (text: String, user: User) throws -> [String] in
            var query = TicketQuery()
            query.search = text
            return try HelpDesk(database: database, actor: .person(user)).listTickets(query).tickets.map(\.ticketNumber.description)
        }
        #expect(try fixtureSearch("printer quokka", sam) == ["ST-2026-001"])
        #expect(try fixtureSearch("printer quokka", jane) == [])
        #expect(try fixtureSearch("scanner heron", sam) == ["ST-2026-002"])
        #expect(try fixtureSearch("scanner heron", jane) == [])
        #expect(try fixtureSearch("scanner walrus", jane) == ["ST-2026-002"])
        #expect(try fixtureSearch("scan step", jane) == ["ST-2026-002"])
    }
}
