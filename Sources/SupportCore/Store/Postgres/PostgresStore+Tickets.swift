import Foundation

/// Tickets and replies on PostgreSQL: `AppDatabase+Tickets`, `+Export` (reading) and
/// `+Attachments` in PostgreSQL's SQL.
extension PostgresStore {
    static let ticketSelect = """
        SELECT t.id, t.ticketNumber, t.subject, t.message, t.category, t.priority, t.status,
               s.email, s.name, s.role, a.email, a.name, a.role,
               t.createdAt, t.updatedAt, t.resolvedAt, t.closedAt
        FROM ticket t JOIN desk_user s ON s.id = t.submittedBy LEFT JOIN desk_user a ON a.id = t.assignedTo
        """

    static func ticket(from row: [PostgresValue]) throws -> Ticket {
        let id = try row.int(0)
        guard let number = TicketNumber.parseCanonical(try row.text(1)),
              let category = TicketCategory(rawValue: try row.text(4)),
              let priority = TicketPriority(rawValue: Int(try row.int(5))),
              let status = TicketStatus(rawValue: Int(try row.int(6)))
        else {
            throw SupportError.storage(Wording("the database holds a ticket this version cannot read (id \(id))"))
        }
        var assigned: Person?
        if let email = row.optionalText(10) {
            assigned = Person(email: email, name: try row.text(11), role: Role(rawValue: try row.text(12)) ?? .user)
        }
        return Ticket(id: id, ticketNumber: number, subject: try row.text(2), message: try row.text(3),
                      category: category, priority: priority, status: status,
                      submittedBy: Person(email: try row.text(7), name: try row.text(8), role: Role(rawValue: try row.text(9)) ?? .user),
                      assignedTo: assigned, createdAt: try row.date(13), updatedAt: try row.date(14),
                      resolvedAt: row.optionalDate(15), closedAt: row.optionalDate(16))
    }

    static func fetchTicket(_ tx: PostgresTransaction, number: TicketNumber, withResponses: Bool = true, lock: Bool = false) throws -> Ticket? {
        // FOR UPDATE OF t: a change reads the ticket under its row lock, so two hosts changing
        // one ticket at once apply one after the other, each to what the other wrote.
        guard let row = try tx.row(ticketSelect + " WHERE t.ticketNumber = $1" + (lock ? " FOR UPDATE OF t" : ""),
                                   .text(number.description)) else { return nil }
        var ticket = try ticket(from: row)
        if withResponses {
            ticket.responses = try fetchResponses(tx, ticketIDs: [ticket.id])[ticket.id] ?? []
            ticket.attachments = try fetchAttachments(tx, ticketIDs: [ticket.id])[ticket.id] ?? []
        }
        return ticket
    }

    static let responseSelect = """
        SELECT r.ticketId, r.id, r.message, u.email, u.name, u.role, r.isInternal, r.createdAt
        FROM response r JOIN desk_user u ON u.id = r.respondedBy
        """

    static func response(from row: [PostgresValue]) throws -> (Int64, TicketResponse) {
        (try row.int(0), TicketResponse(id: try row.int(1), message: try row.text(2),
                                        respondedBy: Person(email: try row.text(3), name: try row.text(4),
                                                            role: Role(rawValue: try row.text(5)) ?? .user),
                                        isInternal: try row.bool(6), createdAt: try row.date(7)))
    }

    static func fetchResponses(_ tx: PostgresTransaction, ticketIDs: [Int64], includeInternal: Bool = true) throws -> [Int64: [TicketResponse]] {
        guard !ticketIDs.isEmpty else { return [:] }
        var binds = PostgresBinds()
        let list = binds.list(ticketIDs.map(PostgresValue.int))
        var result: [Int64: [TicketResponse]] = [:]
        for row in try tx.rows(responseSelect + " WHERE r.ticketId IN (\(list))\(includeInternal ? "" : " AND NOT r.isInternal")"
                               + " ORDER BY r.ticketId, r.createdAt, r.id", binds: binds.values) {
            let (ticketID, response) = try response(from: row)
            result[ticketID, default: []].append(response)
        }
        return result
    }

