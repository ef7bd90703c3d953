import Foundation
import GRDB
import Logging

extension AppDatabase {
    /// The page cache of an import, in KiB (the default is 2 MiB): large enough that the pages
    /// of the tables and indexes being filled stay in memory instead of being spilled to the WAL
    /// and read back. Restored when the import ends.
    static let importCacheKiB = 256 * 1024

    /// Tickets per transaction when importing into a database that has tickets already.
    static let importTransactionTickets = 25_000

    /// Imports the batches `next` hands out, until it returns nil. Sends no mail.
    ///
    /// Into a database that has no ticket yet, the whole import is one transaction in which the
    /// secondary indexes and full-text triggers are set aside and rebuilt at the end
    /// (`BulkImportSchema`): a failure or a kill leaves the database as it was. Otherwise each
    /// batch is one transaction. Either way a ticket is never half imported (`importAtomically`).
    func importTickets(batches next: () -> [ImportDraft]?, by actor: PersonReference) throws(SupportError) -> ImportSummary {
        try Self.translatingErrors {
            try writer.writeWithoutTransaction { db in
                let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
                try db.execute(sql: "PRAGMA cache_size = -\(Self.importCacheKiB)")
                defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
                let journal = try BulkImportJournal.take(db, path: writer.path, logger: logger)
                defer { journal?.release(db, logger: logger) }
                let (summary, bulk) = try Self.importBatches(db, next, actor: actor, logger: logger)
                if bulk && journal == nil {
                    // The WAL grew to the size of everything imported, and a persistent WAL (see
                    // `open`) would keep that on disk: give the space back now that it is copied.
                    try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                }
                return summary
            }
        }
    }

