import Foundation
import GRDB

extension AppDatabase {
    /// Streams every matching ticket with its replies, oldest first, in constant memory: one
    /// cursor over tickets and one over replies, both in ticket order, merged.
    func exportTickets(matching filter: TicketFilter, includeInternal: Bool, _ emit: (Ticket) -> Void) throws(SupportError) {
        try read { db in
            guard let (whereSQL, arguments) = Self.whereClause(filter) else { return }
            let tickets = try Row.fetchCursor(db, sql: Self.ticketSelect + whereSQL + " ORDER BY t.id", arguments: arguments)
            let responses = try Row.fetchCursor(db, sql: """
                SELECT r.ticketId, r.id, r.message, u.email, u.name, u.role, r.isInternal, r.createdAt
                FROM response r JOIN user u ON u.id = r.respondedBy
                WHERE r.ticketId IN (SELECT t.id FROM ticket t\(whereSQL))\(includeInternal ? "" : " AND r.isInternal = 0")
                ORDER BY r.ticketId, r.createdAt, r.id
                """, arguments: arguments)
            var pending: (Int64, TicketResponse)? = try responses.next().map(Self.response(from:))
            while let row = try tickets.next() {
                var ticket = try Self.ticket(from: row)
                while let (ticketID, response) = pending, ticketID <= ticket.id {
                    if ticketID == ticket.id { ticket.responses.append(response) }
                    pending = try responses.next().map(Self.response(from:))
                }
                emit(ticket)
            }
        }
    }

    static func response(from row: Row) throws -> (Int64, TicketResponse) {
        (row[0], TicketResponse(
            id: row[1], message: row[2],
            respondedBy: Person(email: row[3], name: row[4], role: Role(rawValue: row[5]) ?? .user),
            isInternal: row[6], createdAt: try storedDate(row, 7)))
    }
}
