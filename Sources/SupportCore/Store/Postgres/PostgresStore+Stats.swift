import Foundation

/// `support stats` on PostgreSQL: the figures of `AppDatabase.statistics`, each computed by the
/// database (counts grouped, durations picked at their ranks from the index in order), so no
/// ticket row crosses the connection.
extension PostgresStore {
    func statistics(since: Date?, until: Date?, zone: LocalZone) throws(SupportError) -> Statistics {
        try read { tx in
            var stats = Statistics()
            stats.since = since
            stats.until = until
            var windowBinds = PostgresBinds()
            let window = Self.windowCondition(since: since, until: until, &windowBinds)

            var categories: [String: Int] = [:], priorities: [Int: Int] = [:], statuses: [Int: Int] = [:]
            let counts = window.isEmpty
                ? try tx.rows("SELECT category, priority, status, tickets FROM ticket_tally")
                : try tx.rows("SELECT category, priority, status, count(*) FROM ticket WHERE \(window) GROUP BY 1, 2, 3",
                              binds: windowBinds.values)
            for row in counts {
                let n = Int(try row.int(3))
                categories[try row.text(0), default: 0] += n
                priorities[Int(try row.int(1)), default: 0] += n
                statuses[Int(try row.int(2)), default: 0] += n
            }
            stats.byCategory = TicketCategory.allCases.map { ($0, categories[$0.rawValue] ?? 0) }
            stats.byPriority = TicketPriority.allCases.map { ($0, priorities[$0.rawValue] ?? 0) }
            stats.byStatus = TicketStatus.allCases.map { ($0, statuses[$0.rawValue] ?? 0) }
            stats.total = stats.byStatus.reduce(0) { $0 + $1.1 }
            stats.resolvedCount = (statuses[TicketStatus.resolved.rawValue] ?? 0) + (statuses[TicketStatus.closed.rawValue] ?? 0)

            let (firstResponse, firstByStaff) = try Self.durations(tx, seconds: "firstResponseSeconds", staff: "firstResponderID",
                                                                   window: window, windowBinds.values)
            let (resolution, resolvedByStaff) = try Self.durations(tx, seconds: "resolutionSeconds", staff: "assignedTo",
                                                                   window: window, windowBinds.values)
            stats.firstResponse = firstResponse
            stats.resolution = resolution
            let staffIDs = Array(Set(firstByStaff.keys).union(resolvedByStaff.keys))
            if !staffIDs.isEmpty {
                var binds = PostgresBinds()
                let list = binds.list(staffIDs.map(PostgresValue.int))
                stats.staff = try tx.rows("SELECT id, email, name, role FROM desk_user WHERE id IN (\(list))", binds: binds.values).map { row in
                    let id = try row.int(0)
                    return Statistics.StaffFigures(person: Person(email: try row.text(1), name: try row.text(2),
                                                                  role: Role(rawValue: try row.text(3)) ?? .internal),
                                                   firstResponse: firstByStaff[id], resolution: resolvedByStaff[id])
                }.sorted { $0.person.email < $1.person.email }
            }

            let now = tx.now
            for (label, from, to) in AppDatabase.backlogAges(now: now) {
                var binds = PostgresBinds()
                let age = Self.windowCondition(since: [from, since].compactMap { $0 }.max(), until: [to, until].compactMap { $0 }.min(), &binds)
                let count = try tx.value("SELECT count(*) FROM ticket WHERE status IN (0, 1)" + (age.isEmpty ? "" : " AND " + age),
                                         binds: binds.values)?.int ?? 0
                stats.backlog.append((label, Int(count)))
            }

            try Self.volume(tx, since: since, until: until, now: now, zone: zone, into: &stats)

            let mailWhere = window.isEmpty ? "" : " WHERE " + window
            for row in try tx.rows("SELECT status, count(*) FROM outbox\(mailWhere) GROUP BY status", binds: windowBinds.values) {
                let n = Int(try row.int(1))
                switch try row.text(0) {
                case "sent": stats.mail.sent = n
                case "failed": stats.mail.failed = n
                default: stats.mail.pending += n
                }
            }
            stats.mail.retried = Int(try tx.value("SELECT count(DISTINCT outboxID) FROM outbox_attempt WHERE outcome = 'retry'"
                                                  + (mailWhere.isEmpty ? "" : " AND outboxID IN (SELECT id FROM outbox\(mailWhere))"),
                                                  binds: windowBinds.values)?.int ?? 0)
            return stats
        }
    }

