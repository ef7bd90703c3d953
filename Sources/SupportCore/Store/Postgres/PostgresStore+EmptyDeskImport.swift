import Foundation
import Logging

/// `ticket import` into a desk without tickets (issue 17's bulk load): the whole file in one
/// transaction that holds the desk's ticket tables alone, their non-unique indexes and foreign
/// keys set aside while the rows go in by `COPY` and built again, and checked, before it commits.
///
/// Why: kept up row by row, the indexes and foreign keys were most of the database's time for an
/// import (docs/benchmarks.md, "An import into an empty desk"): a foreign key is a lookup per row
/// (~3 µs each, ~230,000 of them for 20,000 tickets with two replies), each of the 24 non-unique
/// indexes an insert per row, and a GIN index kept up a document at a time; built once at the
/// end from sorted rows they cost a fraction of that. The primary and unique keys stay (the
/// import relies on them: a number given twice is refused by its key).
///
/// What a person sees: the same summary, errors and desk as batch by batch; but other hosts wait
/// for the tickets, replies, history and people for the import's length (up to their lock
/// timeout, then exit 75), and an import that fails or is killed leaves the desk as it was, empty,
/// where batch by batch it leaves the batches before the failure. A desk with tickets, a first
/// batch under `emptyDeskImportMinimum` lines, or tables this role cannot alter (not their owner)
/// take the batch-by-batch path.
extension PostgresStore {
    /// The fewest lines in the first batch for which setting the indexes aside pays: their
    /// drop and build cost tens of milliseconds, about what a thousand tickets' upkeep costs.
    static let emptyDeskImportMinimum = 1_000

    /// Above this many history rows (a desk whose tickets were all deleted after long use) the
    /// history's indexes stay: building them again would cost more than the import saves.
    static let emptyDeskHistoryLimit = 100_000

    /// The summary, or nil when the desk has tickets or could not be taken (nothing was written).
    func importIntoEmptyDesk(first: [ImportDraft], rest next: () -> [ImportDraft]?,
                             by actor: PersonReference) throws(SupportError) -> ImportSummary? {
        let logger = logger
        // Set once a line has gone in: from then on a failure is the import's, not a reason to
        // go batch by batch (the batches taken from `next` cannot be read again).
        var writing = false
        do {
            return try write(retries: false) { tx -> ImportSummary? in
                // One statement, tables in one order on every host: no deadlock with another importer.
                try tx.session.execute("LOCK TABLE desk_user, ticket, response, audit_event IN ACCESS EXCLUSIVE MODE")
                guard try tx.value("SELECT NOT EXISTS (SELECT 1 FROM ticket)")?.bool == true else { return nil }
                let setAside = try SetAside.take(tx, historyLimit: Self.emptyDeskHistoryLimit)
                logger.debug("bulk import: an empty desk: \(setAside.indexes.count) indexes and \(setAside.foreignKeys.count) foreign keys set aside until the end")
                writing = true
                var summary = ImportSummary()
                var batch: [ImportDraft]? = first
                while let drafts = batch {
                    let errors = try Self.importBatchTryingCopy(tx, drafts, actor: actor, logger: logger, into: .emptyDesk)
                    summary.imported += drafts.count - errors.count
                    summary.errors += errors
                    batch = next()
                }
                let start = ContinuousClock.now
                try setAside.restore(tx)
                logger.debug("bulk import: indexes built and foreign keys checked in \(ContinuousClock.now - start)")
                return summary
            }
        } catch where !writing {
            // Another host holds a table (lock timeout), or this role does not own them: nothing
            // was written; the batch-by-batch path needs neither.
            logger.debug("bulk import: the empty desk could not be taken (\(error.message)); batch by batch")
            return nil
        }
    }

    /// The non-unique indexes and the foreign keys of the tables an import fills, dropped in
    /// the import's transaction and made again from their own definitions (`pg_get_indexdef`,
    /// `pg_get_constraintdef`) before it commits: whatever a later migration adds comes back too.
    struct SetAside {
        let indexes: [String]
        let foreignKeys: [(table: String, name: String, definition: String)]

        static func take(_ tx: PostgresTransaction, historyLimit: Int) throws -> SetAside {
            let smallHistory = try tx.value("SELECT count(*) < $1 FROM (SELECT 1 FROM audit_event LIMIT $1) s",
                                            .int(Int64(historyLimit)))?.bool ?? false
            let tables = smallHistory ? "'ticket'::regclass, 'response'::regclass, 'audit_event'::regclass"
                : "'ticket'::regclass, 'response'::regclass"
            let indexes = try tx.rows("""
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                WHERE i.indrelid IN (\(tables)) AND NOT i.indisunique AND NOT i.indisprimary
                ORDER BY i.indexrelid
                """).map { (name: try $0.text(0), definition: try $0.text(1)) }
            let foreignKeys = try tx.rows("""
                SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint
                WHERE contype = 'f' AND conrelid IN ('ticket'::regclass, 'response'::regclass, 'audit_event'::regclass)
                ORDER BY oid
                """).map { (table: try $0.text(0), name: try $0.text(1), definition: try $0.text(2)) }
            if !indexes.isEmpty {
                try tx.execute("DROP INDEX \(indexes.map(\.name).joined(separator: ", "))")
            }
            for (table, keys) in Dictionary(grouping: foreignKeys, by: \.table).sorted(by: { $0.key < $1.key }) {
                try tx.execute("ALTER TABLE \(table) \(keys.map { "DROP CONSTRAINT \($0.name)" }.joined(separator: ", "))")
            }
            return SetAside(indexes: indexes.map(\.definition), foreignKeys: foreignKeys)
        }

        /// Each index built from the table's rows (sorted once, a GIN index from its whole list
        /// of entries), then each foreign key added back, which checks every row in one join.
        func restore(_ tx: PostgresTransaction) throws {
            try tx.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in indexes { try tx.execute(definition) }
            for (table, keys) in Dictionary(grouping: foreignKeys, by: \.table).sorted(by: { $0.key < $1.key }) {
                try tx.execute("ALTER TABLE \(table) \(keys.map { "ADD CONSTRAINT \($0.name) \($0.definition)" }.joined(separator: ", "))")
            }
        }
    }
}
