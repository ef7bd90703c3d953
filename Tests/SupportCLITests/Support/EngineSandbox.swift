import Foundation
import Testing

/// The engine a desk of an end-to-end test runs on: the same test, one parameter (issue 17).
/// PostgreSQL joins when a server is there (`PostgresTestDatabase.available`: .ci/run starts one).
enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    var testDescription: String { rawValue }

    static var available: [Engine] { PostgresTestDatabase.available ? [.sqlite, .postgresql] : [.sqlite] }
}

extension Sandbox {
    /// A sandbox whose desk (SUPPORT_DB) is on `engine`: its SQLite file, or a fresh PostgreSQL
    /// database made for it (dropped when the sandbox goes).
    convenience init(engine: Engine) throws {
        switch engine {
        case .sqlite: try self.init()
        case .postgresql: try self.init(postgres: try PostgresTestDatabase())
        }
    }
}

extension Sandbox {
    /// Removes the sandbox's directory and drops its PostgreSQL database now: for a sandbox kept
    /// in a static (a template copied for every case), which is never deinitialised.
    func removeForGood() {
        try? FileManager.default.removeItem(at: directory)
        postgres?.drop()
    }
}

extension Sandbox {
    /// Runs SQL that both dialects read the same (a test's clock jump or a look at a table) on the
    /// desk: the sqlite3 shell on its file, or psql on its PostgreSQL database.
    @discardableResult
    func deskSQL(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        if let postgres { return try postgres.sql(sql) }
        return try reliabilitySQL(sql, sourceLocation: sourceLocation).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One integer from a query such as `SELECT count(*) ...`, on either engine.
    func deskCount(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let text = try deskSQL(sql, sourceLocation: sourceLocation)
        return try #require(Int(text), "not a number: \(text)", sourceLocation: sourceLocation)
    }
}

extension Sandbox {
    /// The table of people: `user` on SQLite, `desk_user` on PostgreSQL (a reserved word there).
    var userTable: String { postgres == nil ? "user" : "desk_user" }

    /// The first column of every row of a query, one value a line, on either engine (values
    /// without line breaks).
    func deskColumn(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        try deskSQL(sql, sourceLocation: sourceLocation).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.isEmpty }
    }
}
