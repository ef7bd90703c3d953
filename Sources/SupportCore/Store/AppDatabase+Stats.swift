import Foundation
import GRDB

extension AppDatabase {
    /// Figures for tickets created in [since, until). Each figure is one grouped query.
    public func statistics(since: Date?, until: Date?) throws(SupportError) -> Statistics {
        try read { db in
            var stats = Statistics()
            stats.since = since
            stats.until = until
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let since { conditions.append("t.createdAt >= ?"); arguments += [since] }
            if let until { conditions.append("t.createdAt < ?"); arguments += [until] }
            let window = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            let and = conditions.isEmpty ? " WHERE " : " AND "

            var categories: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT category, count(*) FROM ticket t\(window) GROUP BY category", arguments: arguments) {
                categories[row[0]] = row[1]
            }
            stats.byCategory = TicketCategory.allCases.map { ($0, categories[$0.rawValue] ?? 0) }
            var priorities: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT priority, count(*) FROM ticket t\(window) GROUP BY priority", arguments: arguments) {
                priorities[row[0]] = row[1]
            }
            stats.byPriority = TicketPriority.allCases.map { ($0, priorities[$0.rawValue] ?? 0) }
            var statuses: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM ticket t\(window) GROUP BY status", arguments: arguments) {
                statuses[row[0]] = row[1]
            }
            stats.byStatus = TicketStatus.allCases.map { ($0, statuses[$0.rawValue] ?? 0) }
            stats.total = stats.byStatus.reduce(0) { $0 + $1.1 }
            stats.resolvedCount = (statuses[TicketStatus.resolved.rawValue] ?? 0) + (statuses[TicketStatus.closed.rawValue] ?? 0)

            // First public reply by staff on each ticket, credited to whoever wrote it.
            var people: [String: Person] = [:]
            var firstBy: [String: [Double]] = [:]
            var allFirst: [Double] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT u.email, u.name, u.role, (julianday(r.createdAt) - julianday(t.createdAt)) * 86400
                FROM ticket t
                JOIN response r ON r.id = (
                    SELECT r2.id FROM response r2 JOIN user u2 ON u2.id = r2.respondedBy
                    WHERE r2.ticketId = t.id AND r2.isInternal = 0 AND u2.role != 'user'
                    ORDER BY r2.createdAt, r2.id LIMIT 1)
                JOIN user u ON u.id = r.respondedBy\(window)
                """, arguments: arguments) {
                let email: String = row[0]
                people[email] = Person(email: email, name: row[1], role: Role(rawValue: row[2]) ?? .internal)
                let seconds = max(0, row[3] as Double)
                firstBy[email, default: []].append(seconds)
                allFirst.append(seconds)
            }
            // Resolution time, credited to the assignee.
            var resolvedBy: [String: [Double]] = [:]
            var allResolved: [Double] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT u.email, u.name, u.role, (julianday(t.resolvedAt) - julianday(t.createdAt)) * 86400
                FROM ticket t LEFT JOIN user u ON u.id = t.assignedTo\(window)\(and)t.resolvedAt IS NOT NULL
                """, arguments: arguments) {
                let seconds = max(0, row[3] as Double)
                allResolved.append(seconds)
                if let email: String = row[0] {
                    people[email] = Person(email: email, name: row[1], role: Role(rawValue: row[2]) ?? .internal)
                    resolvedBy[email, default: []].append(seconds)
                }
            }
            stats.firstResponse = Statistics.Durations(allFirst)
            stats.resolution = Statistics.Durations(allResolved)
            stats.staff = people.keys.sorted().map { email in
                Statistics.StaffFigures(person: people[email]!, firstResponse: Statistics.Durations(firstBy[email] ?? []),
                                        resolution: Statistics.Durations(resolvedBy[email] ?? []))
            }

            let now = try db.transactionDate
            let day: TimeInterval = 86_400
            let edges: [(String, Date?, Date?)] = [
                ("< 1 day", now.addingTimeInterval(-day), nil),
                ("1-7 days", now.addingTimeInterval(-7 * day), now.addingTimeInterval(-day)),
                ("7-30 days", now.addingTimeInterval(-30 * day), now.addingTimeInterval(-7 * day)),
                ("> 30 days", nil, now.addingTimeInterval(-30 * day)),
            ]
            for (label, from, to) in edges {
                var sql = "SELECT count(*) FROM ticket WHERE status IN (0, 1)"
                var args = StatementArguments()
                if let from { sql += " AND createdAt >= ?"; args += [from] }
                if let to { sql += " AND createdAt < ?"; args += [to] }
                stats.backlog.append((label, try Int.fetchOne(db, sql: sql, arguments: args) ?? 0))
            }

            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM outbox GROUP BY status") {
                switch row[0] as String {
                case "sent": stats.mail.sent = row[1]
                case "failed": stats.mail.failed = row[1]
                default: stats.mail.pending += row[1] as Int
                }
            }
            stats.mail.retriedAttempts = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox_attempt WHERE outcome != 'sent'") ?? 0
            return stats
        }
    }
}
