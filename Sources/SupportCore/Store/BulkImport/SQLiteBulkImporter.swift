import Foundation
import GRDB
import Logging

extension AppDatabase {
    /// `DeskStore`'s import: handed to the SQLite engine whole, so that the store's ordinary
    /// code knows nothing of journals, set-aside indexes or raw statements.
    func importTickets(batches next: () -> [ImportDraft]?, by actor: PersonReference) throws(SupportError) -> ImportSummary {
        try Self.translatingErrors {
            try SQLiteBulkImporter(writer: writer, logger: logger).importTickets(batches: next, by: actor)
        }
    }

    /// GRDB's storage text: what the engine binds for a time (`ImportTime`).
    var importTimeText: @Sendable (Date) -> String { RawStatement.storedText }
}

/// The SQLite engine of `ticket import`: everything an import does that an ordinary write does
/// not. It decides how the file journals the import (`Journal`), how transactions are cut
/// (`Strategy`), and how a batch is tried (`ImportBatchWriter.Pass`); `ImportBatchWriter` writes
/// a batch step by step.
///
/// A PostgreSQL store replaces all of this, not a part: there the fast path is `COPY` into the
/// tables, and none of SQLite's tricks (journal switching, dropping indexes, building FTS5 on
/// the side) apply. What it keeps is the contract: `ImportDraft` batches in, `ImportSummary`
/// out, a ticket never half imported, and the numbering rules of `TicketNumberAllocator`.
struct SQLiteBulkImporter {
    /// The page cache of an import, in KiB (the default is 2 MiB): large enough that the pages
    /// of the tables and indexes being filled stay in memory instead of being spilled to the WAL
    /// and read back. Restored when the import ends.
    static let cacheKiB = 256 * 1024

    /// Tickets per transaction when importing into a database that has tickets already.
    static let transactionTickets = 25_000

    let writer: any DatabaseWriter
    let logger: Logger

    /// How the file journals the import's pages.
    enum Journal {
        /// A rollback journal, the file held alone for the import (`BulkImportJournal`): the
        /// pages are written once, into the file, instead of into the WAL and again by the
        /// checkpoint.
        case rollback(BulkImportJournal)
        /// The WAL, as for any other write: the file is shared, holds tickets, or is in memory.
        case writeAheadLog

        static func choose(_ db: Database, path: String, logger: Logger) throws -> Journal {
            try BulkImportJournal.take(db, path: path, logger: logger).map(Journal.rollback) ?? .writeAheadLog
        }

        func release(_ db: Database, logger: Logger) {
            if case .rollback(let journal) = self { journal.release(db, logger: logger) }
        }
    }

    /// How the import's transactions are cut.
    enum Strategy {
        /// The database had no ticket: the whole import is one transaction in which the
        /// secondary indexes and the derived-data and full-text triggers are set aside
        /// (`schema`) and rebuilt at the end. A failure or a kill leaves the database as it was.
        case bulkIntoEmpty(BulkImportSchema)
        /// The database has tickets: the schema stays whole, and the import commits every
        /// `transactionTickets` tickets, so that other processes can write in between.
        case ordinary

