import Foundation
import GRDB
import Testing
@testable import SupportCore

/// The ranked read's packed document lengths (`ticket_search_length`, `ticket_search_staff_length`):
/// after any write, each slot holds exactly its document's `%_docsize` bytes (zeros after), and a
/// slot without a document is zeros. A stale slot would change a score without any error.
@Suite("search: packed document lengths")
struct SearchLengthsTests {
    static let ids = 128, slot = 16

    /// Both tables against what `%_docsize` says now (a block missing on either side is zeros).
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
        // And a long ticket's tail (many replies) changes nothing of it
        for i in 1...35 {
            _ = try staff.respond(to: tickets[5].ticketNumber, message: "step \(i)", isInternal: i % 3 == 0)
        }
        try Self.expectExact(fixture)
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
