import Foundation
import GRDB
import Logging

/// `support db copy --to postgresql://…`: an SQLite desk, whole, into an empty PostgreSQL desk,
/// in one PostgreSQL transaction (a failure or a kill leaves the target as empty as it was):
/// users, tickets, replies, files, the audit trail, the outbox and its attempts, mail in,
/// settings, secrets and token generations, every row with its id, so that ticket numbers,
/// reply numbers in mail, Message-IDs and tokens keep working on the new desk.
///
/// The source is read in one snapshot (the desk may stay in use meanwhile; what is written after
/// the copy starts is not copied). The derived data (search documents, the tally) is built once
/// at the end, with the row triggers set aside during the copy: firing them per reply would
/// update each ticket once per reply.
enum DeskCopy {
    enum Kind { case int, real, text, blob, bool, date }

    struct Table {
        let source: String
        let target: String
        let columns: [(String, Kind)]
        var hasID: Bool { columns.first?.0 == "id" }
    }

    /// In the order of their foreign keys.
    static let tables: [Table] = [
        Table(source: "user", target: "desk_user", columns: [("id", .int), ("email", .text), ("name", .text), ("role", .text),
                                                             ("createdAt", .date), ("login", .text), ("removedAt", .date)]),
        Table(source: "ticket_sequence", target: "ticket_sequence", columns: [("year", .int), ("lastNumber", .int)]),
        Table(source: "ticket", target: "ticket", columns: [
            ("id", .int), ("ticketNumber", .text), ("subject", .text), ("message", .text), ("category", .text), ("priority", .int),
            ("status", .int), ("submittedBy", .int), ("assignedTo", .int), ("createdAt", .date), ("updatedAt", .date),
            ("resolvedAt", .date), ("closedAt", .date), ("firstResponseAt", .date), ("firstResponderID", .int),
            ("firstResponseSeconds", .real), ("resolutionSeconds", .real),
        ]),
        Table(source: "response", target: "response", columns: [("id", .int), ("ticketId", .int), ("message", .text), ("respondedBy", .int),
                                                                ("isInternal", .bool), ("createdAt", .date)]),
        Table(source: "setting", target: "setting", columns: [("key", .text), ("value", .text)]),
        Table(source: "outbox", target: "outbox", columns: [
            ("id", .int), ("ticketNumber", .text), ("kind", .text), ("sender", .text), ("recipient", .text), ("subject", .text),
            ("messageID", .text), ("message", .blob), ("status", .text), ("attempts", .int), ("nextAttemptAt", .date),
            ("leaseOwner", .text), ("leaseUntil", .date), ("lastError", .text), ("createdAt", .date), ("sentAt", .date), ("bouncedAt", .date),
        ]),
        Table(source: "outbox_attempt", target: "outbox_attempt", columns: [
            ("id", .int), ("outboxID", .int), ("startedAt", .date), ("finishedAt", .date), ("outcome", .text), ("exitStatus", .int), ("detail", .text),
        ]),
        Table(source: "audit_event", target: "audit_event", columns: [
            ("id", .int), ("ticketNumber", .text), ("actorID", .int), ("action", .text), ("field", .text), ("oldValue", .text),
            ("newValue", .text), ("isInternal", .bool), ("createdAt", .date), ("deletedTicket", .text),
        ]),
        Table(source: "inbound_mail", target: "inbound_mail", columns: [
            ("id", .int), ("receivedAt", .date), ("messageID", .text), ("digest", .text), ("sender", .text), ("subject", .text),
            ("outcome", .text), ("reason", .text), ("ticketNumber", .text), ("responseID", .int), ("raw", .blob), ("size", .int),
            ("truncated", .bool), ("maildirFile", .text),
        ]),
        Table(source: "ticket_message", target: "ticket_message", columns: [
            ("messageID", .text), ("ticketNumber", .text), ("direction", .text), ("address", .text), ("createdAt", .date),
        ]),
        Table(source: "desk_secret", target: "desk_secret", columns: [("name", .text), ("value", .blob)]),
        Table(source: "server_key", target: "server_key", columns: [("name", .text), ("secret", .blob)]),
        Table(source: "token_generation", target: "token_generation", columns: [("userID", .int), ("generation", .int)]),
        Table(source: "attachment_content", target: "attachment_content", columns: [("id", .int), ("sha256", .text), ("size", .int), ("data", .blob)]),
        Table(source: "attachment", target: "attachment", columns: [
            ("id", .int), ("ticketId", .int), ("responseId", .int), ("contentId", .int), ("fileName", .text), ("contentType", .text),
            ("createdAt", .date),
        ]),
    ]