    static let attachmentColumns = """
        SELECT a.ticketId, a.id, a.fileName, a.contentType, c.size, c.sha256, a.responseId, coalesce(r.isInternal, false), a.createdAt
        FROM attachment a JOIN attachment_content c ON c.id = a.contentId LEFT JOIN response r ON r.id = a.responseId
        """

    static func attachment(from row: [PostgresValue]) throws -> (ticketID: Int64, attachment: TicketAttachment) {
        (try row.int(0), TicketAttachment(id: try row.int(1), fileName: try row.text(2), contentType: try row.text(3),
                                          size: Int(try row.int(4)), sha256: try row.text(5), responseID: row.optionalInt(6),
                                          isInternal: try row.bool(7), createdAt: try row.date(8)))
    }

    static func fetchAttachments(_ tx: PostgresTransaction, ticketIDs: [Int64], includeInternal: Bool = true) throws -> [Int64: [TicketAttachment]] {
        guard !ticketIDs.isEmpty else { return [:] }
        var binds = PostgresBinds()
        let list = binds.list(ticketIDs.map(PostgresValue.int))
        var result: [Int64: [TicketAttachment]] = [:]
        for row in try tx.rows(attachmentColumns + " WHERE a.ticketId IN (\(list))"
                               + (includeInternal ? "" : " AND NOT coalesce(r.isInternal, false)") + " ORDER BY a.ticketId, a.id",
                               binds: binds.values) {
            let (ticketID, attachment) = try attachment(from: row)
            result[ticketID, default: []].append(attachment)
        }
        return result
    }

    static func insertAttachments(_ tx: PostgresTransaction, _ files: [AttachmentUpload], ticketID: Int64, responseID: Int64?) throws {
        for file in files {
            let digest = SHA256.hex(SHA256.hash(file.data))
            // The content once per SHA-256, whoever adds it at the same time.
            var contentID = try tx.value("""
                INSERT INTO attachment_content (sha256, size, data) VALUES ($1, $2, $3)
                ON CONFLICT (sha256) DO NOTHING RETURNING id
                """, .text(digest), .int(Int64(file.data.count)), .bytes(file.data))?.int
            if contentID == nil {
                contentID = try tx.value("SELECT id FROM attachment_content WHERE sha256 = $1", .text(digest))?.int
            }
            guard let contentID else { throw SupportError.internalError("an attachment's content vanished while being stored") }
            try tx.execute("""
                INSERT INTO attachment (ticketId, responseId, contentId, fileName, contentType, createdAt) VALUES ($1, $2, $3, $4, $5, $6)
                """, .int(ticketID), PostgresValue(responseID), .int(contentID), .text(file.fileName), .text(file.contentType),
                .timestamp(tx.now))
        }
    }

    // MARK: Reading

    func ticket(number: TicketNumber, withResponses: Bool) throws(SupportError) -> Ticket? {
        try read { tx in try Self.fetchTicket(tx, number: number, withResponses: withResponses) }
    }

    func ticketNumbers(withSequence sequence: Int, upTo lastYear: Int) throws(SupportError) -> [TicketNumber] {
        try read { tx in
            // The canonical text of every year's ticket with that sequence (ST-YYYY-NNN, at least three digits).
            let suffix = sequence < 1000 ? String(format: "%03d", sequence) : String(sequence)
            return try tx.rows("""
                SELECT ticketNumber FROM ticket WHERE ticketNumber LIKE $1 AND substr(ticketNumber, 4, 4)::int <= $2 ORDER BY ticketNumber
                """, .text("ST-____-" + suffix), .int(Int64(lastYear))).compactMap { TicketNumber.parseCanonical(try $0.text(0)) }
        }
    }

    func publicPosition(ofResponse id: Int64) throws(SupportError) -> Int64 {
        try read { tx in
            try tx.value("""
                SELECT count(*) FROM response r, response me
                WHERE me.id = $1 AND r.ticketId = me.ticketId AND NOT r.isInternal AND (r.createdAt, r.id) <= (me.createdAt, me.id)
                """, .int(id))?.int ?? 0
        }
    }

