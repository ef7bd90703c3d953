import GRDB

/// The parts of the schema a bulk import sets aside while it fills a database that has no
/// ticket yet, and puts back, from the very SQL it read in `sqlite_master`, before the same
/// transaction commits.
///
/// Why: keeping nine secondary indexes and two full-text indexes up to date row by row cost
/// more than half of an import. Building an index once over sorted rows, and FTS5's `rebuild`
/// over its content table, give the same indexes for much less. Everything happens in the
/// import's one transaction, so a failure or a kill leaves the database as it was.
struct BulkImportSchema {
    /// Where rows are inserted in bulk: the tickets, their replies, and an audit record per
    /// ticket (whose four indexes, kept row by row, were a fifth of the writer's work).
    static let tables = ["ticket", "response", "audit_event"]
    /// The triggers that keep the search documents up to date as rows go in (migrations
    /// v9-ticket-search, ticket-search-staff-documents): a reply or note takes its ticket's
    /// documents out and puts them back.
    static let fullTextTriggers = ["ticket_search_insert", "response_search_before_insert", "response_search_after_insert"]
    /// The full-text indexes those triggers keep, built once at the end instead (the tails
    /// stay empty: an import into an empty desk splits no ticket).
    static let fullTextTables = ["ticket_search", "ticket_search_staff"]
    /// The insert triggers of migration v6-stats, which keep derived data (the tally, the first
    /// staff reply, the durations) row by row: an UPDATE of the ticket per reply or resolution.
    /// The import writes the first reply and the durations with each ticket instead
    /// (`ImportBatchWriter`, `Target.empty`), and `TicketTally` counts the tickets once.
    static let derivedDataTriggers = ["ticket_tally_insert", "ticket_resolution_seconds_insert", "response_first_staff_reply"]

    struct Object: Equatable {
        var name: String
        var sql: String
    }

    /// Secondary indexes, in the order they were created.
    var indexes: [Object]
    var triggers: [Object]

    /// Reads what to set aside. Only plain (non-unique) indexes go: a unique index is a rule
    /// that must hold while rows go in, and the implicit ones cannot be dropped anyway. Nil
    /// when a full-text trigger is not where migration v9 put it: then there is nothing safe
    /// to do but the ordinary import.
    static func read(_ db: Database) throws -> BulkImportSchema? {
        var indexes: [Object] = []
        for table in tables {
            indexes += try Row.fetchAll(db, sql: """
                SELECT m.name, m.sql, m.rowid AS position FROM sqlite_master m
                JOIN pragma_index_list(?) i ON i.name = m.name
                WHERE m.type = 'index' AND i.origin = 'c' AND i."unique" = 0 AND m.sql IS NOT NULL
                ORDER BY m.rowid
                """, arguments: [table]).map { Object(name: $0["name"], sql: $0["sql"]) }
        }
        var triggers: [Object] = []
        // The lengths' triggers first: put back in this order, they are older than the search
        // triggers of the same events, so they fire after them (SearchLengths).
        for name in SearchLengths.insertTriggers + fullTextTriggers + derivedDataTriggers {
            guard let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                                arguments: [name])
            else { return nil }
            triggers.append(Object(name: name, sql: sql))
        }
        return BulkImportSchema(indexes: indexes, triggers: triggers)
    }

    func setAside(_ db: Database) throws {
        for index in indexes { try db.execute(sql: "DROP INDEX \(index.name.quotedDatabaseIdentifier)") }
        for trigger in triggers { try db.execute(sql: "DROP TRIGGER \(trigger.name.quotedDatabaseIdentifier)") }
    }

    /// Builds the indexes over what is now in the tables, and the full-text indexes (copied
    /// from `fullText`, which was handed every row, or rebuilt), writes the tally of every
    /// ticket now in the table (`tally`, counted as they went in), and puts the triggers back
    /// for the writes that follow.
    func restore(_ db: Database, tally: TicketTally, fullText: FullTextBuilder? = nil) throws {
        try tally.replaceStored(db)
        for index in indexes { try db.execute(sql: index.sql) }
        if let fullText {
            try fullText.finish(into: db)
        } else {
            for name in Self.fullTextTables {
                let table = name.quotedDatabaseIdentifier
                try db.execute(sql: "INSERT INTO \(table)(\(table)) VALUES('rebuild')")
            }
        }
        // The packed lengths once from the indexes' sizes (their triggers were set aside: a
        // slot patched a row at a time would be a 2 KiB rewrite for each ticket).
        for index in SearchLengths.indexes { try SearchLengths.fill(db, index: index) }
        for trigger in triggers { try db.execute(sql: trigger.sql) }
    }
}
