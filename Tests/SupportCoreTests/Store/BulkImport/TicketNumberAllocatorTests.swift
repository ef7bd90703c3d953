import Foundation
import GRDB
import Testing
@testable import SupportCore

/// The numbering rules of an import, on their own: a given number is kept and moves its year's
/// counter past it; an unnumbered ticket gets the next of its UTC year; counted in memory for a
/// whole batch (written back once) or taken from the counter per ticket (given back by a rollback).
@Suite("ticket import: ticket numbers")
struct TicketNumberAllocatorTests {
    static let march2025 = ISO8601.date(milliseconds: 1_740_823_200_000) // 2025-03-01T10:00:00Z

    static func counters(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT year || '=' || lastNumber FROM ticket_sequence ORDER BY year")
    }

    @Test func countsInMemoryAndWritesBackOnceAtTheEnd() throws {
        // Given a database whose counters are empty
        let database = try AppDatabase.inMemory()
        try database.writer.write { db in
            var numbers = try TicketNumberAllocator(db, counting: .inMemory)
            // When two unnumbered tickets of 2025 are numbered
            let first = try numbers.number(given: nil, createdAt: Self.march2025)
            let second = try numbers.number(given: nil, createdAt: Self.march2025)
            // Then they get ST-2025-001 and -002, and nothing is written before `finish`
            #expect([first, second].map(\.description) == ["ST-2025-001", "ST-2025-002"])
            #expect(try Self.counters(db) == [])
            try numbers.finish()
            #expect(try Self.counters(db) == ["2025=2"])
        }
    }

    @Test func continuesFromTheCounterInTheDatabase() throws {
        // Given a counter that stands at 41 for 2025
        let database = try AppDatabase.inMemory()
        try database.writer.write { db in
            try db.execute(sql: "INSERT INTO ticket_sequence (year, lastNumber) VALUES (2025, 41)")
            // When an unnumbered ticket of 2025 is numbered, in either counting
            var inMemory = try TicketNumberAllocator(db, counting: .inMemory)
            #expect(try inMemory.number(given: nil, createdAt: Self.march2025).description == "ST-2025-042")
            var perTicket = try TicketNumberAllocator(db, counting: .perTicket)
            // Then the next is 42 (in memory, not yet written back, so per ticket sees 41 too)
            #expect(try perTicket.number(given: nil, createdAt: Self.march2025).description == "ST-2025-042")
            #expect(try Self.counters(db) == ["2025=42"])
        }
    }

    @Test func reservesTheNumbersAFileGivesBeforeHandingAnyOut() throws {
        // Given numbers a batch gives, out of order and in two years, and a counter already
        // past one of them
        let database = try AppDatabase.inMemory()
        try database.writer.write { db in
            try db.execute(sql: "INSERT INTO ticket_sequence (year, lastNumber) VALUES (2024, 20)")
            var numbers = try TicketNumberAllocator(db, counting: .inMemory)
            let given = try ["ST-2025-010", "ST-2025-004", "ST-2024-007"].map { try TicketNumber.parse($0) }
            // When they are reserved
            try numbers.reserve(given)
            // Then each counter is at least the largest given, never moved back
            #expect(try Self.counters(db) == ["2024=20", "2025=10"])
            // And a given number is kept, an unnumbered ticket comes after the reserved ones
            #expect(try numbers.number(given: given[1], createdAt: Self.march2025) == given[1])
            #expect(try numbers.number(given: nil, createdAt: Self.march2025).description == "ST-2025-011")
        }
    }

    @Test func takesEachNumberAtOnceAndARollbackGivesItBack() throws {
        // Given the per-ticket counting
        let database = try AppDatabase.inMemory()
        try database.writer.write { db in
            var numbers = try TicketNumberAllocator(db, counting: .perTicket)
            #expect(try numbers.number(given: nil, createdAt: Self.march2025).description == "ST-2025-001")
            #expect(try Self.counters(db) == ["2025=1"])
            // When a ticket's savepoint that took a number rolls back
            var taken: TicketNumber?
            try db.inSavepoint {
                taken = try numbers.number(given: nil, createdAt: Self.march2025)
                return .rollback
            }
            #expect(taken?.description == "ST-2025-002")
            // Then the next ticket gets that number again
            #expect(try numbers.number(given: nil, createdAt: Self.march2025).description == "ST-2025-002")
        }
    }

    @Test func numbersByTheUTCYearOfTheTicketsCreation() throws {
        // Given tickets created on either side of the new year in UTC
        let database = try AppDatabase.inMemory()
        try database.writer.write { db in
            var numbers = try TicketNumberAllocator(db, counting: .inMemory)
            let lastMillisecondOf2024 = ISO8601.date(milliseconds: 1_735_689_599_999)
            let firstOf2025 = ISO8601.date(milliseconds: 1_735_689_600_000)
            // When they are numbered
            // Then each gets the first number of its own year
            #expect(try numbers.number(given: nil, createdAt: lastMillisecondOf2024).description == "ST-2024-001")
            #expect(try numbers.number(given: nil, createdAt: firstOf2025).description == "ST-2025-001")
            try numbers.finish()
            #expect(try Self.counters(db) == ["2024=1", "2025=1"])
        }
    }

    @Test func refusesAYearOrANumberNoCommandCouldName() throws {
        // Given a ticket created before 1970, and a year whose numbers are used up
        let database = try AppDatabase.inMemory()
        try database.writer.write { db in
            var numbers = try TicketNumberAllocator(db, counting: .inMemory)
            let in1969 = ISO8601.date(milliseconds: -86_400_000)
            try numbers.reserve([TicketNumber(year: 2025, sequence: TicketNumber.maximumSequence)])
            // When they are numbered
            // Then each is refused with the field it comes from
            let early = #expect(throws: SupportError.self) { try numbers.number(given: nil, createdAt: in1969) }
            #expect(early?.message == "a ticket of the year 1969 cannot be numbered (years 1970 to 9999 only)")
            let full = #expect(throws: SupportError.self) { try numbers.number(given: nil, createdAt: Self.march2025) }
            #expect(full?.message == "no ticket numbers are left for 2025: ST-2025-999999999 is taken")
        }
    }
}
