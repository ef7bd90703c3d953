import Foundation
import GRDB

/// Writes one batch of an import, ticket by ticket, in named steps: refuse a number that
/// exists, number the ticket, resolve its people, derive what the set-aside triggers would
/// have, write the ticket, its replies, its files, its search document and its history.
///
/// Ids are given here (the next after the largest, as SQLite would choose), so that rows can
/// wait to be written many per statement (`MultiRowInsert`); tickets are written before the
/// replies that point at them.
struct ImportBatchWriter {
    /// What a batch is written into.
    enum Target {
        /// A database that had no ticket when the import's transaction began, with the
        /// derived-data triggers set aside (`BulkImportSchema`): only lines of this import can
        /// collide, and the unique constraints are left to find them; the ticket's first staff
        /// reply and durations are written with it. `fullText`, when not nil, has the full-text
        /// triggers' work: it is handed the search document of every ticket that went in.
        case empty(fullText: FullTextBuilder?)
        /// A database with tickets and its whole schema: a ticket number that exists is refused
        /// and a reply id that exists renumbered, by asking first; the triggers derive the rest.
        case populated

        var fullText: FullTextBuilder? {
            if case .empty(let fullText) = self { return fullText }
            return nil
        }
    }

    /// How a batch is tried.
    enum Pass {
        /// All at once: the first refusal throws (the caller's savepoint undoes the batch), and
        /// what costs a statement per ticket is done once for the batch: numbers are handed out
        /// in memory, rows wait to be written many per statement.
        case wholeBatch
        /// Each ticket in its own savepoint, a refused one reported with its line and the rest
        /// kept: the way to find which line the database refused.
        case ticketByTicket
    }

    /// What a batch wrote: the lines refused, and the search documents of the tickets that
    /// went in (empty unless the target builds the full-text indexes on the side).
    struct Written {
        var errors: [ImportError] = []
        var searchRows = FullTextBuilder.Rows()
    }

    /// A reply as the search document needs it.
    typealias ReplyText = (createdAt: String, id: Int64, message: String, isInternal: Bool)

    private let db: Database
    private let pass: Pass
    /// Ask the database whether a given ticket number or reply id exists: needed wherever rows
    /// were there before this transaction, and ticket by ticket, to name the line that collides.
    private let checksExisting: Bool
    /// Write the first staff reply and the durations (`Target.empty`: their triggers are aside).
    private let derivesData: Bool
    private let collectsSearch: Bool
    private let actor: PersonReference
    private let actorID: Int64
    private(set) var people: ImportedPeople
    private var numbers: TicketNumberAllocator
    private var nextTicketID: Int64?
    /// nil once the ids after the largest are used up: SQLite then chooses (it finds a free
    /// rowid at random), which only the bulk path, which must know each id, cannot wait for.
    private var nextResponseID: Int64?
    private var written = Written()

    private let tickets: MultiRowInsert
    private let responses: MultiRowInsert
    /// The ticket's own history, as it happened before the import (`appendHistory`). Written
    /// many rows per statement, like the tickets, so the bulk path stays one pass.
    private let events: MultiRowInsert
    private let responseExists: RawStatement
    private let ticketExists: RawStatement
    private let insertAttachment: RawStatement

    /// Writes `drafts`, the people known so far in `people`; returns what went in.
    static func write(_ db: Database, _ drafts: [ImportDraft], pass: Pass, into target: Target, actor: PersonReference,
                      people: inout ImportedPeople) throws -> Written {
        var writer = try ImportBatchWriter(db, pass: pass, target: target, actor: actor, people: people)
        defer { people = writer.people }
        try writer.write(drafts)
        return writer.written
    }

