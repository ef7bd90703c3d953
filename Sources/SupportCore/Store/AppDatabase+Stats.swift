import Foundation
import GRDB

extension AppDatabase {
    /// Figures for tickets created in [since, until). Every figure is computed inside SQLite from
    /// an index or the tally table (migration v6-stats): nothing is fetched per ticket, so the time
    /// is a few index walks and the memory does not grow with the number of tickets.
    public func statistics(since: Date?, until: Date?) throws(SupportError) -> Statistics {
        try read { db in
            var stats = Statistics()
            stats.since = since
            stats.until = until
            let window = CreatedWindow(since: since, until: until)

            try Self.volume(db, window, into: &stats)

            // First public reply by staff on each ticket, credited to whoever wrote it; resolution
            // time credited to the assignee.
            let firstResponse = DurationIndex(staffColumn: "firstResponderID", secondsColumn: "firstResponseSeconds",
                                              present: "firstResponderID IS NOT NULL")
            let resolution = DurationIndex(staffColumn: "assignedTo", secondsColumn: "resolutionSeconds",
                                           present: "resolvedAt IS NOT NULL")
            stats.firstResponse = try firstResponse.overall(db, window)
            stats.resolution = try resolution.overall(db, window)
            let firstByStaff = try firstResponse.perStaff(db, window)
            let resolvedByStaff = try resolution.perStaff(db, window)
            let staffIDs = Set(firstByStaff.keys).union(resolvedByStaff.keys)
            var people: [Person] = []
            var idByEmail: [String: Int64] = [:]
            if !staffIDs.isEmpty {
                let marks = Array(repeating: "?", count: staffIDs.count).joined(separator: ", ")
                for row in try Row.fetchAll(db, sql: "SELECT id, email, name, role FROM user WHERE id IN (\(marks))",
                                            arguments: StatementArguments(Array(staffIDs))) {
                    let person = Person(email: row[1], name: row[2], role: Role(rawValue: row[3]) ?? .internal)
                    people.append(person)
                    idByEmail[person.email] = row[0]
                }
            }
            stats.staff = people.sorted { $0.email < $1.email }.map { person in
                let id = idByEmail[person.email]!
                return Statistics.StaffFigures(person: person, firstResponse: firstByStaff[id], resolution: resolvedByStaff[id])
            }

            // Open and in-progress tickets by age, in one walk of the (status, createdAt) index.
            let now = try db.transactionDate
            let day: TimeInterval = 86_400
            let (d1, d7, d30) = (now.addingTimeInterval(-day), now.addingTimeInterval(-7 * day), now.addingTimeInterval(-30 * day))
            if let row = try Row.fetchOne(db, sql: """
                SELECT count(*) FILTER (WHERE createdAt >= ?), count(*) FILTER (WHERE createdAt >= ? AND createdAt < ?),
                       count(*) FILTER (WHERE createdAt >= ? AND createdAt < ?), count(*) FILTER (WHERE createdAt < ?)
                FROM ticket WHERE status IN (0, 1)
                """, arguments: [d1, d7, d1, d30, d7, d30]) {
                stats.backlog = [("< 1 day", row[0]), ("1-7 days", row[1]), ("7-30 days", row[2]), ("> 30 days", row[3])]
            }

            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM outbox GROUP BY status") {
                switch row[0] as String {
                case "sent": stats.mail.sent = row[1]
                case "failed": stats.mail.failed = row[1]
                default: stats.mail.pending += row[1] as Int
                }
            }
            stats.mail.retried = try Int.fetchOne(db, sql: """
                SELECT count(DISTINCT outboxID) FROM outbox_attempt WHERE outcome = 'retry'
                """) ?? 0
            return stats
        }
    }

    /// Tickets by category, priority and status: from the tally for all time, else three grouped
    /// walks of the (category|priority|status, createdAt) indexes.
    private static func volume(_ db: Database, _ window: CreatedWindow, into stats: inout Statistics) throws {
        var categories: [String: Int] = [:]
        var priorities: [Int: Int] = [:]
        var statuses: [Int: Int] = [:]
        if window.isEmpty {
            for row in try Row.fetchAll(db, sql: "SELECT category, priority, status, tickets FROM ticket_tally") {
                let n: Int = row[3]
                categories[row[0], default: 0] += n
                priorities[row[1], default: 0] += n
                statuses[row[2], default: 0] += n
            }
        } else {
            let filter = window.condition(prefix: " WHERE ")
            for row in try Row.fetchAll(db, sql: "SELECT category, count(*) FROM ticket\(filter) GROUP BY category", arguments: window.arguments) {
                categories[row[0]] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT priority, count(*) FROM ticket\(filter) GROUP BY priority", arguments: window.arguments) {
                priorities[row[0]] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM ticket\(filter) GROUP BY status", arguments: window.arguments) {
                statuses[row[0]] = row[1]
            }
        }
        stats.byCategory = TicketCategory.allCases.map { ($0, categories[$0.rawValue] ?? 0) }
        stats.byPriority = TicketPriority.allCases.map { ($0, priorities[$0.rawValue] ?? 0) }
        stats.byStatus = TicketStatus.allCases.map { ($0, statuses[$0.rawValue] ?? 0) }
        stats.total = stats.byStatus.reduce(0) { $0 + $1.1 }
        stats.resolvedCount = (statuses[TicketStatus.resolved.rawValue] ?? 0) + (statuses[TicketStatus.closed.rawValue] ?? 0)
    }
}

