import Foundation
import GRDB
import GRDBSQLite

/// A cached statement bound and run through the SQLite C API (the bulk import, tallies, the FTS builder). An import runs
/// five statements per ticket; GRDB's `StatementArguments` (an array of existentials per call)
/// and its `DateFormatter` for every date cost as much as SQLite's own work for the row.
/// Dates are bound as the very text GRDB stores ("yyyy-MM-dd HH:mm:ss.SSS", UTC).
struct RawStatement {
    private let statement: Statement
    private let handle: SQLiteStatement
    private let connection: SQLiteConnection?

    init(_ db: Database, _ sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
    }

    func bind(_ index: Int32, _ value: String) { Self.bindText(handle, index, value) }

    /// Binds `value` as text, copied by SQLite (Swift's buffer may go right after).
    static func bindText(_ handle: SQLiteStatement, _ index: Int32, _ value: String) {
        var value = value
        value.withUTF8 { text in
            // A nil base address would bind NULL, not the empty string.
            _ = text.isEmpty
                ? sqlite3_bind_text(handle, index, "", 0, transient)
                : sqlite3_bind_text(handle, index, UnsafeRawPointer(text.baseAddress!).assumingMemoryBound(to: CChar.self),
                                    Int32(text.count), transient)
        }
    }

    func bind(_ index: Int32, _ value: String?) {
        if let value { bind(index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(handle, index, Int64(value)) }

    func bind(_ index: Int32, _ value: Bool) { sqlite3_bind_int64(handle, index, value ? 1 : 0) }

    func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    /// Runs the statement to its end (all of an INSERT … RETURNING happens in its first step)
    /// and returns the first column of its first row, if it gave one.
    @discardableResult
    func run() throws -> Int64? {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        switch sqlite3_step(handle) {
        case SQLITE_DONE:
            return nil
        case SQLITE_ROW:
            return sqlite3_column_int64(handle, 0)
        case let code:
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// The text GRDB stores for `date`, computed from whole milliseconds when `date` is one
    /// that `ISO8601.snappedToMillisecond` made (every imported time is; GRDB's formatter
    /// prints those at their millisecond: see the tests), and by GRDB itself otherwise.
    static func storedText(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        guard milliseconds >= 0, milliseconds < 4_294_967_296_000, ISO8601.date(milliseconds: Int64(milliseconds)) == date else {
            return String.fromDatabaseValue(date.databaseValue) ?? ""
        }
        return CivilTime(date).storageText
    }
}

/// SQLite copies what is bound with this destructor, so Swift's buffer may go right after.
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
