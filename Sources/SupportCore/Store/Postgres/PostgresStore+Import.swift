import Foundation
import Logging

/// `ticket import` on PostgreSQL: the contract of SQLite's bulk importer (`SQLiteBulkImporter`:
/// batches of `ImportDraft` in, `ImportSummary` out, a ticket never half imported, the numbering
/// rules of `TicketNumberAllocator`, the same history events).
///
/// Two passes, as SQLite's `ImportBatchWriter` has: each batch (one transaction) is first tried
/// whole through `COPY` (`PostgresBulkImport`: the rows of thousands of tickets in a few round
/// trips, what the triggers derive written once for the batch); a batch that a line spoils is
/// rolled back to its savepoint and written ticket by ticket, each in a savepoint of its own, so
/// that the refused line is reported by its number and the others go in.
extension PostgresStore {
    func importTickets(batches next: () -> [ImportDraft]?, by actor: PersonReference) throws(SupportError) -> ImportSummary {
        guard let first = next() else { return ImportSummary() }
        if first.count >= Self.emptyDeskImportMinimum,
           let summary = try importIntoEmptyDesk(first: first, rest: next, by: actor) {
            return summary
        }
        var summary = ImportSummary()
        let logger = logger
        var batch: [ImportDraft]? = first
        while let drafts = batch {
            let errors = try write { tx in try Self.importBatchTryingCopy(tx, drafts, actor: actor, logger: logger) }
            summary.imported += drafts.count - errors.count
            summary.errors += errors
            batch = next()
        }
        return summary
    }

    /// Times bound as the import parsed them (`ImportTime.date`); the text is not used here.
    var importTimeText: @Sendable (Date) -> String { { _ in "" } }

    static func importBatchTryingCopy(_ tx: PostgresTransaction, _ drafts: [ImportDraft], actor: PersonReference,
                                      logger: Logger, into target: PostgresBulkImport.Target = .staged) throws -> [ImportError] {
        let start = ContinuousClock.now
        try tx.session.execute("SAVEPOINT import_batch")
        do {
            let errors = try PostgresBulkImport.write(tx, drafts, actor: actor, into: target)
            try tx.session.execute("RELEASE SAVEPOINT import_batch")
            logger.debug("bulk import: \(drafts.count) lines through COPY in \(ContinuousClock.now - start)")
            return errors
        } catch {
            // A lost connection, a conflict with another host: the whole transaction's (the
            // caller retries it or reports it). Anything else is a line's: find it line by line.
            if case .busy? = error as? SupportError { throw error }
            if let refused = error as? PostgresServerError, case .busy = translate(refused, logger: .init(label: "support.store")) {
                throw error
            }
            try tx.session.execute("ROLLBACK TO SAVEPOINT import_batch; RELEASE SAVEPOINT import_batch")
            logger.debug("bulk import: a line of this batch of \(drafts.count) needs its own savepoint; written ticket by ticket")
            return try importBatch(tx, drafts, actor: actor)
        }
    }

    /// Each year's counter moved past the numbers the file gives, before any is handed out
    /// (TicketNumberAllocator.reserve says why), years in order on every host.
    static func reserveGivenNumbers(_ tx: PostgresTransaction, _ drafts: [ImportDraft]) throws {
        var highest: [Int: Int] = [:]
        for number in drafts.compactMap(\.number) { highest[number.year] = max(highest[number.year] ?? 0, number.sequence) }
        for (year, sequence) in highest.sorted(by: { $0.key < $1.key }) {
            try tx.execute("""
                INSERT INTO ticket_sequence (year, lastNumber) VALUES ($1, $2)
                ON CONFLICT (year) DO UPDATE SET lastNumber = greatest(ticket_sequence.lastNumber, excluded.lastNumber)
                """, .int(Int64(year)), .int(Int64(sequence)))
        }
    }

