import Foundation
import GRDB
import Testing
@testable import SupportCore

/// The ranked read's packed document lengths (`ticket_search_staff_length`):
/// after any write, each slot holds exactly its document's `%_docsize` bytes (zeros after), and a
/// slot without a document is zeros. A stale slot would change a score without any error; a slot
/// left as zeros would send the ranked read to `%_docsize` (as slow as without them): both fail
/// `expectExact`, which is how the triggers' order (after the search triggers) is held.
@Suite("search: packed document lengths")
struct SearchLengthsTests {
    static let ids = 128, slot = 16

    /// The tables against what `%_docsize` says now (a block missing on either side is zeros).
    static func expectExact(_ fixture: DeskFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for index in SearchLengths.indexes {
            let (sizes, packed) = try fixture.database.writer.read { db in
                (try Row.fetchAll(db, sql: "SELECT id, sz FROM \(index)_docsize"),
                 try Row.fetchAll(db, sql: "SELECT block, sizes FROM \(index)_length"))
            }
            var expected: [Int64: [UInt8]] = [:]
            for row in sizes {
                let id: Int64 = row["id"], sz: Data = row["sz"]
                var block = expected[id >> 7] ?? [UInt8](repeating: 0, count: ids * slot)
                let at = Int(id & 127) * slot
                block.replaceSubrange(at..<(at + sz.count), with: sz)
                expected[id >> 7] = block
            }
            var actual: [Int64: [UInt8]] = [:]
            for row in packed { actual[row["block"]] = [UInt8](row["sizes"] as Data) }
            let zeros = [UInt8](repeating: 0, count: ids * slot)
            for block in Set(expected.keys).union(actual.keys).sorted() {
                let same = (actual[block] ?? zeros) == (expected[block] ?? zeros)
                #expect(same, "\(index): block \(block) differs from %_docsize", sourceLocation: sourceLocation)
            }
            #expect(!sizes.isEmpty, "\(index) has documents", sourceLocation: sourceLocation)
        }
    }

    @Test func everyWriteOfTheIndexesKeepsThemExact() throws {
        // Given tickets across two blocks of ids, one long enough that its sizes take two bytes
        let fixture = try DeskFixture()
        _ = try fixture.desk(fixture.admin).setSetting(.ticketRateLimitPerHour, to: "0")
        var tickets: [Ticket] = []
        for n in 1...140 {
            let message = n == 3 ? Array(repeating: "toner", count: 300).joined(separator: " ") : "Message \(n) about a jam"
            tickets.append(try fixture.openTicket(by: n % 2 == 0 ? fixture.requester : fixture.otherRequester,
                                                  subject: "Printer \(n)", message: message))
        }
        try Self.expectExact(fixture)
        // When staff reply, write internal notes, edit a subject and a message, and delete tickets
        let staff = fixture.desk(fixture.staff)
        for ticket in tickets.prefix(40) {
            _ = try staff.respond(to: ticket.ticketNumber, message: "Replaced the drum of \(ticket.ticketNumber)", isInternal: false)
        }
        for ticket in tickets.suffix(20) {
            _ = try staff.respond(to: ticket.ticketNumber, message: "Note: " + Array(repeating: "fuser", count: 200).joined(separator: " "),
                                  isInternal: true)
        }
        var changes = TicketChanges()
        changes.subject = "Printer jammed again and again and again"
        changes.message = "Longer message now " + Array(repeating: "paper", count: 150).joined(separator: " ")
        _ = try fixture.operatorDesk.updateTicket(tickets[128].ticketNumber, changes)
        try fixture.operatorDesk.deleteTicket(tickets[2].ticketNumber)
        try fixture.operatorDesk.deleteTicket(tickets[129].ticketNumber)
        // Then each slot is its document's sizes again, and a deleted ticket's slot is zeros
        try Self.expectExact(fixture)
        // And a long ticket's tail (many replies), folded back every 16, keeps them exact
        for i in 1...35 {
            _ = try staff.respond(to: tickets[5].ticketNumber, message: "step \(i)", isInternal: i % 3 == 0)
            if i % 8 == 0 { try Self.expectExact(fixture) }
        }
        try Self.expectExact(fixture)
        // And so do writes no command makes (the sqlite3 shell, a script): a reply moved to
        // another ticket, a reply made a note, a reply deleted, a subject changed, a tail
        // folded by hand
        try fixture.database.writer.write { db in
            let reply = try Int64.fetchOne(db, sql: "SELECT min(id) FROM response WHERE ticketId = ? AND isInternal = 0",
                                           arguments: [try Self.id(db, tickets[10])])!
            try db.execute(sql: "UPDATE response SET ticketId = ? WHERE id = ?", arguments: [try Self.id(db, tickets[130]), reply])
            try db.execute(sql: "UPDATE response SET isInternal = 1 WHERE ticketId = ?", arguments: [try Self.id(db, tickets[11])])
            try db.execute(sql: "DELETE FROM response WHERE ticketId = ?", arguments: [try Self.id(db, tickets[12])])
            try db.execute(sql: "UPDATE ticket SET subject = 'Printer ' || subject WHERE id % 9 = 0")
            try db.execute(sql: "DELETE FROM ticket_search_split")
        }
        try Self.expectExact(fixture)
    }