    /// Copies every table; `progress` hears each table's name and row count when it is done.
    static func copy(from database: AppDatabase, to store: PostgresStore,
                     progress: (String, Int) -> Void) throws(SupportError) -> [(table: String, rows: Int)] {
        try store.write { tx in
            let occupied = try tx.value("""
                SELECT EXISTS (SELECT 1 FROM ticket) OR EXISTS (SELECT 1 FROM desk_user) OR EXISTS (SELECT 1 FROM audit_event)
                    OR EXISTS (SELECT 1 FROM outbox) OR EXISTS (SELECT 1 FROM setting)
                """)?.bool ?? true
            guard !occupied else {
                throw SupportError.invalidInput(field: "to", "the PostgreSQL desk is not empty; a copy goes into a new, empty database only")
            }
            // Set aside for the copy (the table's owner may; the transaction holds the tables
            // alone meanwhile), and the derived data built once at the end.
            try tx.session.execute("ALTER TABLE ticket DISABLE TRIGGER USER; ALTER TABLE response DISABLE TRIGGER USER")
            // Tickets and replies wait in temporary tables until both are read, then go in with
            // their search documents computed as they are written (an UPDATE of every ticket
            // afterwards wrote each row, and its sixteen index entries, twice).
            try tx.session.execute("""
                CREATE TEMP TABLE support_copy_ticket (LIKE ticket INCLUDING DEFAULTS) ON COMMIT DROP;
                CREATE TEMP TABLE support_copy_response (LIKE response) ON COMMIT DROP
                """)
            var counts: [(table: String, rows: Int)] = []
            for table in tables {
                let staged = ["ticket": "support_copy_ticket", "response": "support_copy_response"][table.target]
                let rows = try copyTable(table, from: database, into: tx, as: staged)
                if table.target == "response" { try insertStagedTicketsAndReplies(tx) }
                counts.append((table.source, rows))
                progress(table.source, rows)
            }
            try tx.session.execute("""
                ALTER TABLE ticket ENABLE TRIGGER USER;
                ALTER TABLE response ENABLE TRIGGER USER;
                INSERT INTO ticket_tally (category, priority, status, tickets)
                    SELECT category, priority, status, count(*) FROM ticket GROUP BY 1, 2, 3
                """)
            // Identities moved past the copied ids: the next row written on any host gets a new one.
            for table in tables where table.hasID {
                try tx.execute("SELECT setval(pg_get_serial_sequence('\(table.target)', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM \(table.target)), false)")
            }
            return counts
        }
    }