    func streamTicket(_ number: TicketNumber, includeInternal: Bool, newest: Int?,
                      check: (Ticket) throws -> Void,
                      head: (Ticket, _ total: Int, _ shown: Int) throws -> Void,
                      reply: (TicketResponse) throws -> Void) throws(SupportError) {
        try read { tx in
            guard var ticket = try Self.fetchTicket(tx, number: number, withResponses: false) else {
                throw SupportError.notFound("no ticket \(number)")
            }
            try check(ticket)
            ticket.attachments = try Self.visibleAttachments(tx, of: ticket, includeInternal: includeInternal)
            let visible = includeInternal ? "" : " AND NOT isInternal"
            let total = Int(try tx.value("SELECT count(*) FROM response WHERE ticketId = $1\(visible)", .int(ticket.id))?.int ?? 0)
            let skip = newest.map { max(0, total - $0) } ?? 0
            try head(ticket, total, total - skip)
            // A page of replies at a time, in order by (createdAt, id): memory stays flat
            // however long the ticket is, as SQLite's cursor keeps it.
            var position = Int64(skip)
            var after: (Date, Int64)?
            var offset = skip
            while true {
                var binds = PostgresBinds()
                var sql = Self.responseSelect + " WHERE r.ticketId = \(binds.add(.int(ticket.id)))" + (includeInternal ? "" : " AND NOT r.isInternal")
                if let after {
                    sql += " AND (r.createdAt, r.id) > (\(binds.add(.timestamp(after.0))), \(binds.add(.int(after.1))))"
                }
                sql += " ORDER BY r.createdAt, r.id LIMIT 200"
                if after == nil, offset > 0 { sql += " OFFSET \(binds.add(.int(Int64(offset))))" }
                offset = 0
                let rows = try tx.rows(sql, binds: binds.values)
                for row in rows {
                    var (_, response) = try Self.response(from: row)
                    after = (response.createdAt, response.id)
                    position += 1
                    if !includeInternal { response.id = position }
                    try reply(response)
                }
                if rows.count < 200 { break }
            }
        }
    }

    static func visibleAttachments(_ tx: PostgresTransaction, of ticket: Ticket, includeInternal: Bool) throws -> [TicketAttachment] {
        try visible(try fetchAttachments(tx, ticketIDs: [ticket.id], includeInternal: includeInternal)[ticket.id] ?? [], tx, of: ticket,
                    includeInternal: includeInternal)
    }