    private init(_ db: Database, pass: Pass, target: Target, actor: PersonReference, people: ImportedPeople) throws {
        self.db = db
        self.pass = pass
        self.actor = actor
        self.people = people
        if case .empty = target { (checksExisting, derivesData) = (pass == .ticketByTicket, true) } else { (checksExisting, derivesData) = (true, false) }
        collectsSearch = target.fullText != nil
        actorID = try AppDatabase.userID(db, for: actor)
        tickets = MultiRowInsert(db, into: "ticket", columns: [
            "id", "ticketNumber", "subject", "message", "category", "priority", "status", "submittedBy", "assignedTo",
            "createdAt", "updatedAt", "resolvedAt", "closedAt", "firstResponseAt", "firstResponderID", "firstResponseSeconds",
            "resolutionSeconds",
        ])
        responses = MultiRowInsert(db, into: "response", columns: ["id", "ticketId", "message", "respondedBy", "isInternal", "createdAt"])
        events = MultiRowInsert(db, into: "audit_event", columns: [
            "ticketNumber", "actorID", "action", "field", "oldValue", "newValue", "isInternal", "createdAt",
        ])
        responseExists = try RawStatement(db, "SELECT 1 FROM response WHERE id = ?")
        ticketExists = try RawStatement(db, "SELECT 1 FROM ticket WHERE ticketNumber = ?")
        insertAttachment = try RawStatement(db, """
            INSERT INTO attachment (ticketId, responseId, contentId, fileName, contentType, createdAt) VALUES (?, ?, ?, ?, ?, ?)
            """)
        // Ticket by ticket, a number is taken from the counter in the ticket's savepoint, so that
        // a refused ticket gives it back; all at once, in memory and written back at the end.
        numbers = try TicketNumberAllocator(db, counting: pass == .wholeBatch ? .inMemory : .perTicket)
        // Ids are counted with checked arithmetic: a reply id of 9223372036854775807 in a file (or
        // in the database, from an earlier import) made `+ 1` trap and killed every later import.
        nextTicketID = Self.successor(of: try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM ticket") ?? 0)
        nextResponseID = Self.successor(of: try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM response") ?? 0)
    }

    private mutating func write(_ drafts: [ImportDraft]) throws {
        try numbers.reserve(drafts.lazy.compactMap(\.number))
        for d in drafts {
            if checksExisting, let number = d.number, try exists(number) {
                written.errors.append(ImportError(line: d.line, message: "ticket \(number) already exists"))
                continue
            }
            let search: FullTextBuilder.Rows
            switch pass {
            case .wholeBatch:
                search = try writeTicket(d)
            case .ticketByTicket:
                guard let rows = try writeAlone(d) else { continue }
                search = rows
            }
            if collectsSearch {
                written.searchRows.documents += search.documents
            }
        }
        if pass == .wholeBatch {
            try tickets.write()
            try responses.write()
            try numbers.finish()
            try events.write()
        }
    }

    /// `writeTicket` in a savepoint of its own; nil, with the line's error recorded, when the
    /// ticket was refused.
    private mutating func writeAlone(_ d: ImportDraft) throws -> FullTextBuilder.Rows? {
        let ids = (nextTicketID, nextResponseID)
        var rows = FullTextBuilder.Rows()
        do {
            try db.inSavepoint { rows = try writeTicket(d); return .commit }
            return rows
        } catch {
            // Nothing of this ticket stays: not its rows, not the ids it took.
            tickets.discard()
            responses.discard()
            events.discard()
            (nextTicketID, nextResponseID) = ids
            // The rollback also removed the people this ticket created: forget every cached
            // id, or a later ticket by one of them pointed at a user row that is gone.
            people.forgetAll()
            let message = (error as? DatabaseError).map { AppDatabase.translate($0).message }
                ?? (error as? SupportError)?.message ?? "\(error)"
            written.errors.append(ImportError(line: d.line, message: message))
            return nil
        }
    }

    /// Every step of one ticket, in the order that decides which user ids new people get (the
    /// requester, the assignee, then reply authors), as the import always gave them. Returns
    /// its search document (empty unless collected).
    private mutating func writeTicket(_ d: ImportDraft) throws -> FullTextBuilder.Rows {
        let number = try numbers.number(given: d.number, createdAt: d.createdAt.date)
        let requester = try person(d.requester).id
        let assignee = try assigneeID(d)
        // Without `derivesData` these stay NULL, for the triggers to write.
        let first = derivesData ? try firstStaffReply(d) : nil
        guard let ticketID = nextTicketID else {
            throw SupportError.invalidInput(field: nil, "no ticket ids are left in this database")
        }
        nextTicketID = Self.successor(of: ticketID)
        appendTicketRow(d, id: ticketID, number: number, requester: requester, assignee: assignee, first: first)
        try writeWhenFull()
        let replies = try writeReplies(d, ticketID: ticketID)
        try writeAttachments(d, ticketID: ticketID, replyIDs: replies.ids)
        var search = FullTextBuilder.Rows()
        if collectsSearch {
            search.documents.append(Self.searchDocument(id: ticketID, subject: d.subject, message: d.message, replies: replies.texts))
        }
        try appendHistory(of: d, number: number, replyAuthors: try d.replies.map { try person($0.author).id })
        try writeWhenFull()
        return search
    }

    // MARK: The steps

    private func exists(_ number: TicketNumber) throws -> Bool {
        ticketExists.bind(1, number.description)
        return try ticketExists.run() != nil
    }

    private mutating func person(_ p: ImportPerson) throws -> ImportedPerson {
        try people.resolve(p, in: db, addedBy: actor)
    }

    /// The rules `ticket assign` and `respond --internal` keep hold for an import too (a
    /// requester as assignee was mailed about other people's tickets): judged on the role the
    /// person has in the database, which an import never changes.
    private mutating func assigneeID(_ d: ImportDraft) throws -> Int64? {
        guard let p = d.assignee else { return nil }
        let known = try person(p)
        guard known.isStaff else {
            throw SupportError.invalidInput(field: "assignedTo", "assignedTo: \(p.email) is a requester; only staff can be assigned")
        }
        return known.id
    }

    /// What the trigger response_first_staff_reply of migration v6 writes: the earliest public
    /// reply by staff (the first written wins a tie). Every author is resolved in reply order,
    /// as the inserts would create them.
    private mutating func firstStaffReply(_ d: ImportDraft) throws -> (createdAt: String, by: Int64)? {
        var first: (createdAt: String, by: Int64)?
        for reply in d.replies {
            let author = try person(reply.author)
            guard !reply.isInternal, author.isStaff else { continue }
            let at = reply.createdAt.storeText
            if first == nil || first!.createdAt > at { first = (at, author.id) }
        }
        return first
    }

    /// The ticket's row, with the durations the v6 triggers compute (to the millisecond): to
    /// the first staff reply when `first` is derived, to the resolution always (where the
    /// trigger is in place it writes the same value).
    private func appendTicketRow(_ d: ImportDraft, id: Int64, number: TicketNumber, requester: Int64, assignee: Int64?,
                                 first: (createdAt: String, by: Int64)?) {
        let createdAt = d.createdAt.storeText
        let resolvedAt = d.resolvedAt?.storeText
        tickets.append(.integer(id), .text(number.description), .text(d.subject), .text(d.message),
                       .text(d.category.rawValue), .integer(Int64(d.priority.rawValue)), .integer(Int64(d.status.rawValue)),
                       .integer(requester), .init(assignee), .text(createdAt), .text(d.updatedAt.storeText), .init(resolvedAt),
                       .init(d.closedAt?.storeText), .init(first?.createdAt), .init(first?.by),
                       .init(first.flatMap { Self.seconds(from: createdAt, to: $0.createdAt) }),
                       .init(resolvedAt.flatMap { Self.seconds(from: createdAt, to: $0) }))
    }

    /// The replies, each with the id the file gives unless it is taken (then the next free one),
    /// and their texts for the search document.
    private mutating func writeReplies(_ d: ImportDraft, ticketID: Int64) throws -> (ids: [Int64], texts: [ReplyText]) {
        var texts: [ReplyText] = []
        var ids: [Int64] = []
        for (index, reply) in d.replies.enumerated() {
            var id = reply.id
            if let wanted = id, checksExisting {
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
                                               .integer(reply.isInternal ? 1 : 0), .text(reply.createdAt.storeText)]
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
            ids.append(replyID)
            if collectsSearch { texts.append((reply.createdAt.storeText, replyID, reply.message, reply.isInternal)) }
        }
        return (ids, texts)
    }

    /// The ticket's files; their content stored once per SHA-256.
    private func writeAttachments(_ d: ImportDraft, ticketID: Int64, replyIDs: [Int64]) throws {
        guard !d.attachments.isEmpty else { return }
        // The rows they point at must be in the table first.
        try tickets.write()
        try responses.write()
        for file in d.attachments {
            let contentID = try AppDatabase.storeContent(db, file.data, sha256: file.sha256)
            insertAttachment.bind(1, ticketID)
            insertAttachment.bind(2, file.reply.map { replyIDs[$0] })
            insertAttachment.bind(3, contentID)
            insertAttachment.bind(4, file.fileName)
            insertAttachment.bind(5, file.contentType)
            insertAttachment.bind(6, file.createdAt.storeText)
            try insertAttachment.run()
        }
    }

    /// The events of one imported ticket, in the order they happened (the creation first: the
    /// stored times sort as text): its creation (by the importer, flagged `import`, at the
    /// ticket's own time), its assignment, every reply and note by its author at its time, and
    /// its status.
    private func appendHistory(of d: ImportDraft, number: TicketNumber, replyAuthors: [Int64]) throws {
        typealias Event = (at: String, actor: Int64, action: String, field: String?, old: String?, new: String?, isInternal: Bool)
        var happened: [Event] = []
        if let assignee = d.assignee {
            // The file does not say when it was assigned: shown with the opening.
            happened.append((d.createdAt.storeText, actorID, "ticket.changed", "assignedTo", nil, assignee.email, false))
        }
        for (reply, author) in zip(d.replies, replyAuthors) {
            happened.append((reply.createdAt.storeText, author, reply.isInternal ? "ticket.noted" : "ticket.replied",
                             nil, nil, nil, reply.isInternal))
        }
        if d.status != .open {
            let at = (d.status == .closed ? d.closedAt : d.status == .resolved ? d.resolvedAt : nil) ?? d.updatedAt
            happened.append((at.storeText, actorID, "ticket.changed", "status", TicketStatus.open.title, d.status.title, false))
        }
        // Stable: events at one time keep the order above.
        let ordered = happened.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        events.append(.text(number.description), .integer(actorID), .text("ticket.created"), .text("import"), .null,
                      .text(d.subject), .integer(0), .text(d.createdAt.storeText))
        for e in ordered {
            events.append(.text(number.description), .integer(e.actor), .text(e.action), .init(e.field), .init(e.old),
                          .init(e.new), .integer(e.isInternal ? 1 : 0), .text(e.at))
        }
    }

    /// Writes the rows waiting once a statement's worth is there; ticket by ticket, at once, so
    /// that a refusal is the ticket's own. Replies point at tickets: the tickets go first.
    private func writeWhenFull() throws {
        if pass == .ticketByTicket || responses.pendingRows >= MultiRowInsert.rowsPerStatement {
            try tickets.write()
            try responses.write()
        } else if tickets.pendingRows >= MultiRowInsert.rowsPerStatement {
            try tickets.write()
        }
        if pass == .ticketByTicket || events.pendingRows >= MultiRowInsert.rowsPerStatement {
            try events.write()
        }
    }
}

extension ImportBatchWriter {
    /// What the views `ticket_search_document` and `ticket_search_staff_document` give for a
    /// ticket with these replies, character for character: FTS5 removes a document by being
    /// handed the text it indexed, so a document built here must be the one the triggers later
    /// take out. Replies and notes in the views' order: by their stored creation time (text,
    /// compared as SQLite's BINARY collation does), then id; public replies each after a line
    /// break, notes joined by one.
    static func searchDocument(id: Int64, subject: String, message: String, replies: [ReplyText])
        -> (id: Int64, subject: String, body: String, notes: String) {
        let ordered = replies.sorted { ($0.createdAt.utf8.lexicographicallyPrecedes($1.createdAt.utf8))
            || ($0.createdAt == $1.createdAt && $0.id < $1.id) }
        var body = message
        var notes: [String] = []
        for reply in ordered {
            if reply.isInternal {
                notes.append(reply.message)
            } else {
                body += "\n" + reply.message
            }
        }
        return (id, subject, body, notes.joined(separator: "\n"))
    }

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
