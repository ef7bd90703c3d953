import Foundation
import Logging

/// The desk on PostgreSQL (issue 17): every `DeskStore` method over one `PostgresSession`, in the
/// same units of work as `AppDatabase` (a change, its audit record and its mail commit together),
/// with the same rules. The SQL is PostgreSQL's own (`PostgresSchema`), not a translation layer:
/// where the engines differ (search, locking, time), the difference is written here, once.
///
/// A command opens one connection (no pool: its work is a transaction or two); the server gives
/// each request a store over a pooled session.
final class PostgresStore: Sendable {
    /// The connections: one for a command, several for the server. Each unit of work (`read`,
    /// `write`) holds one session for its transaction.
    let sessions: PostgresSessionPool
    let location: PostgresLocation
    let logger: Logger

    var path: String? { nil }

    init(sessions: PostgresSessionPool, location: PostgresLocation, logger: Logger) {
        self.sessions = sessions
        self.location = location
        self.logger = logger
    }

    /// Connects (through the driver a binary installed), migrates if needed, and sets how long a
    /// statement waits for a row another transaction holds (SQLite's busy timeout).
    /// `connections`: 1 for a command (opened here, before anything else), more for a server
    /// (opened as requests need them).
    static func open(_ location: PostgresLocation, busyTimeout: TimeInterval = 5, connections: Int = 1,
                     logger: Logger = Logger(label: "support.store"),
                     migrationProgress: MigrationProgressHandler? = nil) throws(SupportError) -> PostgresStore {
        guard let connect = PostgresConnector.open else {
            throw .configuration("this build of support cannot reach PostgreSQL; run support-pg (installed beside support)")
        }
        let milliseconds = Int(max(0, min(busyTimeout, 600)) * 1000)
        let logger = logger
        let pool = PostgresSessionPool(capacity: max(1, connections)) { () throws(SupportError) -> any PostgresSession in
            let session: any PostgresSession
            do {
                session = try connect(location)
            } catch let error as SupportError {
                throw error
            } catch {
                throw .busy("cannot reach PostgreSQL at \(location)")
            }
            do {
                // lock_timeout is the busy timeout's twin: a row another host's transaction
                // holds longer than that is "busy, try again" (75).
                try session.execute("SET lock_timeout = \(milliseconds); SET TIME ZONE 'UTC'")
            } catch let error as PostgresServerError {
                session.close()
                throw translate(error, logger: logger)
            } catch {
                session.close()
                throw .busy("cannot reach PostgreSQL at \(location)")
            }
            return session
        }
        let store = PostgresStore(sessions: pool, location: location, logger: logger)
        do {
            try pool.prime()
            try store.migrateIfNeeded(progress: migrationProgress)
        } catch {
            pool.close()
            throw error
        }
        return store
    }

    func close() { sessions.close() }

    // MARK: Units of work