    /// The ticket-by-ticket pass: each ticket in a savepoint, the row triggers deriving the rest.
    static func importBatch(_ tx: PostgresTransaction, _ drafts: [ImportDraft], actor: PersonReference) throws -> [ImportError] {
        let actorID = try userID(tx, for: actor)
        try reserveGivenNumbers(tx, drafts)
        var errors: [ImportError] = []
        var keptReplyIDs = false
        for draft in drafts {
            try tx.session.execute("SAVEPOINT import_ticket")
            do {
                keptReplyIDs = try importTicket(tx, draft, actor: actor, actorID: actorID) || keptReplyIDs
                try tx.session.execute("RELEASE SAVEPOINT import_ticket")
            } catch {
                try tx.session.execute("ROLLBACK TO SAVEPOINT import_ticket; RELEASE SAVEPOINT import_ticket")
                let message: String
                switch error {
                case let error as SupportError: message = error.message
                case let error as PostgresServerError:
                    let failure = translate(error, logger: .init(label: "support.store"))
                    if case .busy = failure { throw failure }
                    message = failure.message
                default: message = "\(error)"
                }
                errors.append(ImportError(line: draft.line, message: message))
            }
        }
        if keptReplyIDs {
            // Replies inserted with the ids the file gave: the identity moves past them, so that
            // the next reply written on any host does not take one of them.
            try tx.execute("""
                SELECT setval(pg_get_serial_sequence('response', 'id'),
                              greatest((SELECT max(id) FROM response), (SELECT last_value FROM response_id_seq)))
                """)
        }
        return errors
    }

    /// One ticket; whether it kept a reply id the file gave.
    static func importTicket(_ tx: PostgresTransaction, _ d: ImportDraft, actor: PersonReference, actorID: Int64) throws -> Bool {
        if let number = d.number,
           try tx.value("SELECT 1 FROM ticket WHERE ticketNumber = $1", .text(number.description)) != nil {
            throw SupportError.invalidInput(field: nil, "ticket \(number) already exists")
        }
        let number: TicketNumber
        if let given = d.number {
            number = given
        } else {
            let year = CivilDate.utcYear(of: d.createdAt.date) ?? Calendar.utc.component(.year, from: d.createdAt.date)
            try TicketNumber.checkAssignable(year: year, sequence: 1)
            let sequence = Int(try tx.value("""
                INSERT INTO ticket_sequence (year, lastNumber) VALUES ($1, 1)
                ON CONFLICT (year) DO UPDATE SET lastNumber = ticket_sequence.lastNumber + 1 RETURNING lastNumber
                """, .int(Int64(year)))?.int ?? 1)
            try TicketNumber.checkAssignable(year: year, sequence: sequence)
            number = TicketNumber(year: year, sequence: sequence)
        }
        let requester = try importedPerson(tx, d.requester, actor: actor)
        var assigneeID: Int64?
        if let p = d.assignee {
            let assignee = try importedPerson(tx, p, actor: actor)
            guard assignee.isStaff else {
                throw SupportError.invalidInput(field: "assignedTo", "assignedTo: \(p.email) is a requester; only staff can be assigned")
            }
            assigneeID = assignee.id
        }
        // The documents with every reply the file gives (a reply's insert adds no words).
        let documents = PostgresSearchText.documents(subject: d.subject, message: d.message,
                                                     replies: d.replies.map { ($0.message, $0.isInternal) })
        guard let ticketID = try tx.value("""
            INSERT INTO ticket (ticketNumber, subject, message, category, priority, status, submittedBy, assignedTo,
                                createdAt, updatedAt, resolvedAt, closedAt, search_public, search_staff)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::tsvector, $14::tsvector) RETURNING id
            """, .text(number.description), .text(d.subject), .text(d.message), .text(d.category.rawValue),
            .int(Int64(d.priority.rawValue)), .int(Int64(d.status.rawValue)), .int(requester.id), PostgresValue(assigneeID),
            .timestamp(d.createdAt.date), .timestamp(d.updatedAt.date), PostgresValue(d.resolvedAt?.date), PostgresValue(d.closedAt?.date),
            .text(documents.public), .text(documents.staff))?.int
        else { throw SupportError.internalError("the imported ticket has no id") }
        var replyIDs: [Int64] = []
        var authors: [Int64] = []
        var keptID = false
        for (index, reply) in d.replies.enumerated() {
            let author = try importedPerson(tx, reply.author, actor: actor)
            if reply.isInternal && !author.isStaff {
                throw SupportError.invalidInput(field: "responses[\(index)].respondedBy",
                                                "responses[\(index)]: \(reply.author.email) is a requester; only staff write internal notes")
            }
            var id = reply.id
            if let wanted = id, try tx.value("SELECT 1 FROM response WHERE id = $1", .int(wanted)) != nil { id = nil }
            let inserted: Int64?
            if let id {
                keptID = true
                inserted = try tx.value("""
                    INSERT INTO response (id, ticketId, message, respondedBy, isInternal, createdAt) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
                    """, .int(id), .int(ticketID), .text(reply.message), .int(author.id), .bool(reply.isInternal), .timestamp(reply.createdAt.date))?.int
                try moveReplyIdentity(tx, past: id)
            } else {
                inserted = try tx.value("""
                    INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt) VALUES ($1, $2, $3, $4, $5) RETURNING id
                    """, .int(ticketID), .text(reply.message), .int(author.id), .bool(reply.isInternal), .timestamp(reply.createdAt.date))?.int
            }
            guard let inserted else { throw SupportError.internalError("an imported reply has no id") }
            replyIDs.append(inserted)
            authors.append(author.id)
        }
        try insertAttachments(tx, d, ticketID: ticketID, replyIDs: replyIDs)
        for e in importHistory(of: d, actorID: actorID, replyAuthors: authors) {
            try tx.execute("""
                INSERT INTO audit_event (ticketNumber, actorID, action, field, oldValue, newValue, isInternal, createdAt)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """, .text(number.description), .int(e.actor), .text(e.action), PostgresValue(e.field), PostgresValue(e.old),
                PostgresValue(e.new), .bool(e.isInternal), .timestamp(e.at))
        }
        return keptID
    }

