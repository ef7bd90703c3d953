import Foundation
import GRDB

extension AppDatabase {
    static func audit(_ db: Database, actor: PersonReference, action: AuditEvent.Action, ticket: TicketNumber? = nil,
                      field: String? = nil, old: String? = nil, new: String? = nil, isInternal: Bool = false) throws {
        try db.execute(sql: """
            INSERT INTO audit_event (ticketNumber, actorID, action, field, oldValue, newValue, isInternal, createdAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [ticket?.description, try userID(db, for: actor), action.rawValue, field, old, new, isInternal,
                             try db.transactionDate])
    }

    /// The fields that differ, as (field, old, new) in the seed's spelling.
    static func changes(from a: Ticket, to b: Ticket) -> [(String, String?, String?)] {
        var out: [(String, String?, String?)] = []
        if a.subject != b.subject { out.append(("subject", a.subject, b.subject)) }
        if a.message != b.message { out.append(("message", a.message, b.message)) }
        if a.category != b.category { out.append(("category", a.category.title, b.category.title)) }
        if a.priority != b.priority { out.append(("priority", a.priority.title, b.priority.title)) }
        if a.status != b.status { out.append(("status", a.status.title, b.status.title)) }
        if a.assignedTo?.email != b.assignedTo?.email { out.append(("assignedTo", a.assignedTo?.email, b.assignedTo?.email)) }
        return out
    }

    /// A ticket's history, oldest first, kept even after the ticket is deleted.
    public func history(of number: TicketNumber, includeInternal: Bool) throws(SupportError) -> [AuditEvent] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.id, e.ticketNumber, u.email, u.name, u.role, e.action, e.field, e.oldValue, e.newValue, e.isInternal, e.createdAt
                FROM audit_event e JOIN user u ON u.id = e.actorID
                WHERE e.ticketNumber = ?\(includeInternal ? "" : " AND e.isInternal = 0")
                ORDER BY e.id
                """, arguments: [number.description]).map { row in
                AuditEvent(id: row[0], ticketNumber: row[1],
                           actor: Person(email: row[2], name: row[3], role: Role(rawValue: row[4]) ?? .user),
                           action: AuditEvent.Action(rawValue: row[5]) ?? .ticketChanged, field: row[6],
                           oldValue: row[7], newValue: row[8], isInternal: row[9], createdAt: row[10])
            }
        }
    }
}
