import Foundation
import GRDB

extension AppDatabase {
    /// Imports a batch in one transaction. Duplicate numbers are refused before anything is
    /// written; should any other ticket fail, the batch is rolled back and done again with a
    /// savepoint per ticket, so a ticket is never half imported and the others still go in.
    /// (Savepoints make FTS5 flush its index each time: ten times slower, so not the default.)
    /// Sends no mail.
    func importTickets(_ drafts: [ImportDraft], by actor: PersonReference) throws(SupportError) -> [ImportError] {
        do {
            return try Self.translatingErrors { try writer.write { db in try Self.importBatch(db, drafts, actor: actor, savepoints: false) } }
        } catch {
            guard case .invalidInput = error else { throw error }
            return try write { db in try Self.importBatch(db, drafts, actor: actor, savepoints: true) }
        }
    }

    static func importBatch(_ db: Database, _ drafts: [ImportDraft], actor: PersonReference, savepoints: Bool) throws -> [ImportError] {
        var errors: [ImportError] = []
        var people: [String: Int64] = [:]
        let actorID = try Self.userID(db, for: actor)
        let now = try db.transactionDate
        func personID(_ p: ImportPerson) throws -> Int64 {
            if let id = people[p.email] { return id }
            let id = try Self.ensureUser(db, email: p.email, name: p.name, role: p.role)
            people[p.email] = id
            return id
        }
        let insertTicket = try db.cachedStatement(sql: """
            INSERT INTO ticket (ticketNumber, subject, message, category, priority, status, submittedBy, assignedTo,
                                createdAt, updatedAt, resolvedAt, closedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertResponse = try db.cachedStatement(sql: """
            INSERT INTO response (id, ticketId, message, respondedBy, isInternal, createdAt) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let responseExists = try db.cachedStatement(sql: "SELECT 1 FROM response WHERE id = ?")
        let ticketExists = try db.cachedStatement(sql: "SELECT 1 FROM ticket WHERE ticketNumber = ?")
        let bumpSequence = try db.cachedStatement(sql: """
            INSERT INTO ticket_sequence (year, lastNumber) VALUES (?, ?)
            ON CONFLICT(year) DO UPDATE SET lastNumber = max(lastNumber, excluded.lastNumber)
            """)
        let nextNumber = try db.cachedStatement(sql: """
            INSERT INTO ticket_sequence (year, lastNumber) VALUES (?, 1)
            ON CONFLICT(year) DO UPDATE SET lastNumber = lastNumber + 1 RETURNING lastNumber
            """)
        let audit = try db.cachedStatement(sql: """
            INSERT INTO audit_event (ticketNumber, actorID, action, field, newValue, createdAt)
            VALUES (?, ?, 'ticket.created', 'import', ?, ?)
            """)
        // Reserve every number the batch gives before any is assigned: otherwise an unnumbered
        // ticket early in a file took the next number of its year, and a later line keeping that
        // very number was refused as a duplicate. (Across batches of `importTickets` this can
        // still happen; a file that numbers its tickets, as an export does, is never affected.)
        for d in drafts {
            if let given = d.number { try bumpSequence.execute(arguments: [given.year, given.sequence]) }
        }
        for d in drafts {
            if let number = d.number, try Bool.fetchOne(ticketExists, arguments: [number.description]) == true {
                errors.append(ImportError(line: d.line, message: "ticket \(number) already exists"))
                continue
            }
            let insert = {
                let number: TicketNumber
                if let given = d.number {
                    number = given
                    try bumpSequence.execute(arguments: [given.year, given.sequence])
                } else {
                    let year = Calendar.utc.component(.year, from: d.createdAt)
                    try TicketNumber.checkAssignable(year: year, sequence: 1)
                    let sequence = try Int.fetchOne(nextNumber, arguments: [year]) ?? 1
                    try TicketNumber.checkAssignable(year: year, sequence: sequence)
                    number = TicketNumber(year: year, sequence: sequence)
                }
                try insertTicket.execute(arguments: [
                    number.description, d.subject, d.message, d.category.rawValue, d.priority.rawValue, d.status.rawValue,
                    try personID(d.requester), try d.assignee.map(personID), d.createdAt, d.updatedAt, d.resolvedAt, d.closedAt,
                ])
                let ticketID = db.lastInsertedRowID
                for reply in d.replies {
                    var id = reply.id
                    if let wanted = id, try Bool.fetchOne(responseExists, arguments: [wanted]) == true { id = nil }
                    try insertResponse.execute(arguments: [id, ticketID, reply.message, try personID(reply.author),
                                                           reply.isInternal, reply.createdAt])
                }
                try audit.execute(arguments: [number.description, actorID, d.subject, now])
            }
            if savepoints {
                do {
                    try db.inSavepoint { try insert(); return .commit }
                } catch {
                    // The rollback also removed the people this ticket created: forget every cached
                    // id, or a later ticket by one of them pointed at a user row that is gone.
                    people.removeAll()
                    let message = (error as? DatabaseError).map { AppDatabase.translate($0).message } ?? "\(error)"
                    errors.append(ImportError(line: d.line, message: message))
                }
            } else {
                try insert()
            }
        }
        return errors
    }
}
