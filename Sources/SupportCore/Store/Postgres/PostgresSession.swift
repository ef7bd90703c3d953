import Foundation

/// A value bound to a PostgreSQL statement (`$1`, `$2`, …) or read from one of its rows, in the
/// store's terms: the driver's own types stay in the driver's target (`SupportPostgres`), so that
/// the core, and the `support` binary that links it, never link NIO (SWIFT-FACTS.md: +3 ms of
/// start-up for every command).
package enum PostgresValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bytes([UInt8])
    case bool(Bool)
    /// `timestamptz`: an instant, to the microsecond.
    case timestamp(Date)

    package var int: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): Int64(exactly: value)
        case .text(let text): Int64(text)
        default: nil
        }
    }

    package var double: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }

    package var text: String? {
        switch self {
        case .text(let value): value
        case .int(let value): String(value)
        default: nil
        }
    }

    package var bool: Bool? {
        switch self {
        case .bool(let value): value
        case .int(let value): value != 0
        default: nil
        }
    }

    package var date: Date? {
        if case .timestamp(let value) = self { return value }
        return nil
    }

    package var bytes: [UInt8]? {
        switch self {
        case .bytes(let value): value
        case .text(let value): Array(value.utf8)
        default: nil
        }
    }

    package var isNull: Bool { self == .null }
}

/// What PostgreSQL answered a statement with when it refused it: its SQLSTATE (`23505` a unique
/// key, `40001` a serialization failure, …), the constraint when one was broken, and its message
/// (which may quote the values of the statement: for logs at debug level, never for a person).
package struct PostgresServerError: Error, Sendable {
    package let sqlState: String
    package let constraint: String?
    package let message: String

    package init(sqlState: String, constraint: String?, message: String) {
        self.sqlState = sqlState
        self.constraint = constraint
        self.message = message
    }
}

/// One open connection to PostgreSQL, used synchronously: each call returns when the server has
/// answered (the store's protocol is synchronous, docs/architecture.md). Not shared between
/// threads at the same time: a command has one, a server has a pool of them.
///
/// Failures: `PostgresServerError` for a statement the server refused; `SupportError` for the
/// connection itself (`.busy` when the server cannot be reached or went away, exit 75;
/// `.configuration` when it refused who we are, exit 78), never with the password in its words.
package protocol PostgresSession: AnyObject, Sendable {
    /// One statement with `$n` parameters, through the extended protocol (values never spliced
    /// into the text); its rows, each column as a `PostgresValue`.
    func query(_ sql: String, _ binds: [PostgresValue]) throws -> [[PostgresValue]]
    /// Several such statements in one go: sent in order, answered in order, waited for once;
    /// the first failure is the call's (the statements after it may or may not have run).
    func queries(_ statements: [(sql: String, binds: [PostgresValue])]) throws -> [[[PostgresValue]]]
    /// Statements without parameters, several separated by `;` (a migration's script).
    func execute(_ script: String) throws
    /// One statement without parameters whose answer is not waited for now: it is sent at once
    /// and its answer (a failure included) comes with the next statement's on this session. For
    /// a unit of work's BEGIN, and a read-only transaction's COMMIT (nothing to lose): each saves
    /// a round trip.
    func send(_ statement: String) throws
    /// `COPY table (columns) FROM STDIN` with `rows` in the text format (`PostgresCopyText`):
    /// a bulk import's thousands of rows in one round trip. `table` and `columns` are the
    /// store's own names (never input): they are quoted as given, so in PostgreSQL's lower case.
    func copy(into table: String, columns: [String], rows: [UInt8]) throws
    /// The same `COPY`, its rows sent as they are made (`PostgresCopyStream.send`): PostgreSQL
    /// reads the first while the caller makes the next.
    func copyStream(into table: String, columns: [String]) throws -> any PostgresCopyStream
    func close()
}

/// A `COPY … FROM STDIN` under way (`PostgresSession.copyStream`). Nothing else runs on the
/// session until it is finished or cancelled.
package protocol PostgresCopyStream: AnyObject {
    /// More rows (whole rows, in the text format); not waited for.
    func send(_ rows: [UInt8])
    /// The end of the rows: returns once PostgreSQL has taken them all, or throws its refusal.
    func finish() throws
    /// Gives the copy up (nothing of it is written); waits until the session is free again.
    func cancel()
}

extension PostgresSession {
    package func send(_ statement: String) throws { try execute(statement) }
    /// Rows gathered and sent in one `copy` at the end, for a session that cannot stream them.
    package func copyStream(into table: String, columns: [String]) throws -> any PostgresCopyStream {
        GatheredCopy(session: self, table: table, columns: columns)
    }
    package func queries(_ statements: [(sql: String, binds: [PostgresValue])]) throws -> [[[PostgresValue]]] {
        try statements.map { try query($0.sql, $0.binds) }
    }
}

/// Opens sessions. Set at start by a binary that links the driver (`support-pg`,
/// `support-server`); nil in `support`, which hands a `postgresql://` `--db` over to `support-pg`.
package enum PostgresConnector {
    package typealias Open = @Sendable (PostgresLocation) throws -> any PostgresSession
    nonisolated(unsafe) package static var open: Open?
}

private final class GatheredCopy: PostgresCopyStream {
    let session: any PostgresSession
    let table: String
    let columns: [String]
    var rows: [UInt8] = []

    init(session: any PostgresSession, table: String, columns: [String]) {
        self.session = session
        self.table = table
        self.columns = columns
    }

    func send(_ rows: [UInt8]) { self.rows += rows }
    func finish() throws { try session.copy(into: table, columns: columns, rows: rows) }
    func cancel() { rows = [] }
}