    /// `createdAt >= since AND createdAt < until`, as far as they are given; "" for neither.
    static func windowCondition(since: Date?, until: Date?, _ binds: inout PostgresBinds) -> String {
        var parts: [String] = []
        if let since { parts.append("createdAt >= \(binds.add(.timestamp(since)))") }
        if let until { parts.append("createdAt < \(binds.add(.timestamp(until)))") }
        return parts.joined(separator: " AND ")
    }

    /// Median and 90th percentile of a duration column, overall and per staff member: the
    /// counts grouped, then each rank's value read with OFFSET in the column's order (the ranks
    /// are `Statistics.Durations.ranks`, the same as SQLite's).
    static func durations(_ tx: PostgresTransaction, seconds: String, staff: String, window: String, _ windowValues: [PostgresValue]) throws
        -> (Statistics.Durations?, [Int64: Statistics.Durations]) {
        let filter = "\(seconds) IS NOT NULL" + (window.isEmpty ? "" : " AND " + window)
        func figures(count: Int, extra: String, _ extraValue: PostgresValue?) throws -> Statistics.Durations? {
            guard count > 0 else { return nil }
            let ranks = Statistics.Durations.ranks(count: count)
            func value(at rank: Int) throws -> Double {
                var binds = windowValues
                var sql = "SELECT greatest(0, \(seconds)) FROM ticket WHERE \(filter)"
                if let extraValue {
                    binds.append(extraValue)
                    sql += " AND \(extra) = $\(binds.count)"
                }
                binds.append(.int(Int64(rank)))
                sql += " ORDER BY \(seconds) OFFSET $\(binds.count) LIMIT 1"
                return try tx.value(sql, binds: binds)?.double ?? 0
            }
            let low = try value(at: ranks.medianLow)
            let high = ranks.medianHigh == ranks.medianLow ? low : try value(at: ranks.medianHigh)
            return Statistics.Durations(count: count, median: (low + high) / 2, p90: try value(at: ranks.p90))
        }
        let total = Int(try tx.value("SELECT count(*) FROM ticket WHERE \(filter)", binds: windowValues)?.int ?? 0)
        let overall = try figures(count: total, extra: "", nil)
        var byStaff: [Int64: Statistics.Durations] = [:]
        for row in try tx.rows("SELECT \(staff), count(*) FROM ticket WHERE \(filter) AND \(staff) IS NOT NULL GROUP BY 1", binds: windowValues) {
            let id = try row.int(0)
            byStaff[id] = try figures(count: Int(try row.int(1)), extra: staff, .int(id))
        }
        return (overall, byStaff)
    }

    /// Tickets opened and resolved per period across the window (`AppDatabase.volume`'s rule
    /// for the periods: days up to 60 days, else weeks).
    static func volume(_ tx: PostgresTransaction, since: Date?, until: Date?, now: Date, zone: LocalZone,
                       into stats: inout Statistics) throws {
        guard let first = try since ?? tx.value("SELECT min(createdAt) FROM ticket")?.date,
              let (start, end, width, count) = AppDatabase.volumePeriods(first: first, end: until ?? now, zone: zone, into: &stats)
        else { return }
        for (column, isOpened) in [("createdAt", true), ("resolvedAt", false)] {
            let rows = try tx.rows("""
                SELECT floor(extract(epoch FROM (\(column) - $1)) / $2)::bigint, count(*) FROM ticket
                WHERE \(column) >= $1 AND \(column) < $3 GROUP BY 1
                """, .timestamp(start), .double(width), .timestamp(end))
            for row in rows {
                let index = Int(try row.int(0))
                guard index >= 0, index < count else { continue }
                if isOpened { stats.volume[index].opened += Int(try row.int(1)) } else { stats.volume[index].resolved += Int(try row.int(1)) }
            }
        }
    }
}
