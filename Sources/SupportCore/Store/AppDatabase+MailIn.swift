import Foundation
import GRDB
import Synchronization

/// A Message-ID the desk sent or received for a ticket.
struct ThreadedMessage: Sendable, Equatable {
    enum Direction: String, Sendable {
        case outgoing = "out"
        case incoming = "in"
    }

    var messageID: String
    var ticketNumber: String
    var direction: Direction
    /// Whom an outgoing message went to; who sent an incoming one.
    var address: String
}

/// An `inbound_mail` row about to be written.
struct InboundRecordDraft: Sendable {
    var messageID: String?
    var digest: String
    var sender: String?
    var subject: String?
    var outcome: InboundRecord.Outcome
    var reason: String?
    var ticketNumber: TicketNumber?
    var responseID: Int64?
    var raw: [UInt8]
    var size: Int
    var truncated: Bool
    /// The unique name of the Maildir file it came from, when it came from one.
    var maildirFile: String? = nil
}

/// The writes of one `mail ingest`, all inside one transaction: the help desk decides (threading,
/// permissions, loops), this reads and writes. Only mail ingest uses it. One per engine
/// (`SQLiteMailIn`, `PostgresMailIn`): the rules for incoming mail (`HelpDesk+MailIn`) are
/// written once, over this.
protocol MailInTransaction {
    func settings() throws -> [SettingKey: String]
    func prepareBatch() throws
    /// After the last message of a batch, inside its transaction.
    func finishBatch() throws
    func isolated<T>(_ body: () throws -> T) throws -> Result<T, SupportError>
    func signer() throws -> MessageIDSigner
    func now() throws -> Date
    func earlierRecord(messageID: String?, digest: String, excluding: Int64?) throws -> Int64?
    func record(maildirFile: String, digest: String) throws -> InboundRecord?
    func threadedMessage(_ messageID: String) throws -> ThreadedMessage?
    func user(email: String) throws -> User?
    func ticket(_ number: TicketNumber) throws -> Ticket?
    func createTicket(_ draft: TicketDraft, by actor: PersonReference, mail: MailPlan?, attachments: [AttachmentUpload]) throws -> Ticket
    func addResponse(to number: TicketNumber, message: String, by author: PersonReference, reopens: Bool, touches: Bool,
                     mail: ((TicketResponse) -> MailPlan)?, attachments: [AttachmentUpload]) throws -> TicketResponse
    func autoResponses(to address: String, since: Date) throws -> Int
    func enqueueNotice(kind: MailKind, sender: String, recipient: String, subject: String, messageID: String, bytes: [UInt8]) throws
    func markBounced(messageID: String, detail: String) throws -> Int64?
    func recordMessageID(_ messageID: String, ticket: TicketNumber, direction: ThreadedMessage.Direction, address: String) throws
    func saveRecord(_ d: InboundRecordDraft, replacing: Int64?) throws -> InboundRecord
}

extension MailInTransaction {
    func saveRecord(_ d: InboundRecordDraft) throws -> InboundRecord { try saveRecord(d, replacing: nil) }
    func finishBatch() throws {}
}

/// Mail in on SQLite: statements cached per connection (a Maildir run writes thousands).
struct SQLiteMailIn: MailInTransaction {
    let db: Database
    /// A batch's new tickets are indexed for search together, not one by one (HeldBackTicketSearch).
    let search = HeldBackTicketSearch()

    func settings() throws -> [SettingKey: String] { try AppDatabase.fetchSettings(db) }

    /// Before the first message of a batch: makes the key the desk signs with, if it is not
    /// made yet, outside any message's savepoint.
    func prepareBatch() throws {
        _ = try AppDatabase.messageIDSigner(db)
        try search.begin(db)
    }

    /// Indexes the batch's new tickets for search and puts the index trigger back.
    func finishBatch() throws {
        try search.finish(db)
    }

    /// Runs one message of a batch in a savepoint of its own. A failure of the database itself
    /// (busy, locked, full, unwritable: SQLite may have rolled back the whole transaction) is
    /// thrown, and the batch fails as a whole; any other failure undoes only this message's writes
    /// and is returned, so the caller can record the message and go on with the next one.
    func isolated<T>(_ body: () throws -> T) throws -> Result<T, SupportError> {
        var result: T?
        do {
            try db.inSavepoint {
                result = try body()
                return .commit
            }
        } catch {
            let failure: SupportError
            switch error {
            case let error as SupportError: failure = error
            case let error as DatabaseError: failure = AppDatabase.translate(error)
            default: failure = .internalError("unexpected error: \(error)")
            }
            switch failure {
            case .busy, .storage: throw failure
            default: return .failure(failure)
            }
        }
        guard let result else { throw SupportError.internalError("a savepoint ended without a result") }
        return .success(result)
    }

