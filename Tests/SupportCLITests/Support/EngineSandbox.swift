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
