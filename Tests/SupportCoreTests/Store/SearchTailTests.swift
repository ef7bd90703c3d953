import Foundation
import GRDB
import Testing
@testable import SupportCore

/// Migration v10: the latest replies of a long ticket are indexed as documents of their own (the
/// ticket's tail) instead of re-indexing the whole ticket on every reply. Search must not notice:
/// every word somewhere in what the actor may see, whether it sits in the document or the tail.
@Suite("search over long tickets (v10 tails)")
struct SearchTailTests {
    /// A ticket with `replies` public replies ("step N"), opened by the requester, answered by staff.
    static func longTicket(_ fixture: DeskFixture, subject: String = "Printer offline", replies: Int) throws -> Ticket {
        let ticket = try fixture.openTicket(by: fixture.requester, subject: subject, message: "It stopped printing.")
        for i in 1...replies {
            _ = try fixture.desk(fixture.staff).respond(to: ticket.ticketNumber, message: "step \(i) done", isInternal: false)
        }
        return ticket
    }

    static func search(_ fixture: DeskFixture, _ text: String, as user: User?, sort: TicketSort = .created) throws -> [TicketNumber] {
        var query = TicketQuery()
        query.search = text
        query.sort = sort
        let page = try fixture.desk(user).listTickets(query)
        #expect(page.total == page.tickets.count, "\(text): total \(page.total), listed \(page.tickets.count)")
        return page.tickets.map(\.ticketNumber)
    }

    /// FTS5 checks both indexes against the views they were built from: any drift between what the
    /// triggers indexed and what the views say (a document taken out with other text) fails here.
    static func expectIndexesIntact(_ fixture: DeskFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try fixture.database.writer.write { db in
            try db.execute(sql: "INSERT INTO ticket_search(ticket_search, rank) VALUES('integrity-check', 1)")
            try db.execute(sql: "INSERT INTO ticket_search_reply(ticket_search_reply, rank) VALUES('integrity-check', 1)")
            try db.execute(sql: "INSERT INTO ticket_search_note(ticket_search_note, rank) VALUES('integrity-check', 1)")
        }
    }