    /// The summary, and whether the import took the bulk path.
    static func importBatches(_ db: Database, _ next: () -> [ImportDraft]?, actor: PersonReference,
                              logger: Logger) throws -> (ImportSummary, Bool) {
        var summary = ImportSummary()
        func record(_ drafts: [ImportDraft], _ errors: [ImportError]) {
            summary.imported += drafts.count - errors.count
            summary.errors += errors
        }
        guard let first = next() else { return (summary, false) }
        // Email → user id, for as long as no rollback can have removed a user it names.
        var people: [String: ImportedPerson] = [:]
        var bulk = false
        try db.inTransaction(.immediate) {
            // Decided inside the transaction: no other process can add a ticket in between.
            if try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ticket) OR EXISTS (SELECT 1 FROM response)")!,
               let schema = try BulkImportSchema.read(db) {
                bulk = true
                let start = ContinuousClock.now
                try schema.setAside(db)
                let fullText = try FullTextBuilder.start(for: db)
                defer { fullText?.cancel() }
                // The database had no ticket: every ticket in it at the end is one counted here.
                var tally = TicketTally()
                var batch: [ImportDraft]? = first
                while let drafts = batch {
                    let errors = try importAtomically(db, drafts, actor: actor, people: &people, intoEmpty: true, fullText: fullText)
                    record(drafts, errors)
                    let refused = Set(errors.map(\.line))
                    for d in drafts where !refused.contains(d.line) { tally.add(d.category, d.priority, d.status) }
                    batch = next()
                }
                let inserted = ContinuousClock.now
                try schema.restore(db, tally: tally, fullText: fullText)
                logger.debug("bulk import: \(summary.imported) tickets inserted in \(inserted - start), indexes rebuilt in \(ContinuousClock.now - inserted)")
            } else {
                record(first, try importAtomically(db, first, actor: actor, people: &people, intoEmpty: false))
            }
            return .commit
        }
        if bulk { return (summary, true) }
        // Each transaction takes batches until it holds `importTransactionTickets`: every commit
        // flushes the full-text indexes and checkpoints the pages it changed, and the pages of
        // nine indexes change in every batch. The first batch of a transaction is parsed outside
        // it, so that other processes can write in between.
        var pending = next()
        while let first = pending {
            // Between transactions another process may have removed a user this one created.
            people.removeAll()
            var full = false
            try db.inTransaction(.immediate) {
                var count = 0
                var batch: [ImportDraft]? = first
                while let drafts = batch {
                    record(drafts, try importAtomically(db, drafts, actor: actor, people: &people, intoEmpty: false))
                    count += drafts.count
                    batch = count < Self.importTransactionTickets ? next() : nil
                }
                full = count >= Self.importTransactionTickets
                return .commit
            }
            pending = full ? next() : nil
        }
        return (summary, false)
    }

    /// Imports a batch inside a savepoint, all in one go. Should the database refuse any ticket
    /// (a duplicate number or reply id in a bulk import, a rule of the schema), the batch is
    /// rolled back and done again ticket by ticket, each in its own savepoint, so a ticket is
    /// never half imported and the others still go in. (Savepoints make FTS5 flush its index
    /// each time: ten times slower outside a bulk import, so not the default.)
    ///
    /// `intoEmpty`: the database had no ticket when this transaction began, so only lines of
    /// this import can collide, and the unique constraints are left to find them. `fullText`:
    /// the full-text triggers are set aside and the rows that went in are handed to it.
    static func importAtomically(_ db: Database, _ drafts: [ImportDraft], actor: PersonReference,
                                 people: inout [String: ImportedPerson], intoEmpty: Bool,
                                 fullText: FullTextBuilder? = nil) throws -> [ImportError] {
        var written: FullTextBuilder.Rows? = fullText.map { _ in FullTextBuilder.Rows() }
        do {
            var errors: [ImportError] = []
            try db.inSavepoint {
                errors = try importBatch(db, drafts, actor: actor, people: &people, ticketByTicket: false, lookups: !intoEmpty,
                                         derive: intoEmpty, written: &written)
                return .commit
            }
            if let written { fullText?.add(written) }
            return errors
        } catch let error as DatabaseError {
            guard case .invalidInput = translate(error) else { throw error }
        } catch let error as SupportError {
            guard case .invalidInput = error else { throw error }
        }
        // The rollback also removed the people the batch created, and the rows handed out.
        people.removeAll()
        written = fullText.map { _ in FullTextBuilder.Rows() }
        let errors = try importBatch(db, drafts, actor: actor, people: &people, ticketByTicket: true, lookups: true,
                                     derive: intoEmpty, written: &written)
        if let written { fullText?.add(written) }
        return errors
    }

    /// Writes a batch. `ticketByTicket`: each ticket in its own savepoint, a refused one reported
    /// with its line. Otherwise the first refusal throws, and what costs a statement per ticket
    /// is done once for the batch: numbers are handed out in memory and the audit records are
    /// copied from the new tickets. `lookups`: refuse existing ticket numbers and renumber
    /// existing reply ids by asking first. `derive`: the derived-data triggers are set aside
    /// (`BulkImportSchema`), so the ticket's first staff reply and durations are written with it.
    /// `written`, when not nil: gets the search document of every ticket that went in.
    static func importBatch(_ db: Database, _ drafts: [ImportDraft], actor: PersonReference, people: inout [String: ImportedPerson],
                            ticketByTicket: Bool, lookups: Bool, derive: Bool,
                            written: inout FullTextBuilder.Rows?) throws -> [ImportError] {
        let collect = written != nil
        var errors: [ImportError] = []
        let actorID = try Self.userID(db, for: actor)
        func person(_ p: ImportPerson) throws -> ImportedPerson {
            if let known = people[p.email] { return known }
            let (id, role) = try Self.ensureUserWithRole(db, email: p.email, name: p.name, role: p.role, addedBy: actor)
            let known = ImportedPerson(id: id, isStaff: role.isStaff)
            people[p.email] = known
            return known
        }
        // Ids are given here (the next after the largest, as SQLite would choose), so that rows
        // can wait to be written many per statement. Tickets are written before the replies that
        // point at them.
        let tickets = MultiRowInsert(db, into: "ticket", columns: [
            "id", "ticketNumber", "subject", "message", "category", "priority", "status", "submittedBy", "assignedTo",
            "createdAt", "updatedAt", "resolvedAt", "closedAt", "firstResponseAt", "firstResponderID", "firstResponseSeconds",
            "resolutionSeconds",
        ])
        let responses = MultiRowInsert(db, into: "response", columns: ["id", "ticketId", "message", "respondedBy", "isInternal", "createdAt"])
        func writeWhenFull() throws {
            if ticketByTicket || responses.pendingRows >= MultiRowInsert.rowsPerStatement {
                try tickets.write()
                try responses.write()
            } else if tickets.pendingRows >= MultiRowInsert.rowsPerStatement {
                try tickets.write()
            }
            if ticketByTicket || events.pendingRows >= MultiRowInsert.rowsPerStatement {
                try events.write()
            }
        }
        let responseExists = try RawStatement(db, "SELECT 1 FROM response WHERE id = ?")
        let ticketExists = try RawStatement(db, "SELECT 1 FROM ticket WHERE ticketNumber = ?")
        let bumpSequence = try RawStatement(db, """
            INSERT INTO ticket_sequence (year, lastNumber) VALUES (?, ?)
            ON CONFLICT(year) DO UPDATE SET lastNumber = max(lastNumber, excluded.lastNumber)
            """)
        let nextNumber = try RawStatement(db, """
            INSERT INTO ticket_sequence (year, lastNumber) VALUES (?, 1)
            ON CONFLICT(year) DO UPDATE SET lastNumber = lastNumber + 1 RETURNING lastNumber
            """)
        let lastNumber = try RawStatement(db, "SELECT lastNumber FROM ticket_sequence WHERE year = ?")
        let insertAttachment = try RawStatement(db, """
            INSERT INTO attachment (ticketId, responseId, contentId, fileName, contentType, createdAt) VALUES (?, ?, ?, ?, ?, ?)
            """)
        // The ticket's own history, as it happened before the import: its creation (by the
        // importer, flagged `import`, at the ticket's own time), its assignment, every reply and
        // note by its author at its time, and its status. Written many rows per statement, like
        // the tickets, so the bulk path stays one pass.
        let events = MultiRowInsert(db, into: "audit_event", columns: [
            "ticketNumber", "actorID", "action", "field", "oldValue", "newValue", "isInternal", "createdAt",
        ])
        // Reserve every number the batch gives before any is assigned: otherwise an unnumbered
        // ticket early in a file took the next number of its year, and a later line keeping that
        // very number was refused as a duplicate. (Across batches of `importTickets` this can
        // still happen; a file that numbers its tickets, as an export does, is never affected.)
        var highest: [Int: Int] = [:]
        for d in drafts {
            if let given = d.number { highest[given.year] = max(highest[given.year] ?? 0, given.sequence) }
        }
        for (year, sequence) in highest.sorted(by: { $0.key < $1.key }) {
            bumpSequence.bind(1, year)
            bumpSequence.bind(2, sequence)
            try bumpSequence.run()
        }
        // In one go: the last number handed out per year, written back at the end of the batch.
        var handedOut: [Int: Int] = [:]
        let lastTicketID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM ticket") ?? 0
        // Ids are counted with checked arithmetic: a reply id of 9223372036854775807 in a file (or
        // in the database, from an earlier import) made `+ 1` trap and killed every later import.
        var nextTicketID: Int64? = Self.successor(of: lastTicketID)
        // nil once the ids after the largest are used up: SQLite then chooses (it finds a free
        // rowid at random), which only the bulk path, which must know each id, cannot wait for.
        var nextResponseID: Int64? = Self.successor(of: try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM response") ?? 0)
        for d in drafts {
            if let number = d.number, lookups {
                ticketExists.bind(1, number.description)
                if try ticketExists.run() != nil {
                    errors.append(ImportError(line: d.line, message: "ticket \(number) already exists"))
                    continue
                }
            }
            /// The events of one imported ticket, in the order they happened (the creation first:
            /// the stored times sort as text).
            func appendHistory(of d: ImportDraft, number: TicketNumber, replyAuthors: [Int64]) throws {
                typealias Event = (at: String, actor: Int64, action: String, field: String?, old: String?, new: String?, isInternal: Bool)
                var happened: [Event] = []
                if let assignee = d.assignee {
                    // The file does not say when it was assigned: shown with the opening.
                    happened.append((d.createdAt.stored, actorID, "ticket.changed", "assignedTo", nil, assignee.email, false))
                }
                for (reply, author) in zip(d.replies, replyAuthors) {
                    happened.append((reply.createdAt.stored, author, reply.isInternal ? "ticket.noted" : "ticket.replied",
                                     nil, nil, nil, reply.isInternal))
                }
                if d.status != .open {
                    let at = (d.status == .closed ? d.closedAt : d.status == .resolved ? d.resolvedAt : nil) ?? d.updatedAt
                    happened.append((at.stored, actorID, "ticket.changed", "status", TicketStatus.open.title, d.status.title, false))
                }
                // Stable: events at one time keep the order above.
                let ordered = happened.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
                events.append(.text(number.description), .integer(actorID), .text("ticket.created"), .text("import"), .null,
                              .text(d.subject), .integer(0), .text(d.createdAt.stored))
                for e in ordered {
                    events.append(.text(number.description), .integer(e.actor), .text(e.action), .init(e.field), .init(e.old),
                                  .init(e.new), .integer(e.isInternal ? 1 : 0), .text(e.at))
                }
            }
            var rows = FullTextBuilder.Rows()
            func insert() throws {
                let number: TicketNumber
                if let given = d.number {
                    // Its year's sequence was moved past it above.
                    number = given
                } else {
                    let year = CivilDate.utcYear(of: d.createdAt.date) ?? Calendar.utc.component(.year, from: d.createdAt.date)
                    try TicketNumber.checkAssignable(year: year, sequence: 1)
                    let sequence: Int
                    if ticketByTicket {
                        nextNumber.bind(1, year)
                        sequence = Int(try nextNumber.run() ?? 1)
                    } else {
                        if handedOut[year] == nil {
                            lastNumber.bind(1, year)
                            handedOut[year] = Int(try lastNumber.run() ?? 0)
                        }
                        sequence = handedOut[year]! + 1
                        handedOut[year] = sequence
                    }
                    try TicketNumber.checkAssignable(year: year, sequence: sequence)
                    number = TicketNumber(year: year, sequence: sequence)
                }
                let requester = try person(d.requester).id
                // The rules `ticket assign` and `respond --internal` keep hold for an import too (a
                // requester as assignee was mailed about other people's tickets): judged on the
                // role the person has in the database, which an import never changes.
                let assignee = try d.assignee.map { (p: ImportPerson) throws -> Int64 in
                    let known = try person(p)
                    guard known.isStaff else {
                        throw SupportError.invalidInput(field: "assignedTo", "assignedTo: \(p.email) is a requester; only staff can be assigned")
                    }
                    return known.id
                }
                let createdAt = d.createdAt.stored
                let resolvedAt = d.resolvedAt?.stored
                var first: (createdAt: String, by: Int64)?
                if derive {
                    // What the triggers response_first_staff_reply and ticket_resolution_seconds_insert
                    // of migration v6 write: the earliest public reply by staff (the first written
                    // wins a tie), and the durations to the millisecond.
                    for reply in d.replies {
                        // Every author in reply order, as the inserts below would create them.
                        let author = try person(reply.author)
                        guard !reply.isInternal, author.isStaff else { continue }
                        let at = reply.createdAt.stored
                        if first == nil || first!.createdAt > at { first = (at, author.id) }
                    }
                }
                // Without `derive` these stay NULL, for the triggers to write.
                guard let ticketID = nextTicketID else {
                    throw SupportError.invalidInput(field: nil, "no ticket ids are left in this database")
                }
                nextTicketID = Self.successor(of: ticketID)
                tickets.append(.integer(ticketID), .text(number.description), .text(d.subject), .text(d.message),
                               .text(d.category.rawValue), .integer(Int64(d.priority.rawValue)), .integer(Int64(d.status.rawValue)),
                               .integer(requester), .init(assignee), .text(createdAt), .text(d.updatedAt.stored), .init(resolvedAt),
                               .init(d.closedAt?.stored), .init(first?.createdAt), .init(first?.by),
                               .init(first.flatMap { Self.seconds(from: createdAt, to: $0.createdAt) }),
                               .init(resolvedAt.flatMap { Self.seconds(from: createdAt, to: $0) }))
                try writeWhenFull()
                var replyTexts: [(createdAt: String, id: Int64, message: String, isInternal: Bool)] = []
                var replyIDs: [Int64] = []
                for (index, reply) in d.replies.enumerated() {
                    var id = reply.id
                    if let wanted = id, lookups {
                        responseExists.bind(1, wanted)
                        if try responseExists.run() != nil { id = nil }
                    }
                    let author = try person(reply.author)
                    if reply.isInternal && !author.isStaff {
                        throw SupportError.invalidInput(
                            field: "responses[\(index)].respondedBy",
                            "responses[\(index)]: \(reply.author.email) is a requester; only staff write internal notes")
                    }
                    var replyID: Int64
                    let row: [MultiRowInsert.Value] = [.integer(ticketID), .text(reply.message), .integer(author.id),
                                                       .integer(reply.isInternal ? 1 : 0), .text(reply.createdAt.stored)]
                    if let id {
                        replyID = id
                        // Once the largest id is taken, only SQLite can find a free one.
                        if let next = nextResponseID { nextResponseID = id < next ? next : Self.successor(of: id) }
                    } else if let next = nextResponseID {
                        replyID = next
                        nextResponseID = Self.successor(of: next)
                    } else {
                        replyID = 0
                    }
                    if replyID == 0 {
                        // Every id after the largest (9223372036854775807) is taken: SQLite finds a
                        // free one, so this row is written now, alone, to learn which.
                        try tickets.write()
                        try responses.write()
                        responses.append(contentsOf: [.null] + row)
                        try responses.write()
                        replyID = db.lastInsertedRowID
                    } else {
                        responses.append(contentsOf: [.integer(replyID)] + row)
                        try writeWhenFull()
                    }
                    replyIDs.append(replyID)
                    if collect { replyTexts.append((reply.createdAt.stored, replyID, reply.message, reply.isInternal)) }
                }
                if !d.attachments.isEmpty {
                    // The rows they point at must be in the table first.
                    try tickets.write()
                    try responses.write()
                    for file in d.attachments {
                        let contentID = try Self.storeContent(db, file.data, sha256: file.sha256)
                        insertAttachment.bind(1, ticketID)
                        insertAttachment.bind(2, file.reply.map { replyIDs[$0] })
                        insertAttachment.bind(3, contentID)
                        insertAttachment.bind(4, file.fileName)
                        insertAttachment.bind(5, file.contentType)
                        insertAttachment.bind(6, file.createdAt.stored)
                        try insertAttachment.run()
                    }
                }
                if collect {
                    let search = Self.searchDocument(id: ticketID, subject: d.subject, message: d.message, replies: replyTexts)
                    rows.documents.append(search.document)
                    rows.notes += search.notes
                }
                try appendHistory(of: d, number: number, replyAuthors: try d.replies.map { try person($0.author).id })
                try writeWhenFull()
            }
            if ticketByTicket {
                let nextIDs = (nextTicketID, nextResponseID)
                do {
                    try db.inSavepoint { try insert(); return .commit }
                } catch {
                    // Nothing of this ticket stays: not its rows, not the ids it took.
                    tickets.discard()
                    responses.discard()
                    events.discard()
                    (nextTicketID, nextResponseID) = nextIDs
                    // The rollback also removed the people this ticket created: forget every cached
                    // id, or a later ticket by one of them pointed at a user row that is gone.
                    people.removeAll()
                    let message = (error as? DatabaseError).map { AppDatabase.translate($0).message }
                        ?? (error as? SupportError)?.message ?? "\(error)"
                    errors.append(ImportError(line: d.line, message: message))
                    continue
                }
            } else {
                try insert()
            }
            if collect {
                written!.documents += rows.documents
                written!.notes += rows.notes
            }
        }
        if !ticketByTicket {
            try tickets.write()
            try responses.write()
            for (year, sequence) in handedOut.sorted(by: { $0.key < $1.key }) {
                bumpSequence.bind(1, year)
                bumpSequence.bind(2, sequence)
                try bumpSequence.run()
            }
            try events.write()
        }
        return errors
    }
}