        /// Decided inside the import's first transaction: no other process can add a ticket
        /// between the question and the writes.
        static func choose(_ db: Database) throws -> Strategy {
            if try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ticket) OR EXISTS (SELECT 1 FROM response)")!,
               let schema = try BulkImportSchema.read(db) {
                return .bulkIntoEmpty(schema)
            }
            return .ordinary
        }
    }

    /// What an import has done so far, carried from batch to batch.
    struct Progress {
        var summary = ImportSummary()
        /// Valid only while no rollback can have removed a user it names (`ImportedPeople`).
        var people = ImportedPeople()

        mutating func record(_ drafts: [ImportDraft], _ errors: [ImportError]) {
            summary.imported += drafts.count - errors.count
            summary.errors += errors
        }
    }

    /// Imports the batches `next` hands out, until it returns nil. Sends no mail. Either way
    /// (`Strategy`) a ticket is never half imported (`importAtomically`).
    func importTickets(batches next: () -> [ImportDraft]?, by actor: PersonReference) throws -> ImportSummary {
        try writer.writeWithoutTransaction { db in
            let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            try db.execute(sql: "PRAGMA cache_size = -\(Self.cacheKiB)")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
            let journal = try Journal.choose(db, path: writer.path, logger: logger)
            defer { journal.release(db, logger: logger) }
            let (summary, strategy) = try importBatches(db, next, actor: actor)
            if case .bulkIntoEmpty = strategy, case .writeAheadLog = journal {
                // The WAL grew to the size of everything imported, and a persistent WAL (see
                // `open`) would keep that on disk: give the space back now that it is copied.
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            return summary
        }
    }

    /// The summary, and the strategy the import took (nil: there was nothing to import).
    func importBatches(_ db: Database, _ next: () -> [ImportDraft]?, actor: PersonReference) throws -> (ImportSummary, Strategy?) {
        var progress = Progress()
        guard let first = next() else { return (progress.summary, nil) }
        var strategy = Strategy.ordinary
        try db.inTransaction(.immediate) {
            strategy = try Strategy.choose(db)
            switch strategy {
            case .bulkIntoEmpty(let schema):
                try importIntoEmpty(db, first: first, next, schema: schema, actor: actor, progress: &progress)
            case .ordinary:
                progress.record(first, try Self.importAtomically(db, first, actor: actor, people: &progress.people, into: .populated))
            }
            return .commit
        }
        if case .ordinary = strategy {
            try importInTransactions(db, next, actor: actor, progress: &progress)
        }
        return (progress.summary, strategy)
    }

    /// `Strategy.bulkIntoEmpty`: every batch in the caller's one transaction, the schema set
    /// aside, the full-text indexes built on another thread (`FullTextBuilder`) and the tally
    /// counted in memory, then all of it put back.
    private func importIntoEmpty(_ db: Database, first: [ImportDraft], _ next: () -> [ImportDraft]?, schema: BulkImportSchema,
                                 actor: PersonReference, progress: inout Progress) throws {
        let start = ContinuousClock.now
        try schema.setAside(db)
        let fullText = try FullTextBuilder.start(for: db)
        defer { fullText?.cancel() }
        // The database had no ticket: every ticket in it at the end is one counted here.
        var tally = TicketTally()
        var batch: [ImportDraft]? = first
        while let drafts = batch {
            let errors = try Self.importAtomically(db, drafts, actor: actor, people: &progress.people, into: .empty(fullText: fullText))
            progress.record(drafts, errors)
            let refused = Set(errors.map(\.line))
            for d in drafts where !refused.contains(d.line) { tally.add(d.category, d.priority, d.status) }
            batch = next()
        }
        let inserted = ContinuousClock.now
        try schema.restore(db, tally: tally, fullText: fullText)
        logger.debug("bulk import: \(progress.summary.imported) tickets inserted in \(inserted - start), indexes rebuilt in \(ContinuousClock.now - inserted)")
    }

    /// `Strategy.ordinary` after the first transaction: each transaction takes batches until it
    /// holds `transactionTickets`, because every commit flushes the full-text indexes and
    /// checkpoints the pages it changed, and the pages of nine indexes change in every batch.
    /// The first batch of a transaction is parsed outside it, so that other processes can
    /// write in between.
    private func importInTransactions(_ db: Database, _ next: () -> [ImportDraft]?, actor: PersonReference,
                                      progress: inout Progress) throws {
        var pending = next()
        while let first = pending {
            // Between transactions another process may have removed a user this one created.
            progress.people.forgetAll()
            var full = false
            try db.inTransaction(.immediate) {
                var count = 0
                var batch: [ImportDraft]? = first
                while let drafts = batch {
                    progress.record(drafts, try Self.importAtomically(db, drafts, actor: actor, people: &progress.people, into: .populated))
                    count += drafts.count
                    batch = count < Self.transactionTickets ? next() : nil
                }
                full = count >= Self.transactionTickets
                return .commit
            }
            pending = full ? next() : nil
        }
    }

    /// Imports a batch inside a savepoint, all in one go (`Pass.wholeBatch`). Should the database
    /// refuse any ticket (a duplicate number or reply id in a bulk import, a rule of the schema),
    /// the batch is rolled back and done again ticket by ticket (`Pass.ticketByTicket`), each in
    /// its own savepoint, so a ticket is never half imported and the others still go in.
    /// (Savepoints make FTS5 flush its index each time: ten times slower outside a bulk import,
    /// so not the default.)
    static func importAtomically(_ db: Database, _ drafts: [ImportDraft], actor: PersonReference,
                                 people: inout ImportedPeople, into target: ImportBatchWriter.Target) throws -> [ImportError] {
        do {
            var written = ImportBatchWriter.Written()
            try db.inSavepoint {
                written = try ImportBatchWriter.write(db, drafts, pass: .wholeBatch, into: target, actor: actor, people: &people)
                return .commit
            }
            target.fullText?.add(written.searchRows)
            return written.errors
        } catch let error as DatabaseError {
            guard case .invalidInput = AppDatabase.translate(error) else { throw error }
        } catch let error as SupportError {
            guard case .invalidInput = error else { throw error }
        }
        // The rollback also removed the people the batch created, and the rows handed out.
        people.forgetAll()
        let written = try ImportBatchWriter.write(db, drafts, pass: .ticketByTicket, into: target, actor: actor, people: &people)
        target.fullText?.add(written.searchRows)
        return written.errors
    }
}
