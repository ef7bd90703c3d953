import Foundation
import GRDB
import GRDBSQLite

/// Builds the full-text indexes of a bulk import on a thread of its own while the import's
/// writer inserts the rows, then copies them into the database in the import's transaction.
///
/// Why: FTS5's `rebuild` tokenizes every subject, message and reply on the writer's thread
/// after the rows are in: a third of an import (2.3 s of 10 at 100,000 tickets), with the
/// second core idle. Here the FTS5 tables are made, by the very SQL of the real ones, in a
/// private temporary database (deleted by SQLite when closed, or by the system if the process
/// dies), and fed the same rowids and text the insert triggers would have given the real ones.
/// An FTS5 index is nothing but its shadow tables, so copying their rows gives the real tables
/// the index `rebuild` would have built; the integrity check of FTS5 says so in the tests.
final class FullTextBuilder: @unchecked Sendable {
    /// The search documents of tickets just written, with their rowids (the ticket ids): what
    /// the views `ticket_search_document` (subject, body) and `ticket_search_staff_document`
    /// (the same, and `notes`) give for them.
    struct Rows: Sendable {
        var documents: [(id: Int64, subject: String, body: String, notes: String)] = []
        var isEmpty: Bool { documents.isEmpty }
        /// Bytes of text held.
        var textBytes: Int {
            documents.reduce(0) { $0 + $1.subject.utf8.count + $1.body.utf8.count + $1.notes.utf8.count }
        }
    }

    /// The full-text tables and how a document goes in: as the insert triggers of migration
    /// `ticket-search-staff-documents`. (The tails, `ticket_search_reply` and
    /// `ticket_search_note`, stay empty: a bulk import splits no ticket.)
    static let tables = [
        (name: "ticket_search", insert: #"INSERT INTO "ticket_search"("rowid", "subject", "body") VALUES (?, ?, ?)"#),
        (name: "ticket_search_staff",
         insert: #"INSERT INTO "ticket_search_staff"("rowid", "subject", "body", "notes") VALUES (?, ?, ?, ?)"#),
    ]
    /// The shadow tables FTS5 may make (an external-content table has no `_content`). `_config`
    /// is not copied: the builder starts only when it holds what the real one holds.
    static let copiedShadows = ["_data", "_idx", "_docsize", "_content"]

    private let scratch: DatabaseQueue
    /// How much text may wait for the builder. It runs at a lower priority than the import's
    /// other threads (see `run`) and falls behind while they fill two cores; what waits is
    /// indexed while the writer builds the secondary indexes, with the second core otherwise
    /// idle. A 100,000-ticket import holds up to this much more memory; a larger one makes
    /// the writer wait for the builder now and then, as with a short queue.
    static let backlogBytes = 128 << 20

    private let channel = BoundedChannel<Rows>(capacity: FullTextBuilder.backlogBytes, weight: \.textBytes)
    // `failure` and `ended` are guarded by `condition`.
    private let condition = NSCondition()
    private var failure: (any Error)?
    private var ended = false

    /// Starts the builder for the database `db` is connected to; nil when its full-text tables
    /// are not as migration v9 made them or carry settings of their own (then `rebuild` it is).
    static func start(for db: Database) throws -> FullTextBuilder? {
        var definitions: [String] = []
        for table in tables {
            guard let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                                arguments: [table.name]),
                  try String.fetchAll(db, sql: "SELECT k FROM \((table.name + "_config").quotedDatabaseIdentifier)") == ["version"]
            else { return nil }
            definitions.append(sql)
        }
        var config = Configuration()
        // Scratch: nothing in it outlives the import, so no journal and no sync; a page cache
        // large enough that it seldom touches its file.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144")
        }
        // An empty path: a private temporary database on disk, deleted when closed.
        let scratch = try DatabaseQueue(path: "", configuration: config)
        try scratch.writeWithoutTransaction { scratchDB in
            for sql in definitions { try scratchDB.execute(sql: sql) }
        }
        let builder = FullTextBuilder(scratch: scratch)
        let thread = Thread { builder.run() }
        thread.stackSize = 8 << 20
        thread.start()
        return builder
    }

    private init(scratch: DatabaseQueue) {
        self.scratch = scratch
    }

    /// Hands over rows the import has written (and will not roll back). Waits while the
    /// builder is `capacity` batches behind. After a failure of the builder the rows are
    /// dropped: `finish` throws it.
    func add(_ rows: Rows) {
        if !rows.isEmpty { _ = channel.put(rows) }
    }

