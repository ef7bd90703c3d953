import Foundation
import GRDB

extension AppDatabase {
    /// Streams every matching ticket with its replies, oldest first, in constant memory: one
    /// cursor over tickets and one over replies, both in ticket order, merged. Each ticket comes
    /// to `ticket` without its replies, then each reply, one at a time, to `reply`, then `end`:
    /// a ticket of 10,000 replies of 64 KiB is never held whole (it took 1.96 GB). A requester's
    /// replies are numbered by their place among those they can see, never by row id.
    func exportTickets(matching filter: TicketFilter, includeInternal: Bool, ticket: (Ticket) -> Void,
                       reply: (TicketResponse) -> Void, end: (ExportedFiles) throws -> Void) throws(SupportError) {
        try read { db in
            guard let (whereSQL, arguments) = Self.whereClause(filter) else { return }
            let tickets = try Row.fetchCursor(db, sql: Self.ticketSelect + whereSQL + " ORDER BY t.id", arguments: arguments)
            let responses = try Row.fetchCursor(db, sql: Self.responseSelect + """
                 WHERE r.ticketId IN (SELECT t.id FROM ticket t\(whereSQL))\(includeInternal ? "" : " AND r.isInternal = 0")
                ORDER BY r.ticketId, r.createdAt, r.id
                """, arguments: arguments)
            // The files' listing only (their content is read at the ticket's end, one at a time):
            // the columns of `attachmentColumns`, then the row of their content.
            let files = try Row.fetchCursor(db, sql: """
                SELECT a.ticketId, a.id, a.fileName, a.contentType, c.size, c.sha256, a.responseId, coalesce(r.isInternal, 0),
                       a.createdAt, a.contentId
                FROM attachment a JOIN attachment_content c ON c.id = a.contentId LEFT JOIN response r ON r.id = a.responseId
                WHERE a.ticketId IN (SELECT t.id FROM ticket t\(whereSQL))\(includeInternal ? "" : " AND coalesce(r.isInternal, 0) = 0")
                ORDER BY a.ticketId, a.id
                """, arguments: arguments)
            var pending: (Int64, TicketResponse)? = try responses.next().map(Self.response(from:))
            var pendingFile: Row? = try files.next()
            while let row = try tickets.next() {
                let current = try Self.ticket(from: row)
                var exported = ExportedFiles(db: db)
                while let fileRow = pendingFile, (fileRow[0] as Int64) <= current.id {
                    if (fileRow[0] as Int64) == current.id {
                        exported.attachments.append(try Self.attachment(from: fileRow).attachment)
                        exported.contentRows.append(fileRow[9])
                    }
                    pendingFile = try files.next()
                }
                ticket(current)
                var position: Int64 = 0
                // Reply row id → the number a requester is shown, for the replies that have files.
                var shownAs: [Int64: Int64] = [:]
                let withFiles = Set(exported.attachments.compactMap(\.responseID))
                while let (ticketID, response) = pending, ticketID <= current.id {
                    if ticketID == current.id {
                        position += 1
                        var shown = response
                        if !includeInternal {
                            shown.id = position
                            if withFiles.contains(response.id) { shownAs[response.id] = position }
                        }
                        reply(shown)
                    }
                    pending = try responses.next().map(Self.response(from:))
                }
                if !includeInternal && !withFiles.isEmpty {
                    exported.attachments = exported.attachments.renumberingReplies(shownAs)
                }
                try end(exported)
            }
        }
    }

    /// The columns `response(from:)` reads, in its order: every query of replies starts here.
    static let responseSelect = """
        SELECT r.ticketId, r.id, r.message, u.email, u.name, u.role, r.isInternal, r.createdAt
        FROM response r JOIN user u ON u.id = r.respondedBy
        """

    static func response(from row: Row) throws -> (Int64, TicketResponse) {
        (row[0], TicketResponse(
            id: row[1], message: row[2],
            respondedBy: Person(email: row[3], name: row[4], role: Role(rawValue: row[5]) ?? .user),
            isInternal: row[6], createdAt: try storedDate(row, 7)))
    }
}

extension AppDatabase {
    /// `ticket show`: the ticket without its replies, then the replies the reader may see, oldest
    /// first, one row at a time (memory flat in their number and size: a ticket of 10,000 replies
    /// of 64 KiB took 2.28 GB when they were loaded whole). `newest`: only the last that many.
    /// `check` may refuse the ticket before any reply is read. A requester's replies are numbered
    /// by their place among the replies they can see, never by row id (issue 13: ids showed gaps
    /// where internal notes sit).
    func streamTicket(_ number: TicketNumber, includeInternal: Bool, newest: Int?,
                      check: (Ticket) throws -> Void,
                      head: (Ticket, _ total: Int, _ shown: Int) throws -> Void,
                      reply: (TicketResponse) throws -> Void) throws(SupportError) {
        try read { db in
            guard var ticket = try Self.fetchTicket(db, number: number, withResponses: false) else {
                throw SupportError.notFound("no ticket \(number)")
            }
            try check(ticket)
            ticket.attachments = try Self.visibleAttachments(db, of: ticket, includeInternal: includeInternal)
            let visible = includeInternal ? "" : " AND isInternal = 0"
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM response WHERE ticketId = ?\(visible)", arguments: [ticket.id]) ?? 0
            let skip = newest.map { max(0, total - $0) } ?? 0
            try head(ticket, total, total - skip)
            let rows = try Row.fetchCursor(db, sql: Self.responseSelect + """
                 WHERE r.ticketId = ?\(includeInternal ? "" : " AND r.isInternal = 0")
                ORDER BY r.createdAt, r.id
                LIMIT -1 OFFSET ?
                """, arguments: [ticket.id, skip])
            var position = Int64(skip)
            while let row = try rows.next() {
                var (_, response) = try Self.response(from: row)
                position += 1
                if !includeInternal { response.id = position }
                try reply(response)
            }
        }
    }