/// `createdAt >= since AND createdAt < until`, either side optional.
private struct CreatedWindow {
    var since: Date?
    var until: Date?

    var isEmpty: Bool { since == nil && until == nil }

    func condition(prefix: String) -> String {
        let parts = [since.map { _ in "createdAt >= ?" }, until.map { _ in "createdAt < ?" }].compactMap { $0 }
        return parts.isEmpty ? "" : prefix + parts.joined(separator: " AND ")
    }

    var arguments: StatementArguments {
        var arguments = StatementArguments()
        if let since { arguments += [since] }
        if let until { arguments += [until] }
        return arguments
    }
}

/// A duration column of `ticket` with its two partial indexes, (staff, seconds, createdAt) and
/// (seconds, createdAt): the median and 90th percentile are read at their rank with
/// `LIMIT 1 OFFSET rank`, which walks the index in order and never sorts.
private struct DurationIndex {
    var staffColumn: String
    var secondsColumn: String
    /// The partial indexes' WHERE clause, repeated so that SQLite may use them.
    var present: String

    func overall(_ db: Database, _ window: CreatedWindow) throws -> Statistics.Durations? {
        let filter = present + window.condition(prefix: " AND ")
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket WHERE \(filter)", arguments: window.arguments) ?? 0
        return try durations(count: count) { rank in
            try Double.fetchOne(db, sql: """
                SELECT max(0, \(secondsColumn)) FROM ticket WHERE \(filter) ORDER BY \(secondsColumn) LIMIT 1 OFFSET ?
                """, arguments: window.arguments + [rank])
        }
    }

    func perStaff(_ db: Database, _ window: CreatedWindow) throws -> [Int64: Statistics.Durations] {
        let filter = present + window.condition(prefix: " AND ")
        var figures: [Int64: Statistics.Durations] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT \(staffColumn), count(*) FROM ticket WHERE \(filter) AND \(staffColumn) IS NOT NULL GROUP BY \(staffColumn)
            """, arguments: window.arguments) {
            let staff: Int64 = row[0]
            figures[staff] = try durations(count: row[1]) { rank in
                try Double.fetchOne(db, sql: """
                    SELECT max(0, \(secondsColumn)) FROM ticket WHERE \(staffColumn) = ? AND \(filter)
                    ORDER BY \(secondsColumn) LIMIT 1 OFFSET ?
                    """, arguments: [staff] + window.arguments + [rank])
            }
        }
        return figures
    }

    private func durations(count: Int, valueAt: (Int) throws -> Double?) throws -> Statistics.Durations? {
        guard count > 0 else { return nil }
        let ranks = Statistics.Durations.ranks(count: count)
        let low = try valueAt(ranks.medianLow) ?? 0
        let high = ranks.medianHigh == ranks.medianLow ? low : try valueAt(ranks.medianHigh) ?? 0
        let p90 = try valueAt(ranks.p90) ?? 0
        return Statistics.Durations(count: count, median: (low + high) / 2, p90: p90)
    }
}
