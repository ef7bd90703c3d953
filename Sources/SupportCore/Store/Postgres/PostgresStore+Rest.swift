import Foundation

/// The audit trail on PostgreSQL.
extension PostgresStore {
    static func auditWhereClause(_ filter: AuditFilter, _ binds: inout PostgresBinds) -> String {
        let q = filter.query
        var conditions: [String] = []
        if let number = q.ticketNumber { conditions.append("e.ticketNumber = \(binds.add(.text(number.description)))") }
        if let actorID = filter.actorID { conditions.append("e.actorID = \(binds.add(.int(actorID)))") }
        let actions = AppDatabase.distinct(q.actions)
        if !actions.isEmpty { conditions.append("e.action IN (\(binds.list(actions.map { .text($0.rawValue) })))") }
        if let since = q.since { conditions.append("e.createdAt >= \(binds.add(.timestamp(since)))") }
        if let until = q.until { conditions.append("e.createdAt < \(binds.add(.timestamp(until)))") }
        return conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    func auditEvents(matching filter: AuditFilter) throws(SupportError) -> AuditPage {
        try read { tx in
            var binds = PostgresBinds()
            let whereSQL = Self.auditWhereClause(filter, &binds)
            let total = Int(try tx.value("SELECT count(*) FROM audit_event e" + whereSQL, binds: binds.values)?.int ?? 0)
            let q = filter.query
            let limit = binds.add(.int(Int64(q.limit)))
            let offset = binds.add(.int(Int64((q.page - 1) * q.limit)))
            let events = try tx.rows(Self.auditSelect + whereSQL + " ORDER BY e.createdAt DESC, e.id DESC LIMIT \(limit) OFFSET \(offset)",
                                     binds: binds.values).map { try Self.auditEvent(from: $0) }
            return AuditPage(events: events, total: total, page: q.page, limit: q.limit)
        }
    }

    func deletedTickets(matching filter: AuditFilter) throws(SupportError) -> [String] {
        var filter = filter
        filter.query.actions = [.ticketDeleted]
        return try read { tx in
            var binds = PostgresBinds()
            let whereSQL = Self.auditWhereClause(filter, &binds)
            let rows = try tx.rows("SELECT e.ticketNumber, e.deletedTicket FROM audit_event e" + whereSQL
                                   + " AND e.deletedTicket IS NOT NULL ORDER BY e.createdAt, e.id", binds: binds.values)
            var latest: [String: Int] = [:]
            for (index, row) in rows.enumerated() { latest[row.optionalText(0) ?? ""] = index }
            return try rows.enumerated().filter { latest[$0.element.optionalText(0) ?? ""] == $0.offset }.map { try $0.element.text(1) }
        }
    }

    func withMailBatchCache<T>(_ body: () throws(SupportError) -> T) throws(SupportError) -> T {
        try body()
    }
}

extension PostgresStore: DeskStore {}