    /// The replies after `cursor` (from the first when nil), oldest first, at most `limit`, in a
    /// read of its own: the server sends a long ticket page by page, so that neither its memory
    /// nor one read transaction grows with the ticket (a read held open while a slow client
    /// downloads 600 MB would keep every later commit in the -wal). The key is the reply's
    /// (createdAt, id), which `response_on_ticketId_createdAt` (id implied) walks in order: a page
    /// costs the same at the end of a 10,000-reply ticket as at its start. `check` may refuse
    /// the ticket, read in the same transaction.
    func replyPage(_ number: TicketNumber, includeInternal: Bool, after cursor: ReplyCursor?, limit: Int,
                   check: (Ticket) throws -> Void) throws(SupportError) -> ReplyPage {
        try read { db in
            guard let ticket = try Self.fetchTicket(db, number: number, withResponses: false) else {
                throw SupportError.notFound("no ticket \(number)")
            }
            try check(ticket)
            return try Self.fetchReplyPage(db, ticketID: ticket.id, includeInternal: includeInternal, after: cursor, limit: limit)
        }
    }

    /// The ticket with its files (as `streamTicket` gives it) and its first page of replies
    /// (`replyPage`), in one read: what the server's `GET /api/support/tickets/{id}` starts
    /// with. Two reads, each compiling its statements again, were most of that request's time.
    func ticketWithReplyPage(_ number: TicketNumber, includeInternal: Bool, limit: Int,
                             check: (Ticket) throws -> Void) throws(SupportError) -> (Ticket, ReplyPage) {
        try read { db in
            guard var ticket = try Self.fetchTicket(db, number: number, withResponses: false) else {
                throw SupportError.notFound("no ticket \(number)")
            }
            try check(ticket)
            ticket.attachments = try Self.visibleAttachments(db, of: ticket, includeInternal: includeInternal)
            return (ticket, try Self.fetchReplyPage(db, ticketID: ticket.id, includeInternal: includeInternal, after: nil, limit: limit))
        }
    }

    /// The ticket's files the reader may see; for a requester, those of replies numbered as the
    /// replies they are shown.
    static func visibleAttachments(_ db: Database, of ticket: Ticket, includeInternal: Bool) throws -> [TicketAttachment] {
        let attachments = try fetchAttachments(db, ticketIDs: [ticket.id], includeInternal: includeInternal)[ticket.id] ?? []
        guard !includeInternal, attachments.contains(where: { $0.responseID != nil }) else { return attachments }
        // The files of a reply follow the number the requester is shown for it.
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM response WHERE ticketId = ? AND isInternal = 0 ORDER BY createdAt, id",
                                     arguments: [ticket.id])
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Int64($0 + 1)) })
        return attachments.renumberingReplies(position)
    }

    /// `replyPage` inside a read that has found the ticket.
    static func fetchReplyPage(_ db: Database, ticketID: Int64, includeInternal: Bool, after cursor: ReplyCursor?,
                               limit: Int) throws -> ReplyPage {
        var sql = responseSelect + " WHERE r.ticketId = ?" + (includeInternal ? "" : " AND r.isInternal = 0")
        var arguments: StatementArguments = [ticketID]
        if let cursor {
            sql += " AND (r.createdAt, r.id) > (?, ?)"
            arguments += [cursor.createdAt, cursor.rowID]
        }
        sql += " ORDER BY r.createdAt, r.id LIMIT ?"
        arguments += [limit + 1]
        // One of four texts: kept compiled.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        var page = ReplyPage(replies: [], next: nil)
        var position = cursor?.position ?? 0
        var last: (createdAt: String, rowID: Int64)?
        while let row = try rows.next() {
            guard page.replies.count < limit else {
                page.next = last.map { ReplyCursor(createdAt: $0.createdAt, rowID: $0.rowID, position: position) }
                break
            }
            var (_, response) = try Self.response(from: row)
            position += 1
            last = (row[7], response.id)
            if !includeInternal { response.id = position }
            page.replies.append(response)
        }
        return page
    }

    /// Where a reply stands among the replies a requester can see of its ticket (1 for the first):
    /// the id a requester is shown for it.
    func publicPosition(ofResponse id: Int64) throws(SupportError) -> Int64 {
        try read { db in
            try Int64.fetchOne(db, sql: """
                SELECT count(*) FROM response r, response me
                WHERE me.id = ? AND r.ticketId = me.ticketId AND r.isInternal = 0
                  AND (r.createdAt < me.createdAt OR (r.createdAt = me.createdAt AND r.id <= me.id))
                """, arguments: [id]) ?? 0
        }
    }
}

/// The files of the ticket `ticket export` is writing: their listing, and their content read
/// piece by piece inside the export's one read transaction (never more than one piece of one
/// file in memory).
public struct ExportedFiles {
    public internal(set) var attachments: [TicketAttachment] = []
    var contentRows: [Int64] = []
    /// Reads the content row's bytes in pieces, inside the export's read (either engine's).
    let readContent: (Int64, (UnsafeRawBufferPointer) throws -> Void) throws -> Void

    init(db: Database) {
        readContent = { row, body in try AppDatabase.readBlob(db, table: "attachment_content", column: "data", rowID: row, body) }
    }

    init(reader: @escaping (Int64, (UnsafeRawBufferPointer) throws -> Void) throws -> Void) {
        readContent = reader
    }

    /// Hands the content of `attachments[index]` to `body` in pieces, in order.
    public func read(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try readContent(contentRows[index], body)
    }
}
