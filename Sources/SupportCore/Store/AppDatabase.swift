import Foundation
import GRDB
import Logging

/// What a migration reports while it runs (`AppDatabase.open`'s `migrationProgress`).
public struct MigrationProgress: Sendable, Equatable {
    /// The migration's identifier, and its place among the migrations this run applies.
    public var migration: String
    public var number: Int
    public var count: Int
    /// Rows written so far, of `total`, for a migration that fills an index in ranges; nil
    /// when it starts (and for the others, which report only their start).
    public var done: Int?
    public var total: Int?
}

public typealias MigrationProgressHandler = @Sendable (MigrationProgress) -> Void

/// The one database type. Takes any GRDB writer and migrates it in `init`: production passes a
/// WAL `DatabaseQueue` on a file (see `AppDatabase.open`), tests an in-memory queue with a fixed clock.
/// Every write method is one transaction that keeps the invariants.
public final class AppDatabase: Sendable {
    let writer: any DatabaseWriter
    let logger: Logger
    /// The file opened (symlinks resolved); nil in memory. Whoever can write it, its side files
    /// or its directory decides what is in it, `sendmail_command` included.
    public let path: String?
    /// The server's writes, batched into shared transactions (`GroupCommit`); nil for a command,
    /// which writes from one thread.
    let groupCommit: GroupCommit?

    /// Migrates `writer` if needed (one process at a time: tests, in-memory databases).
    convenience init(_ writer: any DatabaseWriter, logger: Logger = Logger(label: "support.store")) throws(SupportError) {
        try Self.translatingErrors { try Self.migrateIfNeeded(writer, lockPath: nil, logger: logger) }
        self.init(migrated: writer, logger: logger)
    }

    init(migrated writer: any DatabaseWriter, logger: Logger, path: String? = nil, groupCommit: Bool = false) {
        self.writer = writer
        self.logger = logger
        self.path = path
        self.groupCommit = groupCommit ? GroupCommit(writer: writer) : nil
    }

    /// A fresh in-memory database whose transactions all happen at `now` (for tests).
    public static func inMemory(now: Date? = nil) throws(SupportError) -> AppDatabase {
        var config = Configuration()
        if let now { config.transactionClock = .custom { _ in now } }
        return try translatingErrors { try AppDatabase(DatabaseQueue(configuration: config)) }
    }

    /// Runs pending migrations. Refuses a database written by a newer `support`. When `lockPath` is
    /// given, migrations run under an exclusive `flock` on it, because GRDB's migrator reads its
    /// state outside its transaction and two processes opening a new file at once could both try
    /// to create the tables.
    ///
    /// Each migration is its own transaction (GRDB's): a kill leaves the file with the
    /// migrations before it, which this and the older versions open, and the next run goes on.
    /// `progress` hears which migration runs and, for those that fill an index in ranges, how
    /// far it is (the core never prints: the command line decides whether to show it).
    static func migrateIfNeeded(_ writer: any DatabaseWriter, lockPath: String?, logger: Logger,
                                progress: MigrationProgressHandler? = nil) throws {
        let migrator = Schema.migrator
        let (superseded, complete) = try writer.read { db in try migrationState(db, known: migrator.migrations) }
        if superseded {
            throw SupportError.storage(Wording(newerVersionMessage))
        }
        if complete { return }
        let lock = try lockPath.map { try FileLock(path: $0) }
        defer { lock?.unlock() }
        logger.debug("migrating the database")
        guard let progress else {
            try migrator.migrate(writer)
            return
        }
        // Read under the lock: another process may have migrated in the meantime.
        let applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
        let pending = migrator.migrations.filter { !applied.contains($0) }
        for (index, identifier) in pending.enumerated() {
            let report: @Sendable (Int?, Int?) -> Void = { done, total in
                progress(MigrationProgress(migration: identifier, number: index + 1, count: pending.count, done: done, total: total))
            }
            report(nil, nil)
            try Schema.migrator(fillProgress: { report($0, $1) }).migrate(writer, upTo: identifier)
        }
    }

    /// Whether the file holds migrations this build does not know, and whether it holds all it
    /// knows, read from one snapshot. Not GRDB's `hasBeenSuperseded`: that reads
    /// `grdb_migrations` and, when missing, checks that the table exists in a second snapshot, so
    /// another process creating it in between (the first migration of a new file, which this
    /// check runs beside without the lock) made it fail with "no such table".
    static func migrationState(_ db: Database, known: [String]) throws -> (superseded: Bool, complete: Bool) {
        // Reading sqlite_master starts the read transaction: the next statement is prepared
        // against the same snapshot.
        let exists = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'grdb_migrations')
            """) ?? false
        guard exists else { return (false, known.isEmpty) }
        let applied = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
        return (!applied.isSubset(of: known), Set(known).isSubset(of: applied))
    }

    static let newerVersionMessage = "this database was written by a newer version of support; upgrade support to use it"

    /// Maps GRDB and SQLite failures to the error classes of SPEC, without leaking SQL.
    static func translatingErrors<T>(_ body: () throws -> T) throws(SupportError) -> T {
        do {
            return try body()
        } catch let error as SupportError {
            throw error
        } catch let error as DatabaseError {
            throw translate(error)
        } catch {
            throw .internalError("unexpected error: \(error)")
        }
    }

    static func translate(_ error: DatabaseError) -> SupportError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .busy("the database is busy (another program holds its lock); try again in a moment")
        case .SQLITE_READONLY:
            return .storage("the database is read-only: check the permissions of the file and its directory")
        case .SQLITE_CANTOPEN:
            return .storage("cannot open the database file: check that its directory exists and is writable")
        case .SQLITE_NOTADB:
            return .storage("the file is not a support database (not SQLite)")
        case .SQLITE_CORRUPT:
            return .storage("the database file is corrupt; restore it from a backup")
        case .SQLITE_FULL:
            return .storage("the disk is full; nothing was changed: free some space and try again")
        case .SQLITE_IOERR:
            // Also a write past the file size limit (`ulimit -f`).
            return .storage("input/output error on the database file; nothing was changed: check the disk, free space and file size limit, then try again")
        case .SQLITE_PERM, .SQLITE_AUTH:
            return .storage("permission denied on the database file")
        case .SQLITE_CONSTRAINT:
            return .invalidInput(field: nil, "the change breaks a rule of the database and was not made")
        default:
            // A bug: SQLite's own words (never the SQL, which may hold user text) make it reportable.
            return .internalError("database error \(error.resultCode.rawValue)\(error.message.map { ": \($0)" } ?? "")")
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(SupportError) -> T {
        try Self.translatingErrors {
            if let groupCommit { return try groupCommit.write(body) }
            return try writer.write(body)
        }
    }

    /// One read transaction (one snapshot). In the server's pool, the transaction's BEGIN and
    /// COMMIT are kept compiled: GRDB's `read` compiles both again every time, 5 % of the server's
    /// CPU on a list of tickets (perf, release). A command's single connection keeps GRDB's.
    func read<T>(_ body: (Database) throws -> T) throws(SupportError) -> T {
        try Self.translatingErrors {
            guard writer is DatabasePool else { return try writer.read(body) }
            return try writer.unsafeRead { db in
                try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
                let value: T
                do {
                    value = try body(db)
                } catch {
                    // A read changes nothing: ending it cannot fail in a way worth more than the
                    // error that ended it.
                    try? db.execute(sql: "ROLLBACK TRANSACTION")
                    throw error
                }
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                return value
            }
        }
    }
}
