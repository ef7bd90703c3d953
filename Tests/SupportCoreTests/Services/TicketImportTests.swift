import Foundation
import GRDB
import Testing
@testable import SupportCore

/// Import details cheaper to check in-process than through the binary: the savepoint path taken
/// when the database refuses one ticket of a batch, and millisecond-exact times.
@Suite("ticket import (core)")
struct TicketImportTests {
    static func line(_ number: String?, subject: String, requester: String, reply: String? = nil) -> String {
        var object: [String: Any] = [
            "subject": subject, "message": "Body of \(subject)", "category": "bug-report",
            "submittedBy": ["email": requester], "createdAt": "2025-05-01T10:00:00.000Z",
        ]
        if let number { object["ticketNumber"] = number }
        if let reply {
            object["responses"] = [
                ["message": "A first reply", "respondedBy": ["email": "helper@example.test", "role": "internal"],
                 "createdAt": "2025-05-01T11:00:00.000Z"],
                ["message": reply, "respondedBy": ["email": "helper@example.test", "role": "internal"],
                 "createdAt": "2025-05-01T12:00:00.000Z"],
            ]
        }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func count(_ database: AppDatabase, _ sql: String) throws -> Int {
        try database.writer.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test func aTicketTheDatabaseRefusesIsLeftOutWholeAndTheOthersGoIn() throws {
        // Given a database that refuses any reply saying "boom" (as a constraint would), after
        // the ticket and its first reply were written
        let fixture = try DeskFixture()
        try fixture.database.writer.write { db in
            try db.execute(sql: """
                CREATE TEMP TRIGGER refuse_boom BEFORE INSERT ON main.response WHEN NEW.message = 'boom'
                BEGIN SELECT RAISE(ABORT, 'boom'); END
                """)
        }
        let tickets = try Self.count(fixture.database, "SELECT count(*) FROM ticket")
        let users = try Self.count(fixture.database, "SELECT count(*) FROM user")
        // When a batch is imported whose second ticket, by a new requester, has such a reply, and
        // whose third ticket is by the same new requester
        let summary = try fixture.operatorDesk.importTickets(lines: [
            Self.line("ST-2025-001", subject: "First", requester: "jane@example.test"),
            Self.line("ST-2025-002", subject: "Second", requester: "newbie@example.test", reply: "boom"),
            Self.line(nil, subject: "Third", requester: "newbie@example.test"),
        ])
        // Then the second ticket is refused with its line number and nothing of it remains:
        // no ticket, no reply, no audit entry, no search hit
        #expect(summary.imported == 2)
        #expect(summary.errors.map(\.line) == [2])
        #expect(summary.errors.first.map { !$0.message.contains("SQL") && !$0.message.contains("boom") } == true)
        #expect(try fixture.database.ticket(number: TicketNumber.parse("ST-2025-002")) == nil)
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM response") == 0)
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM audit_event WHERE ticketNumber = 'ST-2025-002'") == 0)
        var query = TicketQuery()
        query.search = "first reply"
        #expect(try fixture.operatorDesk.listTickets(query).total == 0)
        // And the others are imported, the third one by the requester first met in the refused ticket
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM ticket") == tickets + 2)
        let third = try #require(try fixture.database.ticket(number: TicketNumber.parse("ST-2025-003")))
        #expect(third.subject == "Third")
        #expect(third.submittedBy.email == "newbie@example.test")
        // And the helper named only in the refused ticket was not created
        #expect(try fixture.database.user(email: "helper@example.test") == nil)
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM user") == users + 1)
    }

    @Test func everyMillisecondSurvivesTheDatabaseAndTheJSON() throws {
        // Given every millisecond of one second, as the database stores it
        for ms in 0..<1000 {
            let stored = "2026-03-14 15:09:26." + String(format: "%03d", ms)
            // When it is read back and printed, and the printed form is imported and stored again
            let read = try #require(Date.fromDatabaseValue(stored.databaseValue))
            let printed = ISO8601.string(read)
            let imported = try #require(try ImportParser.date(printed, field: "createdAt"))
            let storedAgain = String.fromDatabaseValue(imported.databaseValue)
            // Then the same millisecond comes out everywhere
            #expect(printed == "2026-03-14T15:09:26.\(String(format: "%03d", ms))Z")
            #expect(storedAgain == stored)
        }
    }
}
