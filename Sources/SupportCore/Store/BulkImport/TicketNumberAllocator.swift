import Foundation
import GRDB

/// Ticket numbers for an import, from the per-year counters of `ticket_sequence`: a number the
/// file gives is kept and its year's counter moved past it; a ticket without one gets the next
/// of the year it was created in (UTC).
///
/// A plain type of its own because the rules are the import's, whatever the engine: a
/// PostgreSQL store upserts the same counter rows in the same order.
struct TicketNumberAllocator {
    enum Counting {
        /// Each year's counter is read once and counted on in memory, then written back by
        /// `finish`: one statement per year instead of one per ticket. For a batch written
        /// all at once, where nothing is given back before `finish`.
        case inMemory
        /// Each number is taken from its counter at once, in the caller's savepoint: a ticket
        /// rolled back gives its number back.
        case perTicket
    }

    private let counting: Counting
    private let bump: RawStatement
    private let next: RawStatement
    private let last: RawStatement
    /// `inMemory`: the last number handed out per year.
    private var handedOut: [Int: Int] = [:]

    init(_ db: Database, counting: Counting) throws {
        self.counting = counting
        bump = try RawStatement(db, """
            INSERT INTO ticket_sequence (year, lastNumber) VALUES (?, ?)
            ON CONFLICT(year) DO UPDATE SET lastNumber = max(lastNumber, excluded.lastNumber)
            """)
        next = try RawStatement(db, """
            INSERT INTO ticket_sequence (year, lastNumber) VALUES (?, 1)
            ON CONFLICT(year) DO UPDATE SET lastNumber = lastNumber + 1 RETURNING lastNumber
            """)
        last = try RawStatement(db, "SELECT lastNumber FROM ticket_sequence WHERE year = ?")
    }

    /// Moves each year's counter past the largest of `given`, before any number is handed
    /// out: otherwise an unnumbered ticket early in a file took the next number of its year,
    /// and a later line keeping that very number was refused as a duplicate. (Across batches
    /// this can still happen; a file that numbers its tickets, as an export does, is never
    /// affected.)
    func reserve(_ given: some Sequence<TicketNumber>) throws {
        var highest: [Int: Int] = [:]
        for number in given { highest[number.year] = max(highest[number.year] ?? 0, number.sequence) }
        try write(highest)
    }

    /// `given` when there is one (its counter was moved past it by `reserve`), else the next
    /// number of the year of `createdAt`.
    mutating func number(given: TicketNumber?, createdAt: Date) throws -> TicketNumber {
        if let given { return given }
        let year = CivilDate.utcYear(of: createdAt) ?? Calendar.utc.component(.year, from: createdAt)
        try TicketNumber.checkAssignable(year: year, sequence: 1)
        let sequence: Int
        switch counting {
        case .perTicket:
            next.bind(1, year)
            sequence = Int(try next.run() ?? 1)
        case .inMemory:
            if handedOut[year] == nil {
                last.bind(1, year)
                handedOut[year] = Int(try last.run() ?? 0)
            }
            sequence = handedOut[year]! + 1
            handedOut[year] = sequence
        }
        try TicketNumber.checkAssignable(year: year, sequence: sequence)
        return TicketNumber(year: year, sequence: sequence)
    }

    /// `inMemory`: writes back the last number handed out per year. Nothing to do per ticket.
    mutating func finish() throws {
        try write(handedOut)
        handedOut.removeAll()
    }

    /// Each year's counter at least `sequence`, years in order.
    private func write(_ sequences: [Int: Int]) throws {
        for (year, sequence) in sequences.sorted(by: { $0.key < $1.key }) {
            bump.bind(1, year)
            bump.bind(2, sequence)
            try bump.run()
        }
    }
}
