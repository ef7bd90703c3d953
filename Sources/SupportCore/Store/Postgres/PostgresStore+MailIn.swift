import Foundation

/// Mail in on PostgreSQL: the same writes as `SQLiteMailIn`, and idempotent across hosts. Two
/// hosts handed the same message at once (an MTA retrying on another relay) would each see no
/// earlier record (neither has committed); so each message first takes a transaction-scoped
/// advisory lock on its Message-ID and its digest, and the second host, once the first commits,
/// finds the first's record and stores a duplicate.
struct PostgresMailIn: MailInTransaction {
    let tx: PostgresTransaction
    let store: PostgresStore

    func settings() throws -> [SettingKey: String] { try PostgresStore.fetchSettings(tx) }

    func prepareBatch() throws { _ = try PostgresStore.messageIDSigner(tx) }

    /// One message in a savepoint of its own: the rules refusing it undo its writes only. A
    /// failure of the database itself (busy, storage) ends the batch, as on SQLite.
    func isolated<T>(_ body: () throws -> T) throws -> Result<T, SupportError> {
        try tx.session.execute("SAVEPOINT mail_message")
        do {
            let value = try body()
            try tx.session.execute("RELEASE SAVEPOINT mail_message")
            return .success(value)
        } catch {
            let failure: SupportError
            switch error {
            case let error as SupportError: failure = error
            case let error as PostgresServerError: failure = PostgresStore.translate(error, logger: store.logger)
            default: failure = .internalError("unexpected error: \(error)")
            }
            try tx.session.execute("ROLLBACK TO SAVEPOINT mail_message; RELEASE SAVEPOINT mail_message")
            switch failure {
            case .busy, .storage: throw failure
            default: return .failure(failure)
            }
        }
    }

    func signer() throws -> MessageIDSigner { try PostgresStore.messageIDSigner(tx) }

    func now() throws -> Date { tx.now }

    func earlierRecord(messageID: String?, digest: String, excluding: Int64?) throws -> Int64? {
        // Keys in one order (Message-ID, then digest) on every host: no two wait on each other.
        if let messageID { _ = try tx.rows("SELECT pg_advisory_xact_lock(1, hashtext($1))", .text(messageID)) }
        _ = try tx.rows("SELECT pg_advisory_xact_lock(2, hashtext($1))", .text(digest))
        if let messageID, let id = try tx.value("""
            SELECT id FROM inbound_mail WHERE messageID = $1 AND outcome <> 'duplicate' AND id IS DISTINCT FROM $2
            """, .text(messageID), PostgresValue(excluding))?.int {
            return id
        }
        return try tx.value("SELECT id FROM inbound_mail WHERE digest = $1 AND outcome <> 'duplicate' AND id IS DISTINCT FROM $2",
                            .text(digest), PostgresValue(excluding))?.int
    }

    func record(maildirFile: String, digest: String) throws -> InboundRecord? {
        try tx.row("SELECT \(PostgresStore.inboundColumns) FROM inbound_mail WHERE maildirFile = $1 AND digest = $2 ORDER BY id LIMIT 1",
                   .text(maildirFile), .text(digest)).map { try PostgresStore.inboundRecord(from: $0) }
    }

    func threadedMessage(_ messageID: String) throws -> ThreadedMessage? {
        try tx.row("SELECT ticketNumber, direction, address FROM ticket_message WHERE messageID = $1", .text(messageID)).map { row in
            ThreadedMessage(messageID: messageID, ticketNumber: try row.text(0),
                            direction: ThreadedMessage.Direction(rawValue: try row.text(1)) ?? .incoming, address: try row.text(2))
        }
    }

    func user(email: String) throws -> User? { try PostgresStore.fetchUser(tx, email: email) }

    func ticket(_ number: TicketNumber) throws -> Ticket? {
        try PostgresStore.fetchTicket(tx, number: number, withResponses: false)
    }

    func createTicket(_ draft: TicketDraft, by actor: PersonReference, mail: MailPlan?, attachments: [AttachmentUpload]) throws -> Ticket {
        try PostgresStore.insertTicket(tx, draft, by: actor, rateLimit: nil, mail: mail, attachments: attachments)
    }

    func addResponse(to number: TicketNumber, message: String, by author: PersonReference, reopens: Bool, touches: Bool,
                     mail: ((TicketResponse) -> MailPlan)?, attachments: [AttachmentUpload]) throws -> TicketResponse {
        try PostgresStore.insertResponse(tx, to: number, message: message, by: author, isInternal: false, reopens: reopens,
                                         touches: touches, mail: mail, attachments: attachments).response
    }

    func autoResponses(to address: String, since: Date) throws -> Int {
        Int(try tx.value("""
            SELECT count(*) FROM outbox WHERE recipient = $1 AND kind IN ('auto-response', 'too-large') AND createdAt > $2
            """, .text(address), .timestamp(since))?.int ?? 0)
    }

