import GRDB

/// A duration column of `ticket` with its two partial indexes, (staff, seconds, createdAt) and
/// (seconds, createdAt): a median or 90th percentile is read at its rank with `LIMIT … OFFSET`,
/// walking the index in order from whichever end is nearer, and never sorting.
struct DurationIndex {
    var staffColumn: String
    var secondsColumn: String
    /// The partial indexes' WHERE clause, repeated so that SQLite may use them.
    var present: String

    /// The figures over everyone, and per staff member.
    func figures(_ db: Database, _ window: CreatedWindow) throws -> (Statistics.Durations?, [Int64: Statistics.Durations]) {
        // `+createdAt`: no affinity, so the stored text is compared as text. With the column's
        // DATETIME (numeric) affinity, SQLite tried to read every row's date as a number first.
        let filter = present + window.condition(prefix: " AND ", column: "+createdAt")
        // One walk of the per-staff index counts everyone (NULL: resolved while unassigned).
        var counts: [(Int64?, Int)] = []
        for row in try Row.fetchAll(db, sql: """
            SELECT \(staffColumn), count(*) FROM ticket WHERE \(filter) GROUP BY \(staffColumn)
            """, arguments: window.arguments) {
            counts.append((row[0], row[1]))
        }
        let overall = try durations(count: counts.reduce(0) { $0 + $1.1 }) { offset, limit, descending in
            try Double.fetchAll(db, sql: """
                SELECT max(0, \(secondsColumn)) FROM ticket WHERE \(filter)
                ORDER BY \(secondsColumn)\(descending ? " DESC" : "") LIMIT ? OFFSET ?
                """, arguments: window.arguments + [limit, offset])
        }
        var perStaff: [Int64: Statistics.Durations] = [:]
        for case let (staff?, count) in counts {
            perStaff[staff] = try durations(count: count) { offset, limit, descending in
                try Double.fetchAll(db, sql: """
                    SELECT max(0, \(secondsColumn)) FROM ticket WHERE \(staffColumn) = ? AND \(filter)
                    ORDER BY \(secondsColumn)\(descending ? " DESC" : "") LIMIT ? OFFSET ?
                    """, arguments: [staff] + window.arguments + [limit, offset])
            }
        }
        return (overall, perStaff)
    }

    /// `values(offset, limit, descending)` reads `limit` values from `offset` in that order.
    private func durations(count: Int, values: (Int, Int, Bool) throws -> [Double]) throws -> Statistics.Durations? {
        guard count > 0 else { return nil }
        let ranks = Statistics.Durations.ranks(count: count)
        let middle = try values(ranks.medianLow, ranks.medianHigh - ranks.medianLow + 1, false)
        let p90 = ranks.p90 >= count / 2
            ? try values(count - 1 - ranks.p90, 1, true)
            : try values(ranks.p90, 1, false)
        guard let low = middle.first, let high = middle.last, let p90 = p90.first else {
            // The counts and the values come from one read transaction: they agree.
            throw SupportError.internalError("statistics: an index held fewer durations than it counted")
        }
        return Statistics.Durations(count: count, median: (low + high) / 2, p90: p90)
    }
}
