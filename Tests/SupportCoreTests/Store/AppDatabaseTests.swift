import Foundation
import GRDB
import Testing
@testable import SupportCore

@Suite("AppDatabase")
struct AppDatabaseTests {
    @Test func ticketNumbersCountPerYearAndGrowPast999() throws {
        // Given a database whose sequence for 2026 already stands at 998
        let fixture = try DeskFixture()
        try fixture.database.writer.write { db in
            try db.execute(sql: "INSERT INTO ticket_sequence (year, lastNumber) VALUES (2026, 998)")
        }
        // When three tickets are opened
        let numbers = try (1...3).map { _ in try fixture.openTicket(by: nil).ticketNumber.description }
        // Then the sequence goes on from 999 to four digits
        #expect(numbers == ["ST-2026-999", "ST-2026-1000", "ST-2026-1001"])
        let shown = try fixture.operatorDesk.ticket(TicketNumber.parse("ST-2026-1000"))
        #expect(shown.ticketNumber.sequence == 1000)
    }

    @Test func aNewYearStartsAtOne() throws {
        // Given a clock near the end of 2026 and one ticket that year
        let clock = TestClock(Date(timeIntervalSince1970: 1_798_761_540)) // 2026-12-31T23:59:00Z
        let fixture = try DeskFixture(clock: clock)
        let last = try fixture.openTicket(by: nil)
        // When the year turns and another ticket is opened
        clock.advance(by: 120)
        let first = try fixture.openTicket(by: nil)
        // Then it is the first of 2027
        #expect(last.ticketNumber.description == "ST-2026-001")
        #expect(first.ticketNumber.description == "ST-2027-001")
    }

    @Test func refusesADatabaseFromANewerVersion() throws {
        // Given a migrated database that records a migration this version does not know
        let queue = try DatabaseQueue()
        _ = try AppDatabase(queue)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        // When it is opened again
        let error = failure { _ = try AppDatabase(queue) }
        // Then it is refused as a storage error (exit 74) with a clear message
        #expect(error?.exitCode == 74)
        #expect(error?.message.contains("newer version") == true)
    }

    @Test func schemaRefusesValuesTheDomainNeverWrites() throws {
        // Given a migrated database with one ticket
        let fixture = try DeskFixture()
        try fixture.openTicket(by: fixture.requester)
        // When raw SQL tries to break an invariant
        // Then SQLite itself refuses it (the CHECKs, NOT NULLs, UNIQUE and foreign keys are in the schema)
        let attempts = [
            "UPDATE ticket SET category = 'Technical Issue'",
            "UPDATE ticket SET priority = 5",
            "UPDATE ticket SET status = -1",
            "UPDATE ticket SET subject = '   '",
            "UPDATE ticket SET ticketNumber = '../../etc/passwd'",
            "UPDATE ticket SET submittedBy = 9999",
            "UPDATE user SET role = 'root'",
            "INSERT INTO user (email, name, role, createdAt) VALUES ('JANE@EXAMPLE.TEST', 'x', 'user', 0)",
            "INSERT INTO ticket (ticketNumber, subject, message, category, priority, status, submittedBy, createdAt, updatedAt) SELECT ticketNumber, subject, message, category, priority, status, submittedBy, createdAt, updatedAt FROM ticket",
        ]
        for sql in attempts {
            #expect(throws: DatabaseError.self, "\(sql)") {
                try fixture.database.writer.write { db in try db.execute(sql: sql) }
            }
        }
    }

    @Test func constraintFailuresNeverShowSQL() {
        // Given a constraint error from SQLite
        let error = AppDatabase.translate(DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "CHECK constraint failed: length(trim(subject))", sql: "INSERT INTO ticket ..."))
        // Then the message a person sees carries neither SQL nor SQLite's wording
        #expect(error.exitCode == 65)
        #expect(!error.message.contains("INSERT"))
        #expect(!error.message.contains("CHECK"))
        #expect(AppDatabase.translate(DatabaseError(resultCode: .SQLITE_BUSY)).exitCode == 75)
        #expect(AppDatabase.translate(DatabaseError(resultCode: .SQLITE_NOTADB)).exitCode == 74)
        #expect(AppDatabase.translate(DatabaseError(resultCode: .SQLITE_CORRUPT)).exitCode == 74)
    }

    @Test func subjectsOfTwoHundredCharactersAreStoredWhateverTheirCodePoints() throws {
        // Given a subject of 150 characters, each an e with a combining accent (300 code points):
        // within the documented limit of 200 characters.
        let fixture = try DeskFixture()
        let subject = String(repeating: "e\u{301}", count: 150)
        #expect(subject.count == 150)
        // When it is opened
        // Then it is stored: the schema's CHECK, which counts code points, leaves room for it.
        let ticket = try fixture.openTicket(by: fixture.requester, subject: subject)
        #expect(ticket.subject == subject)
    }
}