    /// The reply identity moved past `id` (kept from a file), so that the next new reply, on
    /// any host, is numbered after it, as SQLite numbers a reply after the largest.
    static func moveReplyIdentity(_ tx: PostgresTransaction, past id: Int64) throws {
        try tx.execute("""
            SELECT setval(pg_get_serial_sequence('response', 'id'), greatest($1, (SELECT last_value FROM response_id_seq)))
            """, .int(id))
    }

    typealias ImportEvent = (at: Date, actor: Int64, action: String, field: String?, old: String?, new: String?, isInternal: Bool)

    /// The history of an imported ticket as SQLite's importer writes it (ImportBatchWriter.appendHistory):
    /// its creation, then what happened to it in the order it happened.
    static func importHistory(of d: ImportDraft, actorID: Int64, replyAuthors: [Int64]) -> [ImportEvent] {
        var happened: [ImportEvent] = []
        if let assignee = d.assignee {
            happened.append((d.createdAt.date, actorID, "ticket.changed", "assignedTo", nil, assignee.email, false))
        }
        for (reply, author) in zip(d.replies, replyAuthors) {
            happened.append((reply.createdAt.date, author, reply.isInternal ? "ticket.noted" : "ticket.replied", nil, nil, nil, reply.isInternal))
        }
        if d.status != .open {
            let at = (d.status == .closed ? d.closedAt : d.status == .resolved ? d.resolvedAt : nil) ?? d.updatedAt
            happened.append((at.date, actorID, "ticket.changed", "status", TicketStatus.open.title, d.status.title, false))
        }
        let ordered = happened.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        return [(d.createdAt.date, actorID, "ticket.created", "import", nil, d.subject, false)] + ordered
    }

    /// A ticket's files (and their content, stored once per SHA-256), after its replies.
    static func insertAttachments(_ tx: PostgresTransaction, _ d: ImportDraft, ticketID: Int64, replyIDs: [Int64]) throws {
        for file in d.attachments {
            var contentID = try tx.value("""
                INSERT INTO attachment_content (sha256, size, data) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING RETURNING id
                """, .text(file.sha256), .int(Int64(file.data.count)), .bytes(file.data))?.int
            if contentID == nil { contentID = try tx.value("SELECT id FROM attachment_content WHERE sha256 = $1", .text(file.sha256))?.int }
            guard let contentID else { throw SupportError.internalError("an imported file's content vanished") }
            try tx.execute("""
                INSERT INTO attachment (ticketId, responseId, contentId, fileName, contentType, createdAt) VALUES ($1, $2, $3, $4, $5, $6)
                """, .int(ticketID), PostgresValue(file.reply.map { replyIDs[$0] }), .int(contentID), .text(file.fileName),
                .text(file.contentType), .timestamp(file.createdAt.date))
        }
    }

    /// The user at `p`'s address, created with the file's name and role (recorded as added by
    /// `actor`) when there is none; an existing user keeps their role.
    static func importedPerson(_ tx: PostgresTransaction, _ p: ImportPerson, actor: PersonReference) throws -> (id: Int64, isStaff: Bool) {
        if let row = try tx.row("SELECT id, role FROM desk_user WHERE lower(email) = lower($1)", .text(p.email)) {
            return (try row.int(0), (Role(rawValue: try row.text(1)) ?? .user).isStaff)
        }
        let id = try ensureUser(tx, email: p.email, name: p.name, role: p.role)
        try audit(tx, actor: actor, action: .userAdded, field: p.email, new: p.role.rawValue)
        return (id, p.role.isStaff)
    }
}