    static func tail(_ fixture: DeskFixture) throws -> (split: Int, replies: Int) {
        try fixture.database.writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_split") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_reply_docsize") ?? -1)
        }
    }

    @Test func aWordOnlyInTheTailAndWordsSplitBetweenDocumentAndTailAreFound() throws {
        // Given a ticket with 35 replies (the last three in its tail) and a short one with the same subject
        let fixture = try DeskFixture()
        let long = try Self.longTicket(fixture, replies: 32)
        let short = try fixture.openTicket(by: fixture.otherRequester, subject: "Printer offline", message: "Also here.")
        for message in ["tried zanzibar cable", "reboot", "driver reinstalled"] {
            _ = try fixture.desk(fixture.staff).respond(to: long.ticketNumber, message: message, isInternal: false)
        }
        #expect(try Self.tail(fixture) == (1, 3))
        // When staff search a word only a tail reply has, and words split between subject and tail
        // Then the long ticket is found, and only it; stemming applies in the tail too
        #expect(try Self.search(fixture, "zanzibar", as: fixture.staff) == [long.ticketNumber])
        #expect(try Self.search(fixture, "printer zanzibar", as: fixture.staff) == [long.ticketNumber])
        #expect(try Self.search(fixture, "printers reinstalling", as: fixture.staff) == [long.ticketNumber])
        #expect(try Self.search(fixture, "zanzibar reboot step", as: fixture.staff) == [long.ticketNumber])
        // And a word in no ticket still finds nothing, a word in both finds both, newest first
        #expect(try Self.search(fixture, "zanzibar nowhere", as: fixture.staff) == [])
        #expect(try Self.search(fixture, "printer", as: fixture.staff) == [short.ticketNumber, long.ticketNumber])
        // And every order and relevance list the same tickets, the one matched through its tail last by relevance
        for sort in [TicketSort.updated, .priority, .status, .relevance] {
            #expect(Set(try Self.search(fixture, "printer zanzibar", as: fixture.staff, sort: sort)) == [long.ticketNumber], "\(sort)")
        }
        #expect(try Self.search(fixture, "printer offline", as: fixture.staff, sort: .relevance).count == 2)
        // And the requester who owns it finds it the same way, the other requester does not
        #expect(try Self.search(fixture, "printer zanzibar", as: fixture.requester) == [long.ticketNumber])
        #expect(try Self.search(fixture, "zanzibar", as: fixture.otherRequester) == [])
        try Self.expectIndexesIntact(fixture)
    }

    @Test func anInternalNoteInTheTailIsSearchedByStaffOnly() throws {
        // Given a long (split) ticket with a newer internal note (since notes have their own
        // index it is there, not in the tail)
        let fixture = try DeskFixture()
        let long = try Self.longTicket(fixture, replies: 33)
        _ = try fixture.desk(fixture.staff).respond(to: long.ticketNumber, message: "customer owes quokka fees", isInternal: true)
        #expect(try Self.tail(fixture).split == 1)
        // When staff and the ticket's requester search the note's words
        // Then staff find the ticket, the requester neither finds nor counts it
        #expect(try Self.search(fixture, "quokka", as: fixture.staff) == [long.ticketNumber])
        #expect(try Self.search(fixture, "printer quokka", as: fixture.admin) == [long.ticketNumber])
        #expect(try Self.search(fixture, "quokka", as: fixture.requester) == [])
        #expect(try Self.search(fixture, "printer quokka", as: fixture.requester) == [])
        // And FTS5 syntax in the text is still only words
        #expect(try Self.search(fixture, "quokka OR printer NOT \"step\"", as: fixture.requester) == [])
        #expect(try Self.search(fixture, "quokka*", as: fixture.staff) == [long.ticketNumber])
        try Self.expectIndexesIntact(fixture)
    }

    @Test func sixteenTailRepliesAreFoldedBackIntoTheDocument() throws {
        // Given a ticket past 32 replies
        let fixture = try DeskFixture()
        let long = try Self.longTicket(fixture, replies: 32)
        // When 16 more replies come, each with its own word
        for i in 1...15 {
            _ = try fixture.desk(fixture.staff).respond(to: long.ticketNumber, message: "word\(i)x", isInternal: false)
        }
        #expect(try Self.tail(fixture) == (1, 15))
        _ = try fixture.desk(fixture.staff).respond(to: long.ticketNumber, message: "word16x", isInternal: false)
        // Then the tail is folded into the document: no split row, no tail document
        #expect(try Self.tail(fixture) == (0, 0))
        // And every word is found in the one document; the next reply starts a new tail
        #expect(try Self.search(fixture, "word1x word16x printer", as: fixture.staff) == [long.ticketNumber])
        _ = try fixture.desk(fixture.staff).respond(to: long.ticketNumber, message: "word17x", isInternal: false)
        #expect(try Self.tail(fixture) == (1, 1))
        #expect(try Self.search(fixture, "word17x word3x", as: fixture.staff) == [long.ticketNumber])
        try Self.expectIndexesIntact(fixture)
    }

    @Test func deletingATicketWithATailLeavesBothIndexesIntact() throws {
        // Given two long tickets with tails
        let fixture = try DeskFixture()
        let first = try Self.longTicket(fixture, replies: 36)
        let second = try Self.longTicket(fixture, subject: "Scanner offline", replies: 36)
        #expect(try Self.tail(fixture) == (2, 8))
        // When the admin deletes the first
        try fixture.desk(fixture.admin).deleteTicket(first.ticketNumber)
        // Then its document and tail are gone, the other's stay, and the indexes match the tables
        #expect(try Self.tail(fixture) == (1, 4))
        #expect(try Self.search(fixture, "offline step", as: fixture.staff) == [second.ticketNumber])
        #expect(try Self.search(fixture, "printer", as: fixture.staff) == [])
        try Self.expectIndexesIntact(fixture)
    }

    @Test func repliesWrittenOutOfOrderKeepTheIndexesIntact() throws {
        // Given a long ticket with a tail
        let fixture = try DeskFixture()
        let long = try Self.longTicket(fixture, replies: 34)
        // When rows change under the triggers as an import or a repair would: a reply with an
        // explicit older id, a reply moved, a tail reply edited and one deleted
        try fixture.database.writer.write { db in
            let ticketID = long.id
            let author = try #require(try Int64.fetchOne(db, sql: "SELECT respondedBy FROM response LIMIT 1"))
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM response WHERE ticketId = ? ORDER BY id", arguments: [ticketID])
            try db.execute(sql: "DELETE FROM response WHERE id = ?", arguments: [ids[5]])
            try db.execute(sql: """
                INSERT INTO response (id, ticketId, message, respondedBy, isInternal, createdAt)
                VALUES (?, ?, 'restored walrus', ?, 0, '2026-01-01 00:00:00.000')
                """, arguments: [ids[5], ticketID, author])
            try db.execute(sql: "UPDATE response SET message = 'edited narwhal' WHERE id = ?", arguments: [ids[33]])
            try db.execute(sql: "DELETE FROM response WHERE id = ?", arguments: [ids[32]])
        }
        // Then the words are where the rows say, and the indexes match the tables
        #expect(try Self.search(fixture, "walrus narwhal printer", as: fixture.staff) == [long.ticketNumber])
        #expect(try Self.search(fixture, "step 33", as: fixture.staff) == [])
        try Self.expectIndexesIntact(fixture)
    }
}
