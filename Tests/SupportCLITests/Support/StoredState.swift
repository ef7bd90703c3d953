import Foundation
import SupportCore
import Testing

extension Sandbox {
    /// Everything stored in the sandbox's desk as the local operator sees it: every ticket with
    /// every reply, every user, every setting. Equal states mean a command changed nothing.
    /// SQLite: read in-process through the core (three runs of the binary per check would cost
    /// seconds). PostgreSQL: the same tables read with one `psql` (this test target does not link
    /// the PostgreSQL driver), every row as JSON in key order.
    func storedState(path: String? = nil) throws -> String {
        if let postgres, path == nil { return try postgres.storedState() }
        let database = try AppDatabase.open(path: path ?? dbPath, createDirectory: false)
        let desk = HelpDesk(database: database, actor: .localOperator)
        var query = TicketQuery()
        query.limit = TicketQuery.maximumLimit
        // Every ticket with its replies (a list carries none).
        var tickets: [String] = []
        try desk.exportTickets(TicketQuery()) { tickets.append(JSONRenderer.line($0)) }
        return [
            JSONRenderer.page(try desk.listTickets(query)),
            tickets.joined(separator: "\n"),
            JSONRenderer.users(try desk.users()),
            JSONRenderer.settings(try desk.settings()),
        ].joined(separator: "\n")
    }

    /// How many rows `table` of the desk holds (the same table name on both engines, but
    /// SQLite's `user`, which PostgreSQL calls `desk_user`).
    func count(_ table: String) throws -> Int {
        try deskCount("SELECT count(*) FROM " + (postgres == nil ? "\"\(table)\"" : table == "user" ? "desk_user" : table))
    }
}

extension PostgresTestDatabase {
    /// The desk's stored content (tickets, replies, attachments, users, settings, the number
    /// counters), one JSON row a line in key order. The search documents are left out: they are
    /// derived from the texts that are compared.
    func storedState() throws -> String {
        let tables = [("desk_user", "id"), ("ticket", "id"), ("response", "id"), ("attachment", "id"),
                      ("setting", "key"), ("ticket_sequence", "year")]
        return try sql(tables.map { table, key in
            "SELECT '\(table)' || ' ' || (to_jsonb(t) - 'search_public' - 'search_staff')::text FROM \(table) t"
        }.joined(separator: " UNION ALL ") + " ORDER BY 1")
    }
}