    /// `attachments` (the ticket's, those `includeInternal` lets one see) as the reader sees
    /// them: for a requester, a reply's file names the reply by its place among the public ones.
    static func visible(_ attachments: [TicketAttachment], _ tx: PostgresTransaction, of ticket: Ticket,
                        includeInternal: Bool) throws -> [TicketAttachment] {
        guard !includeInternal, attachments.contains(where: { $0.responseID != nil }) else { return attachments }
        let ids = try tx.rows("SELECT id FROM response WHERE ticketId = $1 AND NOT isInternal ORDER BY createdAt, id", .int(ticket.id))
            .map { try $0.int(0) }
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Int64($0 + 1)) })
        return attachments.renumberingReplies(position)
    }

    func replyPage(_ number: TicketNumber, includeInternal: Bool, after cursor: ReplyCursor?, limit: Int,
                   check: (Ticket) throws -> Void) throws(SupportError) -> ReplyPage {
        try read { tx in
            guard let ticket = try Self.fetchTicket(tx, number: number, withResponses: false) else {
                throw SupportError.notFound("no ticket \(number)")
            }
            try check(ticket)
            return try Self.fetchReplyPage(tx, ticketID: ticket.id, includeInternal: includeInternal, after: cursor, limit: limit)
        }
    }

    func ticketWithReplyPage(_ number: TicketNumber, includeInternal: Bool, limit: Int,
                             check: (Ticket) throws -> Void) throws(SupportError) -> (Ticket, ReplyPage) {
        try read { tx in
            // The ticket, its files and its first replies asked for at once, each by the
            // ticket's number, and waited for once (`PostgresSession.queries`): a server's
            // ticket read slept and woke for each before. What `check` refuses is never shown.
            var binds = PostgresBinds()
            let numberBind = binds.add(.text(number.description))
            let ticketID = "(SELECT id FROM ticket WHERE ticketNumber = \(numberBind))"
            let files = Self.attachmentColumns + " WHERE a.ticketId = \(ticketID)"
                + (includeInternal ? "" : " AND NOT coalesce(r.isInternal, false)") + " ORDER BY a.ticketId, a.id"
            let replies = Self.replyPageSQL(ticketID: ticketID, includeInternal: includeInternal, after: nil, limit: limit, &binds)
            let answers = try tx.session.queries([(Self.ticketSelect + " WHERE t.ticketNumber = \(numberBind)", [.text(number.description)]),
                                                  (files, [.text(number.description)]), (replies, binds.values)])
            guard let row = answers[0].first else { throw SupportError.notFound("no ticket \(number)") }
            var ticket = try Self.ticket(from: row)
            try check(ticket)
            ticket.attachments = try Self.visible(answers[1].map { try Self.attachment(from: $0).attachment }, tx, of: ticket,
                                                  includeInternal: includeInternal)
            return (ticket, try Self.replyPage(answers[2], includeInternal: includeInternal, after: nil, limit: limit))
        }
    }

    /// The statement of a page of replies of the ticket `ticketID` (an id's parameter, or a
    /// statement giving it) after `cursor`, keyed by (createdAt, id).
    static func replyPageSQL(ticketID: String, includeInternal: Bool, after cursor: ReplyCursor?, limit: Int,
                             _ binds: inout PostgresBinds) -> String {
        var sql = """
            SELECT r.ticketId, r.id, r.message, u.email, u.name, u.role, r.isInternal, r.createdAt,
                   to_char(r.createdAt AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
            FROM response r JOIN desk_user u ON u.id = r.respondedBy
            """
        sql += " WHERE r.ticketId = \(ticketID)" + (includeInternal ? "" : " AND NOT r.isInternal")
        if let cursor {
            sql += " AND (r.createdAt, r.id) > (\(binds.add(.text(cursor.createdAt)))::timestamp AT TIME ZONE 'UTC', \(binds.add(.int(cursor.rowID))))"
        }
        return sql + " ORDER BY r.createdAt, r.id LIMIT \(binds.add(.int(Int64(limit + 1))))"
    }

    /// A page of replies after `cursor`, keyed by (createdAt, id). The cursor's time is kept as
    /// text (ISO 8601 to the microsecond) so a cursor is the same kind of value on both engines.
    static func fetchReplyPage(_ tx: PostgresTransaction, ticketID: Int64, includeInternal: Bool, after cursor: ReplyCursor?,
                               limit: Int) throws -> ReplyPage {
        var binds = PostgresBinds()
        let id = binds.add(.int(ticketID))
        let sql = replyPageSQL(ticketID: id, includeInternal: includeInternal, after: cursor, limit: limit, &binds)
        return try replyPage(try tx.rows(sql, binds: binds.values), includeInternal: includeInternal, after: cursor, limit: limit)
    }

    /// The page of `replyPageSQL`'s rows.
    static func replyPage(_ rows: [[PostgresValue]], includeInternal: Bool, after cursor: ReplyCursor?, limit: Int) throws -> ReplyPage {
        var page = ReplyPage(replies: [], next: nil)
        var position = cursor?.position ?? 0
        var last: (createdAt: String, rowID: Int64)?
        for row in rows {
            guard page.replies.count < limit else {
                if let last { page.next = ReplyCursor(createdAt: last.createdAt, rowID: last.rowID, position: position) }
                break
            }
            var (_, response) = try response(from: row)
            position += 1
            last = (try row.text(8), response.id)
            if !includeInternal { response.id = position }
            page.replies.append(response)
        }
        return page
    }

    func history(of number: TicketNumber, includeInternal: Bool) throws(SupportError) -> [AuditEvent] {
        try read { tx in
            try tx.rows(Self.auditSelect + " WHERE e.ticketNumber = $1" + (includeInternal ? "" : " AND NOT e.isInternal") + " ORDER BY e.id",
                        .text(number.description)).map { try Self.auditEvent(from: $0) }
        }
    }

    static let auditSelect = """
        SELECT e.id, e.ticketNumber, u.email, u.name, u.role, e.action, e.field, e.oldValue, e.newValue, e.isInternal, e.createdAt
        FROM audit_event e JOIN desk_user u ON u.id = e.actorID
        """

    static func auditEvent(from row: [PostgresValue]) throws -> AuditEvent {
        AuditEvent(id: try row.int(0), ticketNumber: row.optionalText(1),
                   actor: Person(email: try row.text(2), name: try row.text(3), role: Role(rawValue: try row.text(4)) ?? .user),
                   action: AuditEvent.Action(rawValue: try row.text(5)) ?? .ticketChanged, field: row.optionalText(6),
                   oldValue: row.optionalText(7), newValue: row.optionalText(8), isInternal: try row.bool(9), createdAt: try row.date(10))
    }

    // MARK: Writing

    func createTicket(_ draft: TicketDraft, by actor: PersonReference, rateLimit: HourlyLimit?, mail: MailPlan?,
                      attachments: [AttachmentUpload]) throws(SupportError) -> Ticket {
        try write { tx in try Self.insertTicket(tx, draft, by: actor, rateLimit: rateLimit, mail: mail, attachments: attachments) }
    }

    /// The rate limit, counted under the person's row lock: two hosts creating for one person at
    /// once count one after the other (SQLite's single writer gives this for free). FOR NO KEY
    /// UPDATE, not FOR UPDATE: the foreign-key checks of other transactions take KEY SHARE on
    /// the same row (a reply by staff to this person's ticket touches the ticket, whose checks
    /// read its requester), and FOR UPDATE blocked them while this one waited for that ticket:
    /// a deadlock, seen as 503 by concurrent replies (ServerAPITests.ticketsOpenedByManyClients…).
    static func checkRate(_ tx: PostgresTransaction, of actorID: Int64, action: AuditEvent.Action, _ rule: HourlyLimit) throws {
        _ = try tx.rows("SELECT id FROM desk_user WHERE id = $1 FOR NO KEY UPDATE", .int(actorID))
        let recent = try tx.rows("""
            SELECT createdAt FROM audit_event WHERE actorID = $1 AND action = $2 AND createdAt > $3 ORDER BY createdAt LIMIT $4
            """, .int(actorID), .text(action.rawValue), .timestamp(tx.now.addingTimeInterval(-HourlyLimit.window)), .int(Int64(rule.limit)))
            .map { try $0.date(0) }
        try rule.check(recent: recent)
    }

    static func insertTicket(_ tx: PostgresTransaction, _ draft: TicketDraft, by actor: PersonReference, rateLimit: HourlyLimit?,
                             mail: MailPlan?, attachments: [AttachmentUpload]) throws -> Ticket {
        let requesterID = try userID(tx, for: draft.requester)
        if let rateLimit, rateLimit.limit > 0 {
            try checkRate(tx, of: requesterID, action: .ticketCreated, rateLimit)
        }
        let year = CivilDate.utcYear(of: tx.now) ?? Calendar.utc.component(.year, from: tx.now)
        // The year's row stays locked until this transaction ends: the next creator, on any
        // host, waits and takes the next number, so numbers are gap-free (a rollback undoes the
        // bump with the ticket).
        guard let sequence = try tx.value("""
            INSERT INTO ticket_sequence (year, lastNumber) VALUES ($1, 1)
            ON CONFLICT (year) DO UPDATE SET lastNumber = ticket_sequence.lastNumber + 1
            RETURNING lastNumber
            """, .int(Int64(year)))?.int
        else { throw SupportError.internalError("no ticket number was assigned") }
        try TicketNumber.checkAssignable(year: year, sequence: Int(sequence))
        let number = TicketNumber(year: year, sequence: Int(sequence))
        let documents = PostgresSearchText.documents(subject: draft.subject, message: draft.message, replies: [])
        guard let ticketID = try tx.value("""
            INSERT INTO ticket (ticketNumber, subject, message, category, priority, status, submittedBy, assignedTo, createdAt, updatedAt,
                                search_public, search_staff)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10::tsvector, $10::tsvector) RETURNING id
            """, .text(number.description), .text(draft.subject), .text(draft.message), .text(draft.category.rawValue),
            .int(Int64(draft.priority.rawValue)), .int(Int64(TicketStatus.open.rawValue)), .int(requesterID),
            PostgresValue(draft.assigneeID), .timestamp(tx.now), .text(documents.public))?.int
        else { throw SupportError.internalError("the new ticket has no id") }
        try insertAttachments(tx, attachments, ticketID: ticketID, responseID: nil)
        guard var ticket = try fetchTicket(tx, number: number, withResponses: false) else {
            throw SupportError.internalError("the new ticket vanished")
        }
        if !attachments.isEmpty {
            ticket.attachments = try fetchAttachments(tx, ticketIDs: [ticketID])[ticketID] ?? []
        }
        try audit(tx, actor: actor, action: .ticketCreated, ticket: number, new: ticket.subject)
        if let assignee = ticket.assignedTo {
            try audit(tx, actor: actor, action: .ticketChanged, ticket: number, field: "assignedTo", old: nil, new: assignee.email)
        }
        try enqueueMail(tx, mail, for: ticket)
        return ticket
    }

    func updateTicket(_ number: TicketNumber, _ update: TicketUpdate, by actor: PersonReference,
                      mail: ((Ticket) -> MailPlan)?) throws(SupportError) -> (before: Ticket, after: Ticket, changed: Bool) {
        try write { tx in
            guard let before = try Self.fetchTicket(tx, number: number, withResponses: false, lock: true) else {
                throw SupportError.notFound("no ticket \(number)")
            }
            let assigneeID = try tx.value("SELECT assignedTo FROM ticket WHERE id = $1", .int(before.id))?.int
            if update.changesNothing(of: before, assigneeID: assigneeID) {
                let whole = try Self.fetchTicket(tx, number: number) ?? before
                return (whole, whole, false)
            }
            var binds = PostgresBinds()
            var sets = ["updatedAt = \(binds.add(.timestamp(tx.now)))"]
            if let subject = update.subject { sets.append("subject = \(binds.add(.text(subject)))") }
            if let message = update.message { sets.append("message = \(binds.add(.text(message)))") }
            if update.subject != nil || update.message != nil {
                // The ticket's own text changed: its documents made again, with its replies'.
                let replies = try tx.rows("SELECT message, isInternal FROM response WHERE ticketId = $1 ORDER BY id", .int(before.id))
                    .map { (message: try $0.text(0), isInternal: try $0.bool(1)) }
                let documents = PostgresSearchText.documents(subject: update.subject ?? before.subject,
                                                             message: update.message ?? before.message, replies: replies)
                sets.append("search_public = \(binds.add(.text(documents.public)))::tsvector")
                sets.append("search_staff = \(binds.add(.text(documents.staff)))::tsvector")
            }
            if let category = update.category { sets.append("category = \(binds.add(.text(category.rawValue)))") }
            if let priority = update.priority { sets.append("priority = \(binds.add(.int(Int64(priority.rawValue))))") }
            if let assignedTo = update.assignedTo { sets.append("assignedTo = \(binds.add(PostgresValue(assignedTo)))") }
            if let status = update.status, status != before.status {
                sets.append("status = \(binds.add(.int(Int64(status.rawValue))))")
                let (resolvedAt, closedAt) = before.milestones(movingTo: status, at: tx.now)
                sets.append("resolvedAt = \(binds.add(PostgresValue(resolvedAt)))")
                sets.append("closedAt = \(binds.add(PostgresValue(closedAt)))")
            }
            try tx.execute("UPDATE ticket SET \(sets.joined(separator: ", ")) WHERE id = \(binds.add(.int(before.id)))", binds: binds.values)
            guard let after = try Self.fetchTicket(tx, number: number) else { throw SupportError.internalError("the ticket vanished") }
            for (field, old, new) in before.changes(to: after) {
                try Self.audit(tx, actor: actor, action: .ticketChanged, ticket: number, field: field, old: old, new: new)
            }
            try Self.enqueueMail(tx, mail?(before), for: after)
            return (before, after, true)
        }
    }

    func deleteTicket(_ number: TicketNumber, by actor: PersonReference) throws(SupportError) -> Ticket {
        try write { tx in
            guard var ticket = try Self.fetchTicket(tx, number: number, withResponses: true, lock: true) else {
                throw SupportError.notFound("no ticket \(number)")
            }
            ticket.attachments = try Self.fetchAttachments(tx, ticketIDs: [ticket.id], includeInternal: true)[ticket.id] ?? []
            let line = try Self.exportLine(tx, ticket)
            try tx.execute("DELETE FROM ticket WHERE id = $1", .int(ticket.id))
            try Self.audit(tx, actor: actor, action: .ticketDeleted, ticket: number, old: ticket.subject)
            try tx.execute("""
                UPDATE audit_event SET deletedTicket = $1
                WHERE id = (SELECT max(id) FROM audit_event WHERE ticketNumber = $2 AND action = 'ticket.deleted')
                """, .text(line), .text(number.description))
            return ticket
        }
    }

    /// The `ticket export` line of a whole ticket, the files' content in base64 (`ticket import`
    /// restores a deleted ticket from it), as `AppDatabase.exportLine` builds it.
    static func exportLine(_ tx: PostgresTransaction, _ ticket: Ticket) throws -> String {
        let frame = JSONRenderer.streamedTicket(ticket, line: true)
        var line = frame.head
        for (index, reply) in ticket.responses.enumerated() { line += frame.reply(reply, first: index == 0) }
        let pieces = JSONRenderer.exportTail(ticket)
        line += pieces[0]
        for (index, file) in ticket.attachments.enumerated() {
            let data = try tx.value("SELECT c.data FROM attachment a JOIN attachment_content c ON c.id = a.contentId WHERE a.id = $1",
                                    .int(file.id))?.bytes ?? []
            var encoder = Base64.Encoder()
            var encoded: [UInt8] = []
            data.withUnsafeBytes { encoder.append($0, to: &encoded) }
            encoder.finish(to: &encoded)
            line += "\"" + String(decoding: encoded, as: UTF8.self) + "\"" + pieces[index + 1]
        }
        return line
    }

    func addResponse(to number: TicketNumber, message: String, by author: PersonReference, isInternal: Bool,
                     reopens: Bool, rateLimit: HourlyLimit?, mail: ((TicketResponse) -> MailPlan)?,
                     attachments: [AttachmentUpload]) throws(SupportError) -> (ticket: Ticket, response: TicketResponse) {
        try write { tx in
            if let rateLimit, rateLimit.limit > 0 {
                try Self.checkRate(tx, of: try Self.userID(tx, for: author), action: .ticketReplied, rateLimit)
            }
            return try Self.insertResponse(tx, to: number, message: message, by: author, isInternal: isInternal, reopens: reopens,
                                           mail: mail, attachments: attachments)
        }
    }

    static func insertResponse(_ tx: PostgresTransaction, to number: TicketNumber, message: String, by author: PersonReference,
                               isInternal: Bool, reopens: Bool, touches: Bool = true, mail: ((TicketResponse) -> MailPlan)? = nil,
                               attachments: [AttachmentUpload] = []) throws -> (ticket: Ticket, response: TicketResponse) {
        guard let before = try fetchTicket(tx, number: number, withResponses: false, lock: true) else {
            throw SupportError.notFound("no ticket \(number)")
        }
        let authorID = try userID(tx, for: author)
        guard let responseID = try tx.value("""
            INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt) VALUES ($1, $2, $3, $4, $5) RETURNING id
            """, .int(before.id), .text(message), .int(authorID), .bool(isInternal), .timestamp(tx.now))?.int
        else { throw SupportError.internalError("the reply has no id") }
        try insertAttachments(tx, attachments, ticketID: before.id, responseID: responseID)
        try audit(tx, actor: author, action: isInternal ? .ticketNoted : .ticketReplied, ticket: number,
                  new: String(responseID), isInternal: isInternal)
        // The reply's words join the ticket's documents (appended: the other replies are not
        // read again), a note's only staff's, in the same update as the reply's effect.
        let words = PostgresSearchText.words(of: message)
        let documents = isInternal ? "search_staff = search_staff || $2::tsvector"
            : "search_public = search_public || $2::tsvector, search_staff = search_staff || $2::tsvector"
        switch before.replyEffect(isInternal: isInternal, reopens: reopens, touches: touches) {
        case .none:
            try tx.execute("UPDATE ticket SET \(documents) WHERE id = $1", .int(before.id), .text(words))
        case .reopen:
            try audit(tx, actor: author, action: .ticketChanged, ticket: number, field: "status",
                      old: before.status.title, new: TicketStatus.open.title)
            try tx.execute("UPDATE ticket SET \(documents), updatedAt = $3, status = $4, resolvedAt = NULL, closedAt = NULL WHERE id = $1",
                           .int(before.id), .text(words), .timestamp(tx.now), .int(Int64(TicketStatus.open.rawValue)))
        case .touch:
            try tx.execute("UPDATE ticket SET \(documents), updatedAt = $3 WHERE id = $1", .int(before.id), .text(words), .timestamp(tx.now))
        }
        guard let after = try fetchTicket(tx, number: number, withResponses: false),
              let row = try tx.row(responseSelect + " WHERE r.id = $1", .int(responseID))
        else { throw SupportError.internalError("the reply vanished") }
        let response = try Self.response(from: row).1
        try enqueueMail(tx, mail?(response), for: after)
        return (after, response)
    }

    // MARK: Files

    func storedAttachment(id: Int64) throws(SupportError) -> StoredAttachment? {
        try read { tx in
            guard let row = try tx.row("""
                SELECT a.ticketId, a.id, a.fileName, a.contentType, c.size, c.sha256, a.responseId, coalesce(r.isInternal, false),
                       a.createdAt, t.ticketNumber, s.email, a.contentId
                FROM attachment a JOIN attachment_content c ON c.id = a.contentId LEFT JOIN response r ON r.id = a.responseId
                JOIN ticket t ON t.id = a.ticketId JOIN desk_user s ON s.id = t.submittedBy
                WHERE a.id = $1
                """, .int(id)) else { return nil }
            return StoredAttachment(attachment: try Self.attachment(from: row).attachment,
                                    ticketNumber: try TicketNumber.parse(try row.text(9)),
                                    requesterEmail: try row.text(10), contentRowID: try row.int(11))
        }
    }

    func readAttachmentContent(rowID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws(SupportError) {
        try read { tx in try Self.readContent(tx, rowID: rowID, body) }
    }

    // MARK: Mail written with a change

    static func enqueueMail(_ tx: PostgresTransaction, _ plan: MailPlan?, for ticket: Ticket) throws {
        guard let plan else { return }
        try enqueue(tx, plan(ticket, try fetchSettings(tx), tx.now, try messageIDSigner(tx)))
    }

    static func enqueue(_ tx: PostgresTransaction, _ drafts: [OutboxDraft]) throws {
        for d in drafts {
            // A requester's replies coalesce per ticket while a notice waits (AppDatabase.enqueue).
            if d.kind == .requesterReply, try tx.value("""
                SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'pending' AND ticketNumber = $1 AND kind = $2 AND recipient = $3)
                """, .text(d.ticketNumber.description), .text(d.kind.rawValue), .text(d.recipient))?.bool == true {
                continue
            }
            try tx.execute("""
                INSERT INTO outbox (ticketNumber, kind, sender, recipient, subject, messageID, message, nextAttemptAt, createdAt, status, lastError)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)
                """, .text(d.ticketNumber.description), .text(d.kind.rawValue), .text(d.sender), .text(d.recipient), .text(d.subject),
                .text(d.messageID), .bytes(d.bytes), .timestamp(tx.now), .text(d.failure == nil ? "pending" : "failed"),
                PostgresValue(d.failure))
            try recordMessageID(tx, d.messageID, ticket: d.ticketNumber, direction: .outgoing, address: d.recipient)
        }
    }

    static func recordMessageID(_ tx: PostgresTransaction, _ messageID: String, ticket: TicketNumber,
                                direction: ThreadedMessage.Direction, address: String) throws {
        try tx.execute("""
            INSERT INTO ticket_message (messageID, ticketNumber, direction, address, createdAt) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (messageID) DO NOTHING
            """, .text(messageID), .text(ticket.description), .text(direction.rawValue), .text(address), .timestamp(tx.now))
    }

    /// The key the desk signs its Message-IDs with, made on first use by whichever host gets
    /// there first (the others read that one).
    static func messageIDSigner(_ tx: PostgresTransaction) throws -> MessageIDSigner {
        if let stored = try tx.value("SELECT value FROM desk_secret WHERE name = $1", .text(AppDatabase.signingKeyName))?.bytes,
           stored.count == 32 {
            return MessageIDSigner(key: stored)
        }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try tx.execute("INSERT INTO desk_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                       .text(AppDatabase.signingKeyName), .bytes(key))
        guard let stored = try tx.value("SELECT value FROM desk_secret WHERE name = $1", .text(AppDatabase.signingKeyName))?.bytes,
              stored.count == 32
        else { throw SupportError.internalError("the desk's signing key could not be stored") }
        return MessageIDSigner(key: stored)
    }
}
