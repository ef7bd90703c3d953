import Foundation
import GRDB
import GRDBSQLite
import Logging

/// A bulk import's hold on a database file that no other connection has open: the file is in
/// rollback-journal mode (`DELETE`) for the import, and back in WAL mode after it.
///
/// Why: in WAL mode the commit writes every new page into the -wal and the checkpoint copies
/// each into the file again, two system calls per frame and one per copy: a second of a
/// 100,000-ticket import, on the one thread everything then waits for. A rollback journal
/// writes the pages once, into the file; it journals only the few pages the empty database
/// had. Safe because SQLite leaves WAL mode only when no other connection has the file open,
/// and while the import runs:
/// - a process that opens the file sees it is not in WAL mode and waits, in `open`, for the
///   `.lock` file this holds: it does not switch the file back to WAL mid-import;
/// - a process that had it open already cannot be (SQLite refused the switch then);
/// - a kill leaves a hot journal, which the next `open` rolls back before anything else, so
///   the file is as it was before the import (`AppDatabase.open`).
struct BulkImportJournal {
    private let lock: FileLock

    /// Switches the file to a rollback journal when a bulk import can be expected (no ticket
    /// and no reply yet), the file is in WAL mode and the switch is possible at once; nil, the
    /// file left as it was, otherwise. Outside any transaction.
    static func take(_ db: Database, path: String, logger: Logger) throws -> BulkImportJournal? {
        guard !path.isEmpty, path != ":memory:",
              try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal",
              try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ticket) OR EXISTS (SELECT 1 FROM response)")!,
              let lock = FileLock.ifFree(path: path + ".lock")
        else { return nil }
        do {
            // FULL: in rollback mode NORMAL may skip a sync that a power cut could then cost.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // At once or not at all: SQLite needs the file to itself, and waiting for another
            // process's connection to close would only delay an import that works in WAL mode too.
            sqlite3_busy_timeout(db.sqliteConnection, 0)
            defer { restoreBusyTimeout(db) }
            let mode: String?
            do {
                mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) {
                mode = nil
            }
            guard mode == "delete" else {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                lock.unlock()
                logger.debug("bulk import: another connection has the database open; the import writes through the WAL")
                return nil
            }
        } catch {
            lock.unlock()
            throw error
        }
        logger.debug("bulk import: rollback journal for the import")
        return BulkImportJournal(lock: lock)
    }

    /// The file back in WAL mode (as every connection of `open` expects to find it), and the
    /// lock released. Should another process hold the file at that moment, it stays in
    /// rollback mode and the next `open` switches it.
    func release(_ db: Database, logger: Logger) {
        do {
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            if mode != "wal" { logger.debug("bulk import: the database stays in \(mode ?? "?") mode until the next open") }
        } catch {
            logger.debug("bulk import: the database stays in rollback mode until the next open: \(error)")
        }
        lock.unlock()
    }

    private static func restoreBusyTimeout(_ db: Database) {
        if case let .timeout(seconds) = db.configuration.busyMode {
            sqlite3_busy_timeout(db.sqliteConnection, Int32((seconds * 1000).rounded()))
        }
    }
}