    /// The staged tickets, with their search documents (made from the staged texts, so that
    /// they are of the same rows), then the staged replies.
    static func insertStagedTicketsAndReplies(_ tx: PostgresTransaction) throws {
        guard let ticket = tables.first(where: { $0.target == "ticket" }) else { return }
        let columns = ticket.columns.map(\.0).joined(separator: ", ")
        let staged = ticket.columns.map { "t." + $0.0 }.joined(separator: ", ")
        try tx.session.execute("""
            CREATE INDEX ON support_copy_ticket (id);
            CREATE INDEX ON support_copy_response (ticketid, id);
            ANALYZE support_copy_ticket;
            ANALYZE support_copy_response;
            CREATE TEMP TABLE support_copy_document (id BIGINT PRIMARY KEY, search_public TSVECTOR, search_staff TSVECTOR) ON COMMIT DROP
            """)
        try PostgresStore.searchDocuments(tx, tickets: "support_copy_ticket", replies: "support_copy_response") { rows, _ in
            try tx.session.copy(into: "support_copy_document", columns: ["id", "search_public", "search_staff"], rows: rows.bytes)
        }
        try tx.execute("""
            INSERT INTO ticket (\(columns), search_public, search_staff)
            SELECT \(staged), d.search_public, d.search_staff
            FROM support_copy_ticket t JOIN support_copy_document d ON d.id = t.id
            ORDER BY t.id
            """)
        try tx.execute("INSERT INTO response SELECT * FROM support_copy_response ORDER BY id")
    }

    /// A table's rows through `COPY` into `staged` (a temporary table) or the table itself, a
    /// few MiB at a time (a long table is never held whole).
    static func copyTable(_ table: Table, from database: AppDatabase, into tx: PostgresTransaction, as staged: String? = nil) throws -> Int {
        let columnList = table.columns.map(\.0).joined(separator: ", ")
        // COPY quotes the names it is given: PostgreSQL's own, lower-case spelling.
        let targetColumns = table.columns.map { $0.0.lowercased() }
        var rows = PostgresCopyText(reservingCapacity: 1 << 20)
        var copied = 0
        func flush() throws {
            guard rows.rows > 0 else { return }
            do {
                try tx.session.copy(into: staged ?? table.target, columns: targetColumns, rows: rows.bytes)
            } catch let error as PostgresServerError {
                // Translated here: the SQLite read this runs inside would call it unexpected.
                throw PostgresStore.translate(error, logger: Logger(label: "support.store"))
            }
            rows = PostgresCopyText(reservingCapacity: 1 << 20)
        }
        try database.read { db in
            let order = table.hasID ? " ORDER BY id" : ""
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(columnList) FROM \"\(table.source)\"\(order)")
            while let row = try cursor.next() {
                for (index, (name, kind)) in table.columns.enumerated() {
                    do {
                        try append(row, index, kind, to: &rows)
                    } catch is PostgresCopyText.Unrepresentable {
                        throw SupportError.invalidInput(field: nil, "\(table.source) row \(copied + 1): \(name) is a time PostgreSQL cannot take (a year outside 1-9999)")
                    }
                }
                rows.endRow()
                copied += 1
                if rows.bytes.count >= 4 << 20 { try flush() }
            }
        }
        try flush()
        return copied
    }

    static func append(_ row: Row, _ index: Int, _ kind: Kind, to rows: inout PostgresCopyText) throws {
        let stored: DatabaseValue = row[index]
        if stored.isNull { return rows.null() }
        switch kind {
        case .int: rows.int(row[index] as Int64?)
        case .real: rows.double(row[index] as Double?)
        case .text: rows.text(row[index] as String?)
        case .blob: if let data = row[index] as Data? { rows.bytea(data) } else { rows.null() }
        case .bool: rows.bool((row[index] as Int64? ?? 0) != 0)
        case .date: try rows.timestamp(try AppDatabase.storedDate(row, index, optional: true))
        }
    }
}

extension HelpDesk {
    /// Copies this SQLite desk into the empty PostgreSQL desk `target` (admins only: it is
    /// everything, internal notes and secrets included).
    public func copyDesk(to target: DeskStorage, progress: (String, Int) -> Void) throws(SupportError) -> [(table: String, rows: Int)] {
        try requireAdmin("copying the desk")
        guard let source = database as? AppDatabase else {
            throw .invalidInput(field: "db", "db copy copies an SQLite desk (--db is the file); this desk is on PostgreSQL already")
        }
        guard let postgres = target.store as? PostgresStore else {
            throw .invalidInput(field: "to", "--to must be a postgresql:// address")
        }
        return try DeskCopy.copy(from: source, to: postgres, progress: progress)
    }
}