    func enqueueNotice(kind: MailKind, sender: String, recipient: String, subject: String, messageID: String, bytes: [UInt8]) throws {
        try tx.execute("""
            INSERT INTO outbox (ticketNumber, kind, sender, recipient, subject, messageID, message, nextAttemptAt, createdAt, status)
            VALUES ('', $1, $2, $3, $4, $5, $6, $7, $7, 'pending')
            """, .text(kind.rawValue), .text(sender), .text(recipient), .text(subject), .text(messageID), .bytes(bytes), .timestamp(tx.now))
    }

    func markBounced(messageID: String, detail: String) throws -> Int64? {
        try tx.value("UPDATE outbox SET bouncedAt = coalesce(bouncedAt, $1), lastError = $2 WHERE messageID = $3 RETURNING id",
                     .timestamp(tx.now), .text(detail), .text(messageID))?.int
    }

    func recordMessageID(_ messageID: String, ticket: TicketNumber, direction: ThreadedMessage.Direction, address: String) throws {
        try PostgresStore.recordMessageID(tx, messageID, ticket: ticket, direction: direction, address: address)
    }

    func saveRecord(_ d: InboundRecordDraft, replacing: Int64?) throws -> InboundRecord {
        let values: [PostgresValue] = [.timestamp(tx.now), PostgresValue(d.messageID), .text(d.digest), PostgresValue(d.sender),
                                       PostgresValue(d.subject), .text(d.outcome.rawValue), PostgresValue(d.reason),
                                       PostgresValue(d.ticketNumber?.description), PostgresValue(d.responseID), .bytes(d.raw),
                                       .int(Int64(d.size)), .bool(d.truncated)]
        let id: Int64
        if let replacing {
            try tx.execute("""
                UPDATE inbound_mail SET receivedAt = $1, messageID = $2, digest = $3, sender = $4, subject = $5, outcome = $6,
                    reason = $7, ticketNumber = $8, responseID = $9, raw = $10, size = $11, truncated = $12
                WHERE id = $13
                """, binds: values + [.int(replacing)])
            id = replacing
        } else {
            guard let inserted = try tx.value("""
                INSERT INTO inbound_mail (receivedAt, messageID, digest, sender, subject, outcome, reason, ticketNumber,
                                          responseID, raw, size, truncated, maildirFile)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
                """, binds: values + [PostgresValue(d.maildirFile)])?.int
            else { throw SupportError.internalError("the message's record has no id") }
            id = inserted
        }
        return InboundRecord(id: id, receivedAt: tx.now, messageID: d.messageID, digest: d.digest, sender: d.sender,
                             subject: d.subject, outcome: d.outcome, reason: d.reason, ticketNumber: d.ticketNumber?.description,
                             responseID: d.responseID, size: d.size, truncated: d.truncated)
    }
}

extension PostgresStore {
    static let inboundColumns = "id, receivedAt, messageID, digest, sender, subject, outcome, reason, ticketNumber, responseID, size, truncated"

    static func inboundRecord(from row: [PostgresValue]) throws -> InboundRecord {
        InboundRecord(id: try row.int(0), receivedAt: try row.date(1), messageID: row.optionalText(2), digest: try row.text(3),
                      sender: row.optionalText(4), subject: row.optionalText(5),
                      outcome: InboundRecord.Outcome(rawValue: try row.text(6)) ?? .quarantined, reason: row.optionalText(7),
                      ticketNumber: row.optionalText(8), responseID: row.optionalInt(9), size: Int(try row.int(10)), truncated: try row.bool(11))
    }

    func mailIn<T>(_ body: (any MailInTransaction) throws -> T) throws(SupportError) -> T {
        try write(retries: false) { tx in try body(PostgresMailIn(tx: tx, store: self)) }
    }

    func inboundRecords(outcome: InboundRecord.Outcome?, limit: Int) throws(SupportError) -> [InboundRecord] {
        try read { tx in
            var binds = PostgresBinds()
            var sql = "SELECT \(Self.inboundColumns) FROM inbound_mail"
            if let outcome { sql += " WHERE outcome = \(binds.add(.text(outcome.rawValue)))" }
            sql += " ORDER BY id DESC LIMIT \(binds.add(.int(Int64(limit))))"
            return try tx.rows(sql, binds: binds.values).map { try Self.inboundRecord(from: $0) }
        }
    }

    func inboundMessage(id: Int64) throws(SupportError) -> (record: InboundRecord, raw: [UInt8])? {
        try read { tx in
            try tx.row("SELECT \(Self.inboundColumns), raw FROM inbound_mail WHERE id = $1", .int(id)).map { row in
                (try Self.inboundRecord(from: row), try row.bytes(12))
            }
        }
    }
}
