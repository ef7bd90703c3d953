import CSQLiteConfig
import GRDB
import GRDBSQLite

/// The document lengths of staff's full-text index packed by blocks of ids, for `--sort
/// relevance` (`csqlite_rank_page`).
///
/// Why: bm25 needs every hit's length. Over words that are in most tickets the hits span every
/// id, and the ranked read passed each `%_docsize` row through the VDBE (~35 ns a row, a
/// million at 1M): about a quarter of the CPU of two such words (docs/benchmarks.md). Here a
/// row holds 128 ids' `sz` bytes in slots of 16 (`SEARCH_LENGTH_*` in CSQLiteConfig.h): 7,813
/// rows at 1M. A slot the reader cannot use (all zeros, or not decodable) sends it to
/// `%_docsize` for that hit, so a slot may lag behind as zeros, never as other bytes.
///
/// Who keeps them: triggers on the desk's own tables (`ticket`, `response`,
/// `ticket_search_split`), one for each event after which the search triggers may have
/// written a document, each having the ticket's `%_docsize` bytes copied into its slot. Not
/// triggers on `%_docsize` itself (the first way, 98faafb): with one there, FTS5 wrote its
/// pending terms as a segment for each document of a statement that writes many (a mail
/// batch's, `HeldBackTicketSearch`): 5,000 documents in one transaction went from 11-13 µs to
/// 246-274 µs each, a Maildir of new tickets from 3,500 to 1,800 messages/s
/// (docs/benchmarks.md). They are plain SQL, so the sqlite3 shell and any connection keep
/// them too.
///
/// Order: SQLite fires the triggers of one event newest first, and these must run after the
/// search triggers of the same event (which take a document out before a change and put it
/// back after): `install` makes them, then makes every other trigger of those tables again
/// from its own text; a bulk import puts them back before the search triggers. Were one to run
/// first after all, it would copy the sizes of no document (the `BEFORE` trigger took it out):
/// zeros, read from `%_docsize` instead. SearchLengthsTests holds both: exact and filled.
enum SearchLengths {
    /// Staff's index only. A requester's search (the public index, `ticket_search`) is always
    /// of their own tickets, whose hits are too sparse for the stretches that read these;
    /// keeping them for it too doubled the work of every trigger and the compiling of it into
    /// every statement that writes a ticket or a reply (`EXPLAIN INSERT INTO ticket …`: 0.7 ms
    /// without the lengths, 1.1 with both indexes', 0.9 with staff's; docs/benchmarks.md).
    static let indexes = ["ticket_search_staff"]

    /// Each trigger: its name, its event, and the tickets whose documents it may have changed.
    static let events: [(name: String, event: String, tickets: [String])] = [
        ("search_length_ticket_insert", "AFTER INSERT ON ticket", ["NEW.id"]),
        ("search_length_ticket_update", "AFTER UPDATE OF subject, message ON ticket", ["NEW.id"]),
        ("search_length_ticket_delete", "AFTER DELETE ON ticket", ["OLD.id"]),
        ("search_length_response_insert", "AFTER INSERT ON response", ["NEW.ticketId"]),
        ("search_length_response_delete", "AFTER DELETE ON response", ["OLD.ticketId"]),
        ("search_length_response_update", "AFTER UPDATE OF id, ticketId, message, isInternal, createdAt ON response",
         ["OLD.ticketId", "NEW.ticketId"]),
        // A long ticket's tail folded back: its documents taken out and put back whole.
        ("search_length_fold", "AFTER DELETE ON ticket_search_split", ["OLD.ticketId"]),
    ]

    static var triggers: [String] { events.map(\.name) }

    /// The two a bulk import sets aside with the search triggers of the same events (it only
    /// inserts), in the order to put them back: before those, so that they fire after them.
    static let insertTriggers = ["search_length_ticket_insert", "search_length_response_insert"]

    /// The tables that hold triggers of ours.
    static let tables = ["ticket", "response", "ticket_search_split"]

    /// Where each trigger hands its tickets' ids: a view with no rows whose `INSTEAD OF INSERT`
    /// trigger (`copyTrigger`) copies their sizes. Why not the copy in each trigger: SQLite
    /// parses every trigger's text whenever a connection reads the schema, and the copy written
    /// out in all seven made the schema 60 % longer (23.3 → 37.4 KB) and every command's start
    /// 2.5 % more instructions (`settings get` 24.3 → 24.9 M); written once: 25.3 KB, 24.7 M.
    static let view = "search_length_of"
    static let copyTrigger = "search_length_copy"