    /// The time of a unit of work, to the millisecond as SQLite's stored text keeps it, so that
    /// the two engines render the same times.
    static func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// One read-write transaction. A serialization failure or deadlock (another host's
    /// transaction won) is retried from the start, as SQLite's busy handler retries, up to five
    /// times; then busy.
    /// `retries: false` for a body that lets go of its input as it writes (mail in drops each
    /// message's bytes once stored): it cannot run twice, so a conflict is busy (75) at once and
    /// the MTA delivers the message again.
    func write<T>(retries: Bool = true, _ body: (PostgresTransaction) throws -> T) throws(SupportError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try run { () throws -> T in try sessions.borrow { session in
                    try session.send("BEGIN ISOLATION LEVEL READ COMMITTED")
                    do {
                        let value = try body(PostgresTransaction(session: session, now: Self.now()))
                        try session.execute("COMMIT")
                        return value
                    } catch {
                        try? session.execute("ROLLBACK")
                        throw error
                    }
                } }
            } catch .busy(let wording) where retries && attempt < 5 && wording.description.hasPrefix(Self.retryMarker) {
                // A short, random pause before the next try, longer each time: transactions that
                // conflicted once and start again at the same moment would conflict again.
                usleep(UInt32.random(in: 1_000...5_000) * UInt32(attempt))
                continue
            } catch .busy(let wording) where wording.description.hasPrefix(Self.retryMarker) {
                throw .busy("the database is busy (other transactions conflicted with this one); try again in a moment")
            }
        }
    }

    /// One read, from one snapshot (the total and the page of a list agree).
    func read<T>(_ body: (PostgresTransaction) throws -> T) throws(SupportError) -> T {
        try run { () throws -> T in try sessions.borrow { session in
            try session.send("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                let value = try body(PostgresTransaction(session: session, now: Self.now()))
                // Read only: its COMMIT cannot lose anything, and is answered with the session's next statement.
                try session.send("COMMIT")
                return value
            } catch {
                try? session.execute("ROLLBACK")
                throw error
            }
        } }
    }

    /// One statement's read, outside a transaction: a single statement sees one snapshot of its
    /// own, so BEGIN and COMMIT would add two statements (and a round trip) and nothing else.
    /// For the server's per-request reads (a token's user).
    func readOne<T>(_ body: (PostgresTransaction) throws -> T) throws(SupportError) -> T {
        try run { () throws -> T in try sessions.borrow { session in
            try body(PostgresTransaction(session: session, now: Self.now()))
        } }
    }

    static let retryMarker = "retry: "

    /// Runs `body`, mapping PostgreSQL's refusals to the error classes of SPEC (never the SQL,
    /// which may hold user text).
    func run<T>(_ body: () throws -> T) throws(SupportError) -> T {
        do {
            return try body()
        } catch let error as SupportError {
            throw error
        } catch let error as PostgresServerError {
            throw Self.translate(error, logger: logger)
        } catch {
            throw .internalError("unexpected error: \(error)")
        }
    }

    static func translate(_ error: PostgresServerError, logger: Logger) -> SupportError {
        logger.debug("PostgreSQL refused a statement", metadata: ["sqlstate": "\(error.sqlState)"])
        switch error.sqlState {
        case "40001", "40P01":
            return .busy(Wording(retryMarker + "serialization failure"))
        case "55P03", "57014":
            return .busy("the database is busy (another program holds a lock on what this needs); try again in a moment")
        case "25006":
            return .storage("the database is read-only (a standby, or default_transaction_read_only)")
        case "42501":
            return .storage("permission denied in the database: the desk's role must own its tables")
        case "53100":
            return .storage("the database server's disk is full; nothing was changed: free some space and try again")
        case "57P01", "57P02", "57P03", "08000", "08003", "08006":
            return .busy("PostgreSQL went away (shut down or restarting); nothing was changed: try again in a moment")
        case let state where state.hasPrefix("23"):
            return .invalidInput(field: nil, "the change breaks a rule of the database and was not made")
        case let state where state.hasPrefix("53"):
            return .busy("the database server is out of resources (\(state)); try again in a moment")
        default:
            return .internalError("database error \(error.sqlState): \(error.message)")
        }
    }

    // MARK: Schema

    /// `progress` hears each migration as it starts and a long one's rows as they are done,
    /// for a desk made by an earlier version (a new one is made at once and says nothing).
    func migrateIfNeeded(progress: MigrationProgressHandler? = nil) throws(SupportError) {
        let known = PostgresSchema.migrations.map(\.identifier)
        let applied = try run { () throws -> Set<String>? in try sessions.borrow { session in
            let exists = try session.query("SELECT to_regclass($1) IS NOT NULL", [.text(PostgresSchema.migrationsTable)])
            guard exists.first?.first?.bool == true else { return nil }
            return Set(try session.query("SELECT identifier FROM \(PostgresSchema.migrationsTable)", []).compactMap { $0.first?.text })
        } }
        if let applied {
            guard applied.isSubset(of: known) else { throw .storage(Wording(AppDatabase.newerVersionMessage)) }
            if Set(known).isSubset(of: applied) { return }
        }
        // Several hosts may open a new database at once: one migrates, under a transaction-scoped
        // advisory lock, and the others find the work done when they get the lock.
        try write { tx in
            _ = try tx.rows("SELECT pg_advisory_xact_lock(7160420117)")
            try tx.execute("CREATE TABLE IF NOT EXISTS \(PostgresSchema.migrationsTable) (identifier TEXT PRIMARY KEY, appliedAt TIMESTAMPTZ NOT NULL)")
            let done = Set(try tx.rows("SELECT identifier FROM \(PostgresSchema.migrationsTable)").compactMap { $0.first?.text })
            guard done.isSubset(of: Set(known)) else { throw SupportError.storage(Wording(AppDatabase.newerVersionMessage)) }
            let pending = PostgresSchema.migrations.filter { !done.contains($0.identifier) }
            // A new desk (no migration done yet) is made at once and says nothing.
            let report = done.isEmpty ? nil : progress
            for (index, migration) in pending.enumerated() {
                logger.debug("migrating the database", metadata: ["migration": "\(migration.identifier)"])
                let step = MigrationProgress(migration: migration.identifier, number: index + 1, count: pending.count)
                report?(step)
                try tx.session.execute(migration.sql)
                try migration.then?(tx) { done, total in
                    var rows = step
                    rows.done = done
                    rows.total = total
                    report?(rows)
                }
                try tx.execute("INSERT INTO \(PostgresSchema.migrationsTable) (identifier, appliedAt) VALUES ($1, $2)",
                               .text(migration.identifier), .timestamp(tx.now))
            }
        }
    }
}