    static func id(_ db: Database, _ ticket: Ticket) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT id FROM ticket WHERE ticketNumber = ?", arguments: [ticket.ticketNumber.description])!
    }

    @Test func aBatchOfNewTicketsIsIndexedWithTheSegmentsItHadWithoutThem() throws {
        // Given two desks, one without the lengths' triggers, each index merging nothing by itself
        let with = try DeskFixture(), without = try DeskFixture()
        try without.database.writer.write { db in
            for name in SearchLengths.triggers { try db.execute(sql: "DROP TRIGGER \(name.quotedDatabaseIdentifier)") }
        }
        var data: [[Int]] = []
        for fixture in [with, without] {
            // When each makes 400 tickets in one transaction, indexed as a mail batch indexes
            // them (one statement for all, HeldBackTicketSearch), then replies to 100 of them
            try fixture.database.writer.write { db in
                for index in SearchLengths.indexes { try db.execute(sql: "INSERT INTO \(index)(\(index), rank) VALUES('automerge', 0)") }
                let by: Int64 = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE role = 'user' ORDER BY id LIMIT 1")!
                let batch = HeldBackTicketSearch()
                try batch.begin(db)
                #expect(batch.isHolding)
                for i in 0..<400 {
                    try db.execute(sql: """
                        INSERT INTO ticket (ticketNumber, subject, message, category, priority, status, submittedBy, createdAt, updatedAt)
                        VALUES (?, ?, ?, 'bug-report', 2, 0, ?, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                        """, arguments: ["ST-2031-\(100_000 + i)", "Toner \(i)", "toner jam number \(i)", by])
                }
                try batch.finish(db)
                for i in 0..<100 {
                    try db.execute(sql: """
                        INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt)
                        SELECT id, ?, ?, ?, '2026-01-01 00:01:00.000' FROM ticket WHERE ticketNumber = ?
                        """, arguments: ["drum \(i)", by, i % 2, "ST-2031-\(100_000 + i * 3)"])
                }
            }
            data.append(try fixture.database.writer.read { db in
                try SearchLengths.indexes.map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)_data")! }
            })
        }
        // Then the indexes hold as many pages as without them. (Triggers on `%_docsize` itself,
        // the first way of keeping them, made FTS5 write a segment for each document of such a
        // statement: 5,000 of them took 20 times as long.)
        #expect(data[0] == data[1])
        try Self.expectExact(with)
    }

    @Test func aBulkImportFillsThemOnceAndPutsTheTriggersBack() throws {
        // Given an empty desk, when 300 tickets are imported in bulk (their triggers set aside)
        let fixture = try DeskFixture()
        let lines = (1...300).map { BulkImportTests.line($0, replyIDs: $0 % 3 == 0 ? [$0] : []) }
        let summary = try fixture.operatorDesk.importTickets(lines: lines, batchSize: 64)
        #expect(summary.imported == 300 && summary.errors.isEmpty)
        // Then the tables hold every document's sizes
        try Self.expectExact(fixture)
        // And the triggers are back: a reply afterwards keeps them exact
        let number = try fixture.database.writer.read { db in try String.fetchOne(db, sql: "SELECT ticketNumber FROM ticket WHERE id = 200") }
        _ = try fixture.desk(fixture.staff).respond(to: try TicketNumber.parse(try #require(number)),
                                                    message: Array(repeating: "drum", count: 180).joined(separator: " "), isInternal: false)
        try Self.expectExact(fixture)
    }

    @Test func aSlotThatSaysNothingSendsTheRankedReadToTheIndexsOwnSizes() throws {
        // Given 3,000 more tickets that all hold "toner" (dense hits, read by stretches), on a file
        let fixture = try BitmapPlanTests.desk()
        try fixture.database.writer.write { db in
            let first = try Row.fetchOne(db, sql: "SELECT submittedBy, createdAt FROM ticket ORDER BY id LIMIT 1")!
            for i in 0..<3_000 {
                try db.execute(sql: """
                    INSERT INTO ticket (ticketNumber, subject, message, category, priority, status, submittedBy, createdAt, updatedAt)
                    VALUES (?, ?, ?, 'bug-report', 2, 0, ?, ?, ?)
                    """, arguments: ["ST-2031-\(100_000 + i)", "Toner \(i)", "toner " + String(repeating: "paper ", count: i % 41),
                                     first[0] as Int64, first[1] as DatabaseValue, first[1] as DatabaseValue])
            }
        }
        let (file, directory) = try RelevancePageTests.onFile(fixture)
        defer { try? FileManager.default.removeItem(at: directory) }
        // And every other block of the packed sizes emptied, as a table gone stale would say
        try file.writer.write { db in try db.execute(sql: "UPDATE ticket_search_staff_length SET sizes = zeroblob(length(sizes)) WHERE block % 2 = 0") }
        try file.read { db in
            try AppDatabase.ensureRankFunction(db)
            let match = try #require(AppDatabase.searchMatch("toner"))
            let expected = try RelevancePageTests.fts5Order(db, index: AppDatabase.staffSearchIndex, match: match, reverse: false)
            #expect(expected.count >= 3_000)
            for (stretch, every) in [(0, 0), (256, 64)] as [(Int64, Int64)] {
                AppDatabase.tuneRankedRead(stretchIDs: stretch, decideEvery: every)
                defer { AppDatabase.tuneRankedRead(stretchIDs: 0, decideEvery: 0) }
                // When it ranks them all
                let ranked = try AppDatabase.rankedHits(db, index: AppDatabase.staffSearchIndex, search: "toner", matching: nil,
                                                        reverse: false, keep: expected.count, parallel: false)
                // Then the scores are FTS5's bm25 bit for bit: the emptied slots' sizes came from %_docsize
                #expect(ranked.hits == expected.count)
                #expect(ranked.entries.map(\.id) == expected.map(\.id))
                #expect(ranked.entries.map(\.score.bitPattern) == expected.map(\.score.bitPattern))
            }
        }
    }
}
