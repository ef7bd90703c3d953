import Foundation
import GRDB

/// `createdAt >= since AND createdAt < until`, either side optional: the one way a time window
/// becomes SQL (ticket lists, the audit trail, statistics, the outbox's mail in `stats`).
struct CreatedWindow {
    var since: Date?
    var until: Date?

    var isEmpty: Bool { since == nil && until == nil }

    func condition(prefix: String, column: String = "createdAt") -> String {
        let parts = conditions(column: column)
        return parts.isEmpty ? "" : prefix + parts.joined(separator: " AND ")
    }

    /// The window's conditions, to add to others (their arguments: `arguments`, in this order).
    func conditions(column: String = "createdAt") -> [String] {
        [since.map { _ in "\(column) >= ?" }, until.map { _ in "\(column) < ?" }].compactMap { $0 }
    }

    var arguments: StatementArguments {
        var arguments = StatementArguments()
        if let since { arguments += [since] }
        if let until { arguments += [until] }
        return arguments
    }
}