/// A transaction in progress: its statements and its time.
struct PostgresTransaction {
    let session: any PostgresSession
    /// The transaction's time, to the millisecond (SQLite's `transactionDate`).
    let now: Date

    func rows(_ sql: String, _ binds: PostgresValue...) throws -> [[PostgresValue]] {
        try session.query(sql, binds)
    }

    func rows(_ sql: String, binds: [PostgresValue]) throws -> [[PostgresValue]] {
        try session.query(sql, binds)
    }

    func row(_ sql: String, _ binds: PostgresValue...) throws -> [PostgresValue]? {
        try session.query(sql, binds).first
    }

    func row(_ sql: String, binds: [PostgresValue]) throws -> [PostgresValue]? {
        try session.query(sql, binds).first
    }

    func value(_ sql: String, _ binds: PostgresValue...) throws -> PostgresValue? {
        try session.query(sql, binds).first?.first
    }

    func value(_ sql: String, binds: [PostgresValue]) throws -> PostgresValue? {
        try session.query(sql, binds).first?.first
    }

    func execute(_ sql: String, _ binds: PostgresValue...) throws {
        _ = try session.query(sql, binds)
    }

    func execute(_ sql: String, binds: [PostgresValue]) throws {
        _ = try session.query(sql, binds)
    }
}

/// Placeholders and values built together, so `$n` always names the right value.
struct PostgresBinds {
    private(set) var values: [PostgresValue] = []

    /// Adds `value` and returns its placeholder.
    mutating func add(_ value: PostgresValue) -> String {
        values.append(value)
        return "$\(values.count)"
    }

    mutating func list(_ items: [PostgresValue]) -> String {
        items.map { add($0) }.joined(separator: ", ")
    }
}

extension PostgresValue {
    init(_ value: String?) { self = value.map(PostgresValue.text) ?? .null }
    init(_ value: Int64?) { self = value.map(PostgresValue.int) ?? .null }
    init(_ value: Int) { self = .int(Int64(value)) }
    init(_ value: Date?) { self = value.map(PostgresValue.timestamp) ?? .null }
}