extension AppDatabase {
    /// What the view `ticket_search_document` gives for a ticket with these replies, character
    /// for character: FTS5 removes a document by being handed the text it indexed, so a
    /// document built here must be the one the triggers later take out. Public replies in the
    /// view's order: by their stored creation time (text, compared as SQLite's BINARY collation
    /// does), then id. The internal notes are documents of their own (`ticket_search_note`).
    static func searchDocument(id: Int64, subject: String, message: String,
                               replies: [(createdAt: String, id: Int64, message: String, isInternal: Bool)])
        -> (document: (id: Int64, subject: String, body: String), notes: [(id: Int64, note: String)]) {
        let ordered = replies.sorted { ($0.createdAt.utf8.lexicographicallyPrecedes($1.createdAt.utf8))
            || ($0.createdAt == $1.createdAt && $0.id < $1.id) }
        var body = message
        var notes: [(id: Int64, note: String)] = []
        for reply in ordered {
            if reply.isInternal {
                notes.append((reply.id, reply.message))
            } else {
                body += "\n" + reply.message
            }
        }
        return ((id, subject, body), notes)
    }
}

/// A person of an import as the database has them.
struct ImportedPerson {
    var id: Int64
    var isStaff: Bool
}

extension AppDatabase {
    /// `id + 1`, or nil when `id` is the largest rowid SQLite has.
    static func successor(of id: Int64) -> Int64? {
        let (next, overflow) = id.addingReportingOverflow(1)
        return overflow ? nil : next
    }

    /// SQLite's `round((julianday(end) - julianday(start)) * 86400000) / 1000` of two storage
    /// texts, as the v6 triggers compute durations: whole milliseconds apart, in seconds.
    static func seconds(from start: String, to end: String) -> Double? {
        guard let a = CivilTime(storage: start), let b = CivilTime(storage: end) else { return nil }
        return Double(b.millisecondsSince1970 - a.millisecondsSince1970) / 1000
    }
}