    /// Whether the file has them (migration ticket-search-lengths).
    static func isInstalled(_ db: Database) throws -> Bool { try db.tableExists(indexes[0] + "_length") }

    static func table(_ index: String) -> String { (index + "_length").quotedDatabaseIdentifier }

    /// Copies ticket `NEW.id`'s `%_docsize` bytes into its slot of `index`'s table: the row's
    /// bytes and zeros after, or zeros when it has no row (or one longer than a slot, which
    /// FTS5's sizes never are: at most five bytes a column, three columns). A block is made
    /// only for a ticket that has a document, and written only when the slot changes (a reply
    /// in a long ticket's tail, a new ticket of a mail batch not indexed yet: 2 KiB not
    /// rewritten for nothing). `||` makes text of blobs, hence the CASTs: `substr` counts bytes.
    static func copy(_ index: String) -> String {
        let table = table(index), docsize = (index + "_docsize").quotedDatabaseIdentifier
        let ids = Int(SEARCH_LENGTH_BLOCK_IDS), slot = Int(SEARCH_LENGTH_SLOT_BYTES), shift = Int(SEARCH_LENGTH_BLOCK_SHIFT)
        let at = "(NEW.id & \(ids - 1)) * \(slot)", block = "NEW.id >> \(shift)"
        let bytes = "coalesce((SELECT substr(CAST(sz || zeroblob(\(slot)) AS BLOB), 1, \(slot)) FROM \(docsize)"
            + " WHERE id = NEW.id AND length(sz) <= \(slot)), zeroblob(\(slot)))"
        return """
            INSERT INTO \(table) SELECT \(block), zeroblob(\(ids * slot)) WHERE EXISTS (SELECT 1 FROM \(docsize) WHERE id = NEW.id)
            AND NOT EXISTS (SELECT 1 FROM \(table) WHERE block = \(block));
            UPDATE \(table) SET sizes = CAST(substr(sizes, 1, \(at)) || \(bytes) || substr(sizes, \(at) + \(slot + 1)) AS BLOB)
            WHERE block = \(block) AND substr(sizes, \(at) + 1, \(slot)) IS NOT \(bytes);
            """
    }

    /// The view and its copying trigger.
    static var copier: String {
        """
        CREATE VIEW \(view)(id) AS SELECT NULL WHERE 0;
        CREATE TRIGGER \(copyTrigger) INSTEAD OF INSERT ON \(view) BEGIN
        \(indexes.map(copy).joined())END;
        """
    }

    static func trigger(_ name: String) -> String? {
        guard let event = events.first(where: { $0.name == name }) else { return nil }
        let ids = event.tickets.map { "(\($0))" }.joined(separator: ", ")
        return "CREATE TRIGGER \(name) \(event.event) BEGIN INSERT INTO \(view) VALUES \(ids); END"
    }

    /// Migration ticket-search-lengths: the tables, filled from the indexes' sizes, and the
    /// triggers, older than every other trigger of their tables (which are made again from
    /// their own text, so that they stay as they were, `HeldBackTicketSearch.trigger` too).
    static func install(_ db: Database) throws {
        for index in indexes {
            try db.execute(sql: "CREATE TABLE \(table(index))(block INTEGER PRIMARY KEY, sizes BLOB NOT NULL)")
            try fill(db, index: index)
        }
        let others = try Row.fetchAll(db, sql: """
            SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (\(tables.map { "'\($0)'" }.joined(separator: ", ")))
            ORDER BY rowid
            """)
        try db.execute(sql: copier)
        for name in triggers { try db.execute(sql: trigger(name)!) }
        for row in others {
            let name: String = row["name"], sql: String = row["sql"]
            try db.execute(sql: "DROP TRIGGER \(name.quotedDatabaseIdentifier)")
            try db.execute(sql: sql)
        }
    }

    /// Copies the sizes of the tickets whose ids `select` gives, through the triggers' own copy
    /// (a mail batch's new tickets, indexed by one statement after their insert triggers had
    /// found no document yet: `HeldBackTicketSearch`). 9-12 µs a ticket (5,000 at 100k, Python),
    /// about 1.5 % of a Maildir message's CPU: not worth a second copy of the slot's writing.
    static func copy(_ db: Database, select: String) throws {
        try db.cachedStatement(sql: "INSERT INTO \(view) \(select)").execute()
    }

    /// Fills the table of `index` from its `%_docsize` (after a bulk import, in the migration).
    static func fill(_ db: Database, index: String) throws {
        let code = csqlite_search_lengths_fill(db.sqliteConnection, index)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}
