import CSQLiteConfig
import GRDB
import GRDBSQLite

/// The document lengths of the two ranked full-text indexes packed by blocks of ids, for
/// `--sort relevance` (`csqlite_rank_page`).
///
/// Why: bm25 needs every hit's length. Over words that are in most tickets the hits span every
/// id, and the ranked read passed each `%_docsize` row through the VDBE (~35 ns a row, a
/// million at 1M): about a quarter of the CPU of two such words (docs/benchmarks.md). Here a
/// row holds 128 ids' `sz` bytes in slots of 16 (`SEARCH_LENGTH_*` in CSQLiteConfig.h): 7,813
/// rows at 1M. Triggers on `%_docsize` keep it in the same statement as FTS5's own write, so
/// every writer (the desk's triggers, `rebuild`, the sqlite3 shell) keeps it exact; they are
/// plain SQL, so no connection needs a function of ours for them. A slot the reader cannot use
/// (all zeros, or not decodable) sends it to `%_docsize` for that hit.
enum SearchLengths {
    static let indexes = ["ticket_search", "ticket_search_staff"]

    static func triggerNames(_ index: String) -> [String] {
        ["\(index)_length_insert", "\(index)_length_delete"]
    }

    static var triggers: [String] { indexes.flatMap(triggerNames) }

    /// The table and its two triggers. FTS5 writes a document's size with `REPLACE INTO` (the
    /// insert trigger puts the new bytes in its slot) and deletes it with `DELETE` (zeros).
    /// `||` makes text of blobs, hence the CASTs: `substr` must count bytes. No `OR IGNORE` in
    /// the trigger: the outer statement's REPLACE would stand in for it and replace the whole
    /// block with an empty one (the first version of this did; SearchLengthsTests caught it).
    static func schema(_ index: String) -> String {
        let table = (index + "_length").quotedDatabaseIdentifier
        let docsize = (index + "_docsize").quotedDatabaseIdentifier
        let names = triggerNames(index).map(\.quotedDatabaseIdentifier)
        let ids = Int(SEARCH_LENGTH_BLOCK_IDS), slot = Int(SEARCH_LENGTH_SLOT_BYTES), shift = Int(SEARCH_LENGTH_BLOCK_SHIFT)
        func put(_ row: String, _ bytes: String) -> String {
            "CAST(substr(sizes, 1, (\(row).id & \(ids - 1)) * \(slot)) || \(bytes)"
                + " || substr(sizes, (\(row).id & \(ids - 1)) * \(slot) + \(slot + 1)) AS BLOB)"
        }
        return """
            CREATE TABLE \(table)(block INTEGER PRIMARY KEY, sizes BLOB NOT NULL);
            CREATE TRIGGER \(names[0]) AFTER INSERT ON \(docsize) BEGIN
              INSERT INTO \(table)(block, sizes) SELECT NEW.id >> \(shift), zeroblob(\(ids * slot))
                WHERE NOT EXISTS (SELECT 1 FROM \(table) WHERE block = NEW.id >> \(shift));
              UPDATE \(table) SET sizes = \(put("NEW", "substr(CAST(NEW.sz || zeroblob(\(slot)) AS BLOB), 1, \(slot))"))
                WHERE block = NEW.id >> \(shift);
            END;
            CREATE TRIGGER \(names[1]) AFTER DELETE ON \(docsize) BEGIN
              UPDATE \(table) SET sizes = \(put("OLD", "zeroblob(\(slot))")) WHERE block = OLD.id >> \(shift);
            END;
            """
    }

    /// Fills the table of `index` from its `%_docsize` (after a bulk import, in the migration).
    static func fill(_ db: Database, index: String) throws {
        let code = csqlite_search_lengths_fill(db.sqliteConnection, index)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}