    func signer() throws -> MessageIDSigner { try AppDatabase.messageIDSigner(db) }

    func now() throws -> Date { try db.transactionDate }

    /// The id of the record that already holds this message (same Message-ID, or same bytes), if
    /// any, other than `excluding` (a quarantined record being retried).
    func earlierRecord(messageID: String?, digest: String, excluding: Int64?) throws -> Int64? {
        // Cached statements, as on the whole path of a message: a batch compiles each once.
        if let messageID, let id = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT id FROM inbound_mail WHERE messageID = ? AND outcome != 'duplicate' AND id IS NOT ?
            """), arguments: [messageID, excluding]) {
            return id
        }
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM inbound_mail WHERE digest = ? AND outcome != 'duplicate' AND id IS NOT ?"),
                                  arguments: [digest, excluding])
    }

    /// The record of the message with these bytes that was taken from the Maildir file of this
    /// unique name, if one was committed: a run killed before it moved the file to cur/.
    func record(maildirFile: String, digest: String) throws -> InboundRecord? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(AppDatabase.inboundColumns) FROM inbound_mail WHERE maildirFile = ? AND digest = ? ORDER BY id LIMIT 1
            """), arguments: [maildirFile, digest]).map(AppDatabase.inboundRecord(from:))
    }

    func threadedMessage(_ messageID: String) throws -> ThreadedMessage? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT ticketNumber, direction, address FROM ticket_message WHERE messageID = ?"),
                         arguments: [messageID]).map { row in
            ThreadedMessage(messageID: messageID, ticketNumber: row[0],
                            direction: ThreadedMessage.Direction(rawValue: row[1]) ?? .incoming, address: row[2])
        }
    }

    func user(email: String) throws -> User? { try AppDatabase.fetchUser(db, email: email) }

    func ticket(_ number: TicketNumber) throws -> Ticket? {
        try AppDatabase.fetchTicket(db, number: number, withResponses: false)
    }

    func createTicket(_ draft: TicketDraft, by actor: PersonReference, mail: MailPlan?, attachments: [AttachmentUpload]) throws -> Ticket {
        try AppDatabase.insertTicket(db, draft, by: actor, rateLimit: nil, mail: mail, attachments: attachments)
    }

    func addResponse(to number: TicketNumber, message: String, by author: PersonReference, reopens: Bool, touches: Bool,
                     mail: ((TicketResponse) -> MailPlan)?, attachments: [AttachmentUpload]) throws -> TicketResponse {
        // A reply's triggers take the ticket's documents out of the index and put them back:
        // a ticket of this batch must be in the index first.
        try search.indexHeldBack(db)
        return try AppDatabase.insertResponse(db, to: number, message: message, by: author, isInternal: false, reopens: reopens,
                                       touches: touches, mail: mail, attachments: attachments).response
    }

    /// How many automatic replies (auto-responses and too-large notices) went to `address`
    /// since `since`.
    func autoResponses(to address: String, since: Date) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM outbox WHERE recipient = ? AND kind IN ('auto-response', 'too-large') AND createdAt > ?
            """), arguments: [address, since]) ?? 0
    }

    /// Queues a message about no ticket (a too-large notice): its ticket number is empty, and
    /// its Message-ID is not threaded, so a reply to it opens a new ticket.
    func enqueueNotice(kind: MailKind, sender: String, recipient: String, subject: String, messageID: String, bytes: [UInt8]) throws {
        let now = try db.transactionDate
        try db.execute(sql: """
            INSERT INTO outbox (ticketNumber, kind, sender, recipient, subject, messageID, message, nextAttemptAt, createdAt, status)
            VALUES ('', ?, ?, ?, ?, ?, ?, ?, ?, 'pending')
            """, arguments: [kind.rawValue, sender, recipient, subject, messageID, Data(bytes), now, now])
    }

    /// Marks the sent message with this Message-ID bounced; returns its outbox id.
    func markBounced(messageID: String, detail: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            UPDATE outbox SET bouncedAt = coalesce(bouncedAt, ?), lastError = ? WHERE messageID = ? RETURNING id
            """, arguments: [try db.transactionDate, detail, messageID])
    }

    func recordMessageID(_ messageID: String, ticket: TicketNumber, direction: ThreadedMessage.Direction, address: String) throws {
        try AppDatabase.recordMessageID(db, messageID, ticket: ticket, direction: direction, address: address)
    }

    /// Writes the record, or rewrites `replacing` (a quarantined message ingested again).
    ///
    /// The raw bytes are bound in place (a prepared statement's `execute(arguments:)` binds a
    /// blob SQLITE_STATIC), so SQLite's record is the only other copy of the message. `zeroblob(?)` and incremental blob I/O, as
    /// `attachment_content` uses, copy nothing only when the blob is the row's last non-zero
    /// column; here `size` follows `raw`, so SQLite expanded the zeroblob in memory and then
    /// built the record: two more copies of a 50 MB message, not one (issue 12, measured in
    /// docs/benchmarks.md).
    func saveRecord(_ d: InboundRecordDraft, replacing: Int64?) throws -> InboundRecord {
        let now = try db.transactionDate
        let id: Int64 = try AppDatabase.withBorrowedData(d.raw) { raw in
            var arguments: StatementArguments = [AppDatabase.storageText(now), d.messageID, d.digest, d.sender, d.subject, d.outcome.rawValue, d.reason,
                                                 d.ticketNumber?.description, d.responseID, raw, d.size, d.truncated]
            // A prepared statement's execute(arguments:) binds blobs in place; db.execute(sql:
            // arguments:) binds them SQLITE_TRANSIENT, that is copied. The insert is cached (a
            // batch writes many records); its binding is left pointing at bytes let go, which
            // SQLite never reads before the next use rebinds every argument.
            if let replacing {
                try db.makeStatement(sql: """
                    UPDATE inbound_mail SET receivedAt = ?, messageID = ?, digest = ?, sender = ?, subject = ?, outcome = ?,
                        reason = ?, ticketNumber = ?, responseID = ?, raw = ?, size = ?, truncated = ?
                    WHERE id = ?
                    """).execute(arguments: arguments + [replacing])
                return replacing
            }
            arguments += [d.maildirFile]
            try db.cachedStatement(sql: """
                INSERT INTO inbound_mail (receivedAt, messageID, digest, sender, subject, outcome, reason, ticketNumber,
                                          responseID, raw, size, truncated, maildirFile)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: arguments)
            return db.lastInsertedRowID
        }
        return InboundRecord(id: id, receivedAt: now, messageID: d.messageID, digest: d.digest, sender: d.sender,
                             subject: d.subject, outcome: d.outcome, reason: d.reason, ticketNumber: d.ticketNumber?.description,
                             responseID: d.responseID, size: d.size, truncated: d.truncated)
    }
}

extension AppDatabase {
    /// `bytes` as a `Data` that shares their storage, for binding as a statement argument
    /// without a copy. Valid only inside `body`.
    static func withBorrowedData<T>(_ bytes: [UInt8], _ body: (Data) throws -> T) rethrows -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return try body(Data()) }
            return try body(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none))
        }
    }

    /// The page cache of a Maildir or mbox run, in KiB (SQLite's default is 2 MiB). A batch of
    /// 200 new tickets changes about 13 MB of pages (the ticket table's twenty indexes, full-text
    /// search, outbox, audit): in 2 MiB SQLite spilled them to the WAL before the commit and read
    /// them back, part of the 9 % of a run's CPU in `pwrite`/`pread` (docs/benchmarks.md,
    /// "Mail in: speed").
    static let mailBatchCacheKiB = 65_536

    /// Runs `body` (a run of batches) with the connection's page cache at `mailBatchCacheKiB`
    /// and its temporary files in memory, and puts both back as they were afterwards.
    ///
    /// Temporary files in memory (`temp_store = MEMORY`) keep each message's savepoint journal
    /// in memory: about 300 KB per new ticket, let go when the savepoint is released. On disk
    /// (the default spills a statement journal past 64 KiB to a temporary file) it was 300 MB
    /// of writes and 146,000 write calls per 1,000 messages. Raising the spill threshold for
    /// the process instead (SQLITE_CONFIG_STMTJRNL_SPILL) is not safe with SQLite 3.40: past
    /// about 1 MiB a large statement journal fails with "database or disk is full" (a
    /// migration's full-text rebuild did, in MigrationProgressAndKillTests).
    func withMailBatchCache<T>(_ body: () throws(SupportError) -> T) throws(SupportError) -> T {
        let previous = try Self.translatingErrors {
            try writer.writeWithoutTransaction { db in
                let size = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
                let temp = try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? 0
                try db.execute(sql: "PRAGMA cache_size = -\(Self.mailBatchCacheKiB); PRAGMA temp_store = MEMORY")
                return (size, temp)
            }
        }
        defer {
            try? writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA cache_size = \(previous.0); PRAGMA temp_store = \(previous.1)")
            }
        }
        return try body()
    }

    /// GRDB's storage text of `date`, made by GRDB (so exactly what it would store) but once per
    /// distinct date: a transaction writes its one `transactionDate` many times (a new ticket by
    /// mail: nine), and GRDB formats every `Date` argument with a `DateFormatter`, 4 % of a
    /// Maildir run's CPU (docs/benchmarks.md, "Mail in: speed").
    static func storageText(_ date: Date) -> String {
        if let last = lastStorageText.withLock({ $0 }), last.date == date { return last.text }
        let text = String.fromDatabaseValue(date.databaseValue) ?? ""
        lastStorageText.withLock { $0 = (date, text) }
        return text
    }

    private static let lastStorageText = Mutex<(date: Date, text: String)?>(nil)

    /// Runs `body` in one write transaction: all of an ingest (or of a batch of them), or none of it.
    func mailIn<T>(_ body: (any MailInTransaction) throws -> T) throws(SupportError) -> T {
        try write { db in try body(SQLiteMailIn(db: db)) }
    }

    static func recordMessageID(_ db: Database, _ messageID: String, ticket: TicketNumber,
                                direction: ThreadedMessage.Direction, address: String) throws {
        // The first ticket a Message-ID was seen on keeps it.
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO ticket_message (messageID, ticketNumber, direction, address, createdAt) VALUES (?, ?, ?, ?, ?)
            """).execute(arguments: [messageID, ticket.description, direction.rawValue, address, storageText(try db.transactionDate)])
    }

    /// The key the desk signs its Message-IDs with: 32 random bytes made on first use and kept in
    /// `desk_secret`, which no command shows.
    static func messageIDSigner(_ db: Database) throws -> MessageIDSigner {
        if let stored = try Data.fetchOne(db.cachedStatement(sql: "SELECT value FROM desk_secret WHERE name = ?"), arguments: [signingKeyName]),
           stored.count == 32 {
            return MessageIDSigner(key: [UInt8](stored))
        }
        // SystemRandomNumberGenerator reads the kernel's CSPRNG (getrandom on Linux).
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try db.execute(sql: "INSERT INTO desk_secret (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                       arguments: [signingKeyName, Data(key)])
        return MessageIDSigner(key: key)
    }

    static let signingKeyName = "message-id-key"

    // MARK: Reading

    static let inboundColumns = "id, receivedAt, messageID, digest, sender, subject, outcome, reason, ticketNumber, responseID, size, truncated"

    static func inboundRecord(from row: Row) -> InboundRecord {
        InboundRecord(id: row[0], receivedAt: row[1], messageID: row[2], digest: row[3], sender: row[4], subject: row[5],
                      outcome: InboundRecord.Outcome(rawValue: row[6]) ?? .quarantined, reason: row[7], ticketNumber: row[8],
                      responseID: row[9], size: row[10], truncated: row[11])
    }

    /// Ingested messages, newest first.
    func inboundRecords(outcome: InboundRecord.Outcome?, limit: Int) throws(SupportError) -> [InboundRecord] {
        try read { db in
            var sql = "SELECT \(Self.inboundColumns) FROM inbound_mail"
            var arguments = StatementArguments()
            if let outcome {
                sql += " WHERE outcome = ?"
                arguments += [outcome.rawValue]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.inboundRecord(from:))
        }
    }

    /// A record and the bytes it keeps.
    func inboundMessage(id: Int64) throws(SupportError) -> (record: InboundRecord, raw: [UInt8])? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.inboundColumns), raw FROM inbound_mail WHERE id = ?", arguments: [id]).map { row in
                (Self.inboundRecord(from: row), [UInt8](row[12] as Data))
            }
        }
    }
}