    /// Waits for every row handed over to be indexed, then replaces the shadow tables of the
    /// real full-text tables (in `db`'s transaction) with those built.
    func finish(into db: Database) throws {
        channel.finish()
        condition.lock()
        while !ended { condition.wait() }
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
        try scratch.writeWithoutTransaction { scratchDB in
            for table in Self.tables {
                for suffix in Self.copiedShadows {
                    try Self.copy(table.name + suffix, from: scratchDB, to: db)
                }
            }
        }
    }

    /// Stops the builder without copying anything (the import failed).
    func cancel() {
        channel.close()
        channel.finish()
        condition.lock()
        while !ended { condition.wait() }
        condition.unlock()
    }

    private func run() {
        #if os(Linux)
        // Nice 10, for this thread only (on Linux a priority is a thread's, and 0 names the
        // calling one). At equal priority three threads shared two cores while rows went in,
        // so the writer, which the others wait for in the end, got two thirds of one; the
        // builder's work can wait (`backlogBytes`). 100,000 tickets: 6.9 s → 6.0 s, medians
        // of six (docs/benchmarks.md).
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
        var failure: (any Error)?
        do {
            try scratch.inTransaction { db in
                let documents = try RawStatement(db, Self.tables[0].insert)
                let staff = try RawStatement(db, Self.tables[1].insert)
                while let rows = channel.next() {
                    for row in rows.documents {
                        documents.bind(1, row.id)
                        documents.bind(2, row.subject)
                        documents.bind(3, row.body)
                        try documents.run()
                        staff.bind(1, row.id)
                        staff.bind(2, row.subject)
                        staff.bind(3, row.body)
                        staff.bind(4, row.notes)
                        try staff.run()
                    }
                }
                return .commit
            }
        } catch {
            failure = error
            channel.close()
        }
        condition.lock()
        self.failure = failure
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    /// Every row of `table` in `source` replaces those of `table` in `target`. Values pass from
    /// one statement to the other as SQLite values: blobs, integers and text as they are.
    static func copy(_ table: String, from source: Database, to target: Database) throws {
        let exists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
        let inSource = try Int.fetchOne(source, sql: exists, arguments: [table]) == 1
        let inTarget = try Int.fetchOne(target, sql: exists, arguments: [table]) == 1
        guard inSource == inTarget else {
            throw SupportError.internalError("the full-text table \(table) is not in both databases")
        }
        guard inSource else { return }
        try target.execute(sql: "DELETE FROM \(table.quotedDatabaseIdentifier)")
        let read = try source.makeStatement(sql: "SELECT * FROM \(table.quotedDatabaseIdentifier)")
        let columns = Int32(read.columnCount)
        // Many rows per INSERT: most shadow rows are small (`_docsize` has one per ticket and
        // reply), and one statement per row cost more than the copying.
        let rowsPerInsert = MultiRowInsert.rowsPerStatement
        func insert(rows: Int) throws -> Statement {
            try target.makeStatement(sql: MultiRowInsert.statement("INSERT INTO \(table.quotedDatabaseIdentifier) VALUES ",
                                                                   rows: rows, columns: Int(columns)))
        }
        // Counted first (the scratch database has no other writer), so that the last rows are
        // bound straight into an INSERT of their number.
        var left = try Int.fetchOne(source, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
        guard left > 0 else { return }
        let full = try insert(rows: rowsPerInsert)
        let rest = left % rowsPerInsert == 0 ? full : try insert(rows: left % rowsPerInsert)
        let from = read.sqliteStatement
        defer { sqlite3_reset(from) }
        // Values are bound as they are read: SQLite copies a bound value, so the next step of
        // `read` cannot change it.
        var into = left >= rowsPerInsert ? full : rest
        var size = min(left, rowsPerInsert)
        var bound = 0
        while left > 0 {
            let code = sqlite3_step(from)
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: code == SQLITE_DONE
                    ? "the full-text table \(table) changed while it was copied" : String(cString: sqlite3_errmsg(source.sqliteConnection)))
            }
            for column in 0..<columns {
                sqlite3_bind_value(into.sqliteStatement, Int32(bound) * columns + column + 1, sqlite3_column_value(from, column))
            }
            bound += 1
            left -= 1
            guard bound == size else { continue }
            let written = sqlite3_step(into.sqliteStatement)
            sqlite3_reset(into.sqliteStatement)
            guard written == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: written), message: String(cString: sqlite3_errmsg(target.sqliteConnection)))
            }
            bound = 0
            size = min(left, rowsPerInsert)
            into = left >= rowsPerInsert ? full : rest
        }
    }
}
