import GRDB
import GRDBSQLite

/// Rows for one table, written many per INSERT statement: the bulk path of an import runs
/// 300,000 of them at 100,000 tickets, and each statement of one row paid SQLite's per-statement
/// work (a statement transaction, its end, a reset) as much as the row's own.
///
/// Rows wait in memory until `write`; their values are bound only then, so a row that is never
/// written costs nothing in the database. The caller writes before anything that must see the
/// rows (a foreign key to them, a query), and reads no rowid back: it gives the ids.
final class MultiRowInsert {
    enum Value {
        case text(String)
        case integer(Int64)
        case real(Double)
        case null

        init(_ text: String?) { self = text.map(Value.text) ?? .null }
        init(_ integer: Int64?) { self = integer.map(Value.integer) ?? .null }
        init(_ real: Double?) { self = real.map(Value.real) ?? .null }
    }

    /// Rows per statement: beyond this the statements only grow (and SQLite's limit on
    /// parameters, 250,000 here, is far).
    static let rowsPerStatement = 64

    private let db: Database
    private let prefix: String
    /// The text of a statement of `rowsPerStatement` rows, the one nearly every write uses.
    private let fullStatement: String
    private let columns: Int
    private var values: [Value] = []

    init(_ db: Database, into table: String, columns: [String]) {
        self.db = db
        self.columns = columns.count
        prefix = "INSERT INTO \(table.quotedDatabaseIdentifier) (\(columns.map(\.quotedDatabaseIdentifier).joined(separator: ", "))) VALUES "
        fullStatement = Self.statement(prefix, rows: Self.rowsPerStatement, columns: columns.count)
        values.reserveCapacity(Self.rowsPerStatement * columns.count)
    }

    /// `(?, ?, …)` for a row of `columns` values.
    static func placeholders(_ columns: Int) -> String {
        "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
    }

    /// `prefix` and the placeholders of `rows` rows: the text of one statement.
    static func statement(_ prefix: String, rows: Int, columns: Int) -> String {
        prefix + Array(repeating: placeholders(columns), count: rows).joined(separator: ", ")
    }

    var pendingRows: Int { values.count / columns }

    /// Adds a row, one value per column, to be written by `write`.
    func append(_ row: Value...) {
        precondition(row.count == columns, "a row of \(row.count) values for \(columns) columns")
        values += row
    }

    func append(contentsOf row: [Value]) {
        precondition(row.count == columns, "a row of \(row.count) values for \(columns) columns")
        values += row
    }

    /// Drops the waiting rows.
    func discard() { values.removeAll(keepingCapacity: true) }

    /// Writes every waiting row: whole statements of `rowsPerStatement` rows, then one of
    /// what is left. On an error nothing more is written and the rows are dropped (the caller's
    /// savepoint rolls back what was).
    func write() throws {
        defer { values.removeAll(keepingCapacity: true) }
        var start = 0
        while start < values.count {
            let rows = min(Self.rowsPerStatement, (values.count - start) / columns)
            // Cached by its text: at most one statement per length.
            let statement = try db.cachedStatement(
                sql: rows == Self.rowsPerStatement ? fullStatement : Self.statement(prefix, rows: rows, columns: columns))
            let handle = statement.sqliteStatement
            for offset in 0..<(rows * columns) {
                let parameter = Int32(offset + 1)
                switch values[start + offset] {
                case .text(let text): RawStatement.bindText(handle, parameter, text)
                case .integer(let integer): sqlite3_bind_int64(handle, parameter, integer)
                case .real(let real): sqlite3_bind_double(handle, parameter, real)
                case .null: sqlite3_bind_null(handle, parameter)
                }
            }
            let code = sqlite3_step(handle)
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                    sql: statement.sql)
            }
            start += rows * columns
        }
    }
}
