import Foundation
import GRDB

extension AppDatabase {
    /// Figures for tickets created in [since, until). For all time, or a window holding a quarter
    /// of the tickets or more, every figure is computed inside SQLite from an index or the tally
    /// table (migration v6-stats): nothing is fetched per ticket, the time is a few index walks
    /// and the memory does not grow with the number of tickets. A narrower window is read row by
    /// row from a range of the createdAt index.
    func statistics(since: Date?, until: Date?, zone: LocalZone = .utc) throws(SupportError) -> Statistics {
        try read { db in
            var stats = Statistics()
            stats.since = since
            stats.until = until
            let window = CreatedWindow(since: since, until: until)

            // First public reply by staff on each ticket, credited to whoever wrote it; resolution
            // time credited to the assignee.
            let firstByStaff: [Int64: Statistics.Durations]
            let resolvedByStaff: [Int64: Statistics.Durations]
            if try Self.isNarrow(db, window) {
                (firstByStaff, resolvedByStaff) = try Self.figuresFromRows(db, window, into: &stats)
            } else {
                try Self.volume(db, window, into: &stats)
                let firstResponse = DurationIndex(staffColumn: "firstResponderID", secondsColumn: "firstResponseSeconds",
                                                  present: "firstResponseSeconds IS NOT NULL")
                let resolution = DurationIndex(staffColumn: "assignedTo", secondsColumn: "resolutionSeconds",
                                               present: "resolutionSeconds IS NOT NULL")
                (stats.firstResponse, firstByStaff) = try firstResponse.figures(db, window)
                (stats.resolution, resolvedByStaff) = try resolution.figures(db, window)
            }
            let staffIDs = Array(Set(firstByStaff.keys).union(resolvedByStaff.keys))
            if !staffIDs.isEmpty {
                let rows = try Row.fetchAll(db, sql: "SELECT id, email, name, role FROM user WHERE id IN (\(databaseQuestionMarks(count: staffIDs.count)))",
                                            arguments: StatementArguments(staffIDs))
                stats.staff = rows.map { row -> Statistics.StaffFigures in
                    let id: Int64 = row[0]
                    return Statistics.StaffFigures(person: Person(email: row[1], name: row[2], role: Role(rawValue: row[3]) ?? .internal),
                                                   firstResponse: firstByStaff[id], resolution: resolvedByStaff[id])
                }.sorted { $0.person.email < $1.person.email }
            }

            // Open and in-progress tickets by age: four ranges of the (status, createdAt) index,
            // each ticket visited once. (One pass with four `count(*) FILTER (WHERE createdAt …)`
            // compared every row four times, each converting the date text as DATETIME affinity
            // asks: 40 million instructions at 100,000 tickets.)
            let now = try db.transactionDate
            let edges = Self.backlogAges(now: now)
            // The window selects the open tickets created in it (still one range per age: the
            // later of the two lower bounds, the earlier of the two upper ones).
            for (label, from, to) in edges {
                let age = CreatedWindow(since: [from, since].compactMap { $0 }.max(), until: [to, until].compactMap { $0 }.min())
                let sql = "SELECT count(*) FROM ticket WHERE status IN (0, 1)" + age.condition(prefix: " AND ")
                stats.backlog.append((label, try Int.fetchOne(db, sql: sql, arguments: age.arguments) ?? 0))
            }

            try Self.volume(db, since: since, until: until, now: now, zone: zone, into: &stats)

            // Mail written in the window (queued then, whenever it was sent).
            let mailWhere = window.condition(prefix: " WHERE ")
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM outbox\(mailWhere) GROUP BY status",
                                        arguments: window.arguments) {
                switch row[0] as String {
                case "sent": stats.mail.sent = row[1]
                case "failed": stats.mail.failed = row[1]
                default: stats.mail.pending += row[1] as Int
                }
            }
            stats.mail.retried = try Int.fetchOne(db, sql: """
                SELECT count(DISTINCT outboxID) FROM outbox_attempt WHERE outcome = 'retry'
                """ + (mailWhere.isEmpty ? "" : " AND outboxID IN (SELECT id FROM outbox\(mailWhere))"), arguments: window.arguments) ?? 0
            return stats
        }
    }

    /// Tickets opened and resolved per day (a window of up to 60 days) or per week (a longer one,
    /// several weeks a line when there would be over 60), from the local midnight of the window's
    /// start (its first ticket without --since) to its end (now without --until): two grouped
    /// counts, nothing fetched per ticket.
    static func volume(_ db: Database, since: Date?, until: Date?, now: Date, zone: LocalZone, into stats: inout Statistics) throws {
        guard let first = try since ?? Date.fetchOne(db, sql: "SELECT min(createdAt) FROM ticket"),
              let (start, end, width, count) = volumePeriods(first: first, end: until ?? now, zone: zone, into: &stats)
        else { return }
        for (column, isOpened) in [("createdAt", true), ("resolvedAt", false)] {
            let rows = try Row.fetchAll(db, sql: """
                SELECT CAST((julianday(\(column)) - julianday(?)) * 86400 / ? AS INTEGER), count(*) FROM ticket
                WHERE \(column) >= ? AND \(column) < ? GROUP BY 1
                """, arguments: [start, width, start, end])
            for row in rows {
                let index: Int = row[0]
                guard index >= 0, index < count else { continue }
                if isOpened { stats.volume[index].opened += row[1] as Int } else { stats.volume[index].resolved += row[1] as Int }
            }
        }
    }

    /// Whether the window holds few enough tickets (under a quarter) that reading them is cheaper
    /// than walking whole indexes: `--since 30d` on three years of tickets walked a million index
    /// entries four times to count 30,000 tickets. The count is a range of the createdAt index.
    /// The periods of the volume chart, either engine: from the local midnight of `first` to
    /// `end`, a day each up to 60 days, else weeks (several a period past 60 weeks). Sets
    /// `volumeDays` and empty periods on `stats`; nil when the window is empty.
    static func volumePeriods(first: Date, end: Date, zone: LocalZone, into stats: inout Statistics)
        -> (start: Date, end: Date, width: TimeInterval, count: Int)? {
        let wall = zone.civil(first)
        let start = zone.instant(wallMilliseconds: Int64(CivilDate(year: wall.year, month: wall.month, day: wall.day).daysSince1970) * 86_400_000)
        guard start < end else { return nil }
        let day: TimeInterval = 86_400
        let span = end.timeIntervalSince(start)
        let days = span <= 60 * day ? 1 : 7 * Int((span / (60 * 7 * day)).rounded(.up))
        let width = Double(days) * day
        let count = Int((span / width).rounded(.up))
        stats.volumeDays = days
        stats.volume = (0..<count).map { (start.addingTimeInterval(Double($0) * width), 0, 0) }
        return (start, end, width, count)
    }

    /// The backlog's age ranges at `now`: (label, created since, created before).
    static func backlogAges(now: Date) -> [(String, Date?, Date?)] {
        let day: TimeInterval = 86_400
        return [
            ("< 1 day", now.addingTimeInterval(-day), nil),
            ("1-7 days", now.addingTimeInterval(-7 * day), now.addingTimeInterval(-day)),
            ("7-30 days", now.addingTimeInterval(-30 * day), now.addingTimeInterval(-7 * day)),
            ("> 30 days", nil, now.addingTimeInterval(-30 * day)),
        ]
    }

    private static func isNarrow(_ db: Database, _ window: CreatedWindow) throws -> Bool {
        guard !window.isEmpty else { return false }
        let all = try Int.fetchOne(db, sql: "SELECT coalesce(sum(tickets), 0) FROM ticket_tally") ?? 0
        let inWindow = try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket" + window.condition(prefix: " WHERE "),
                                        arguments: window.arguments) ?? 0
        return inWindow * 4 < all
    }

    /// Every figure but the backlog and the mail from the window's own rows, read in one range of
    /// the createdAt index; the durations sorted in memory (a quarter of the tickets at most).
    private static func figuresFromRows(_ db: Database, _ window: CreatedWindow, into stats: inout Statistics) throws
        -> (firstResponse: [Int64: Statistics.Durations], resolution: [Int64: Statistics.Durations]) {
        var categories: [String: Int] = [:], priorities: [Int: Int] = [:], statuses: [Int: Int] = [:]
        var first: [Double] = [], resolved: [Double] = []
        var firstBy: [Int64: [Double]] = [:], resolvedBy: [Int64: [Double]] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT category, priority, status, firstResponderID, firstResponseSeconds, assignedTo, resolutionSeconds
            FROM ticket\(window.condition(prefix: " WHERE "))
            """, arguments: window.arguments)
        while let row = try rows.next() {
            categories[row[0], default: 0] += 1
            priorities[row[1], default: 0] += 1
            statuses[row[2], default: 0] += 1
            if let seconds: Double = row[4] {
                first.append(max(0, seconds))
                if let staff: Int64 = row[3] { firstBy[staff, default: []].append(max(0, seconds)) }
            }
            if let seconds: Double = row[6] {
                resolved.append(max(0, seconds))
                if let staff: Int64 = row[5] { resolvedBy[staff, default: []].append(max(0, seconds)) }
            }
        }
        setVolume(categories, priorities, statuses, into: &stats)
        stats.firstResponse = Statistics.Durations(first)
        stats.resolution = Statistics.Durations(resolved)
        return (firstBy.compactMapValues(Statistics.Durations.init), resolvedBy.compactMapValues(Statistics.Durations.init))
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
            // Each a walk of the covering (category|priority|status, createdAt) index; `+createdAt`
            // compares the stored text as text (see DurationIndex).
            let filter = window.condition(prefix: " WHERE ", column: "+createdAt")
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
        setVolume(categories, priorities, statuses, into: &stats)
    }

    private static func setVolume(_ categories: [String: Int], _ priorities: [Int: Int], _ statuses: [Int: Int],
                                  into stats: inout Statistics) {
        stats.byCategory = TicketCategory.allCases.map { ($0, categories[$0.rawValue] ?? 0) }
        stats.byPriority = TicketPriority.allCases.map { ($0, priorities[$0.rawValue] ?? 0) }
        stats.byStatus = TicketStatus.allCases.map { ($0, statuses[$0.rawValue] ?? 0) }
        stats.total = stats.byStatus.reduce(0) { $0 + $1.1 }
        stats.resolvedCount = (statuses[TicketStatus.resolved.rawValue] ?? 0) + (statuses[TicketStatus.closed.rawValue] ?? 0)
    }
}
