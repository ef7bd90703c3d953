import Foundation

/// The search documents of tickets already in PostgreSQL, made again from their text
/// (`PostgresSearchText`): by the migration that moved documents to SQLite's tokens, and by
/// `db copy` for the tickets it staged.
extension PostgresStore {
    /// Tickets a round trip: a batch's texts and documents are a few MiB.
    static let documentBatch = 2_000

    /// Each ticket of `tickets` (columns id, subject, message) with its replies from `replies`
    /// (ticketid, id, message, isinternal), in id order, `documentBatch` at a time: `each` gets
    /// a batch's rows for `COPY` into (id, search_public, search_staff).
    static func searchDocuments(_ tx: PostgresTransaction, tickets: String, replies: String,
                                each: (_ rows: PostgresCopyText, _ tickets: Int) throws -> Void) throws {
        var after = Int64.min
        while true {
            let batch = try tx.rows("SELECT id, subject, message FROM \(tickets) WHERE id > $1 ORDER BY id LIMIT $2",
                                    .int(after), .int(Int64(documentBatch)))
            guard let last = try batch.last?.int(0) else { return }
            var texts: [Int64: [(message: String, isInternal: Bool)]] = [:]
            for row in try tx.rows("""
                SELECT ticketid, message, isinternal FROM \(replies) WHERE ticketid > $1 AND ticketid <= $2 ORDER BY ticketid, id
                """, .int(after), .int(last)) {
                texts[try row.int(0), default: []].append((try row.text(1), try row.bool(2)))
            }
            var rows = PostgresCopyText(reservingCapacity: batch.count * 1_024)
            for row in batch {
                let id = try row.int(0)
                let documents = PostgresSearchText.documents(subject: try row.text(1), message: try row.text(2), replies: texts[id] ?? [])
                rows.int(id); rows.text(documents.public); rows.text(documents.staff)
                rows.endRow()
            }
            try each(rows, batch.count)
            after = last
        }
    }

    /// Every ticket's documents made again (the migration `pg-v4-search-by-sqlite-tokens`).
    @Sendable static func rebuildSearchDocuments(_ tx: PostgresTransaction, progress: (_ done: Int, _ total: Int) -> Void) throws {
        let total = Int(try tx.value("SELECT count(*) FROM ticket")?.int ?? 0)
        var done = 0
        try tx.session.execute("""
            CREATE TEMP TABLE support_document (id BIGINT PRIMARY KEY, search_public TSVECTOR, search_staff TSVECTOR) ON COMMIT DROP
            """)
        try searchDocuments(tx, tickets: "ticket", replies: "response") { rows, tickets in
            try tx.session.copy(into: "support_document", columns: ["id", "search_public", "search_staff"], rows: rows.bytes)
            try tx.execute("""
                UPDATE ticket t SET search_public = d.search_public, search_staff = d.search_staff FROM support_document d WHERE t.id = d.id
                """)
            try tx.execute("TRUNCATE support_document")
            done += tickets
            progress(done, total)
        }
    }
}
