import Foundation
import GRDB

/// `createdAt >= since AND createdAt < until`, either side optional.
struct CreatedWindow {
    var since: Date?
    var until: Date?

    var isEmpty: Bool { since == nil && until == nil }

    func condition(prefix: String, column: String = "createdAt") -> String {
        let parts = [since.map { _ in "\(column) >= ?" }, until.map { _ in "\(column) < ?" }].compactMap { $0 }
        return parts.isEmpty ? "" : prefix + parts.joined(separator: " AND ")
    }

    var arguments: StatementArguments {
        var arguments = StatementArguments()
        if let since { arguments += [since] }
        if let until { arguments += [until] }
        return arguments
    }
}
