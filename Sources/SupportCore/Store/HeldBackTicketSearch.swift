import GRDB

/// The full-text indexing of a mail batch's new tickets, held back and done for many at once.
///
/// Why: FTS5 (SQLite 3.40) writes its pending terms to disk at every savepoint and at the end of
/// every statement that opened one, and each message of a batch is a savepoint of its own; so
/// every new ticket made two index segments of one document each, and the merging that follows.
/// That was the largest part of a Maildir run: SQLite's savepoint calls into FTS5 took 36 % of its
/// CPU (perf, docs/benchmarks.md "Mail in: speed"); 2,000 inserts with the trigger cost 0.46 ms of
/// CPU a ticket, 0.13 ms with the tickets indexed by one statement per batch (the same inserts
/// from Python, SQLite 3.40.1, on the benchmark's 100,000-ticket file).
///
/// How: at the start of a batch's transaction `ticket_search_insert` is dropped, and a temporary
/// trigger notes each new ticket's id in a temporary table instead; `indexHeldBack` indexes the
/// noted tickets from the same views the trigger reads, with the trigger's own two statements
/// over the whole set. It runs before a reply is added (a reply's triggers rewrite its ticket's
/// documents, so that ticket must be in the index first) and at the end of the batch, where
/// `finish` puts the trigger back with its own text. All of it happens inside the transaction:
/// other connections never see the trigger gone, a message's rolled-back savepoint takes its
/// noted ids (and any index rows made from them) back with it, and a failed batch rolls back to
/// the schema as it was. Only when the trigger is the one this mirrors (`trigger`): any other
/// schema keeps indexing through its own trigger, as before.
final class HeldBackTicketSearch {
    private(set) var isHolding = false

    /// `ticket_search_insert` as the last migration that touched it wrote it (sqlite_master keeps
    /// the text as written). The two statements of `indexHeldBack` are its body over a set of ids.
    static let trigger = """
        CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = NEW.id;
            INSERT INTO ticket_search_staff(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_staff_document WHERE id = NEW.id;
        END
        """

    /// Starts holding back (inside the batch's transaction, before any message's savepoint).
    func begin(_ db: Database) throws {
        guard !isHolding,
              try String.fetchOne(db, sql: "SELECT sql FROM main.sqlite_master WHERE type = 'trigger' AND name = 'ticket_search_insert'")
                == Self.trigger
        else { return }
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS ticket_search_held_back (id INTEGER PRIMARY KEY);
            CREATE TEMP TRIGGER ticket_search_hold_back AFTER INSERT ON main.ticket BEGIN
                INSERT OR IGNORE INTO ticket_search_held_back (id) VALUES (NEW.id);
            END;
            DROP TRIGGER main.ticket_search_insert;
            """)
        isHolding = true
    }

    /// Indexes the tickets held back so far, as the trigger would have when each was made.
    func indexHeldBack(_ db: Database) throws {
        guard isHolding,
              try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM temp.ticket_search_held_back)")) == true
        else { return }
        try db.cachedStatement(sql: """
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id IN (SELECT id FROM temp.ticket_search_held_back)
            """).execute()
        try db.cachedStatement(sql: """
            INSERT INTO ticket_search_staff(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_staff_document WHERE id IN (SELECT id FROM temp.ticket_search_held_back)
            """).execute()
        // Their lengths for the ranked read: the trigger of each ticket's insert found no document yet.
        if try SearchLengths.isInstalled(db) {
            try SearchLengths.copy(db, select: "SELECT id FROM temp.ticket_search_held_back")
        }
        try db.cachedStatement(sql: "DELETE FROM temp.ticket_search_held_back").execute()
    }

    /// Indexes what is held back and puts the trigger back (at the end of the batch, before its commit).
    func finish(_ db: Database) throws {
        guard isHolding else { return }
        try indexHeldBack(db)
        try db.execute(sql: "DROP TRIGGER temp.ticket_search_hold_back; DROP TABLE temp.ticket_search_held_back")
        try db.execute(sql: Self.trigger)
        isHolding = false
    }
}
