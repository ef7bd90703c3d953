import Foundation
import GRDB

extension AppDatabase {
    /// The numbers of the existing tickets whose sequence is `sequence`, in any year from 1970
    /// to `lastYear`, oldest year first. One lookup per year through the unique index on
    /// `ticketNumber` (a `LIKE '%-042'` would read every ticket).
    func ticketNumbers(withSequence sequence: Int, upTo lastYear: Int) throws(SupportError) -> [TicketNumber] {
        let candidates = (1970...max(1970, lastYear)).map { TicketNumber(year: $0, sequence: sequence).description }
        return try read { db in
            let placeholders = databaseQuestionMarks(count: candidates.count)
            return try String.fetchAll(db, sql: "SELECT ticketNumber FROM ticket WHERE ticketNumber IN (\(placeholders)) ORDER BY ticketNumber",
                                       arguments: StatementArguments(candidates))
                .compactMap(TicketNumber.parseCanonical)
        }
    }
}