/// Reading a row's columns by position, with a clear failure for what this version cannot read.
extension Array where Element == PostgresValue {
    func text(_ index: Int) throws -> String {
        guard index < count, let value = self[index].text else { throw PostgresStore.unreadable("text", index) }
        return value
    }

    func optionalText(_ index: Int) -> String? { index < count ? self[index].text : nil }

    func int(_ index: Int) throws -> Int64 {
        guard index < count, let value = self[index].int else { throw PostgresStore.unreadable("number", index) }
        return value
    }

    func optionalInt(_ index: Int) -> Int64? { index < count ? self[index].int : nil }

    func date(_ index: Int) throws -> Date {
        guard index < count, let value = self[index].date else { throw PostgresStore.unreadable("time", index) }
        return value
    }

    func optionalDate(_ index: Int) -> Date? { index < count ? self[index].date : nil }

    func bool(_ index: Int) throws -> Bool {
        guard index < count, let value = self[index].bool else { throw PostgresStore.unreadable("flag", index) }
        return value
    }

    func bytes(_ index: Int) throws -> [UInt8] {
        guard index < count, let value = self[index].bytes else { throw PostgresStore.unreadable("bytes", index) }
        return value
    }
}

extension PostgresStore {
    static func unreadable(_ what: String, _ index: Int) -> SupportError {
        .storage(Wording("the database holds a \(what) this version cannot read (column \(index + 1)): was the schema changed by hand?"))
    }
}

/// A few open sessions, each lent to one unit of work at a time. A command has one; the server
/// as many as its request threads use at once (opened on demand, up to `capacity`). A session
/// whose connection failed is closed and dropped, and the next borrower opens a fresh one.
final class PostgresSessionPool: @unchecked Sendable {
    // @unchecked: `idle` and `opened` are guarded by `condition`; a session is used by the one
    // thread that borrowed it.
    private let condition = NSCondition()
    private var idle: [any PostgresSession] = []
    private var opened = 0
    private var closed = false
    let capacity: Int
    private let connect: @Sendable () throws(SupportError) -> any PostgresSession

    init(capacity: Int, connect: @escaping @Sendable () throws(SupportError) -> any PostgresSession) {
        self.capacity = capacity
        self.connect = connect
    }

    /// The last reference gone (a command ends, its HelpDesk with it): each connection says
    /// goodbye to the server and is closed here, not dropped half-open.
    deinit {
        for session in idle { session.close() }
    }

    /// Opens the first session now, so that a command fails on connecting before anything else.
    func prime() throws(SupportError) {
        let session = try take()
        give(session, broken: false)
    }

    func borrow<T>(_ body: (any PostgresSession) throws -> T) throws -> T {
        let session = try take()
        do {
            let value = try body(session)
            give(session, broken: false)
            return value
        } catch let error as SupportError {
            // Only the session reports .busy for a connection it lost (PostgresSession's
            // contract); rules and refusals come back as other cases, or as server errors.
            if case .busy = error { give(session, broken: true) } else { give(session, broken: false) }
            throw error
        } catch {
            give(session, broken: false)
            throw error
        }
    }

    private func take() throws(SupportError) -> any PostgresSession {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw .busy("the desk's database connections are closed (the server is stopping)")
            }
            if let session = idle.popLast() {
                condition.unlock()
                return session
            }
            if opened < capacity {
                opened += 1
                condition.unlock()
                do {
                    return try connect()
                } catch {
                    condition.lock()
                    opened -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            condition.wait()
        }
    }

    private func give(_ session: any PostgresSession, broken: Bool) {
        condition.lock()
        if broken || closed {
            opened -= 1
            condition.signal()
            condition.unlock()
            session.close()
            return
        }
        idle.append(session)
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        let sessions = idle
        idle = []
        opened -= sessions.count
        condition.broadcast()
        condition.unlock()
        for session in sessions { session.close() }
    }
}
