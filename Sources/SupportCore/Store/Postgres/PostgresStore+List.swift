import Foundation

/// `ticket list` on PostgreSQL: the same filters, search, orders and pages as SQLite's
/// (`AppDatabase.tickets(matching:)`), each filter a condition on `ticket`, the search a match
/// on the ticket's document for the reader (a requester's `search_public`, staff's
/// `search_staff`: a requester's search never reads internal notes), so PostgreSQL's planner
/// picks the index, as it does for `psql` asking the same.
extension PostgresStore {
    func tickets(matching filter: TicketFilter, includeInternal: Bool) throws(SupportError) -> TicketPage {
        let q = filter.query
        guard let list = Self.listSQL(for: filter) else {
            return TicketPage(tickets: [], total: 0, page: q.page, limit: q.limit)
        }
        return try read { tx in
            let total = Int(try Self.talliedTotal(tx, filter) ?? tx.value(list.countSQL, binds: list.countBinds)?.int ?? 0)
            // Past the last hit there is no page to read: a search that matches nothing must not
            // walk an index of every ticket looking for one (below).
            guard total > (q.page - 1) * q.limit else { return TicketPage(tickets: [], total: total, page: q.page, limit: q.limit) }
            let pageSQL = q.search != nil && total <= Self.fewHits ? list.fewHitsPageSQL : list.pageSQL
            var tickets = try tx.rows(pageSQL, binds: list.pageBinds).map { try Self.ticket(from: $0) }
            let attachments = try Self.fetchAttachments(tx, ticketIDs: tickets.map(\.id), includeInternal: includeInternal)
            for index in tickets.indices { tickets[index].attachments = attachments[tickets[index].id] ?? [] }
            return TicketPage(tickets: tickets, total: total, page: q.page, limit: q.limit)
        }
    }

    /// The total from `ticket_tally` when only status, priority and category filter the list (as
    /// SQLite's `talliedTotal`): a count of every open ticket would read a quarter of the table.
    static func talliedTotal(_ tx: PostgresTransaction, _ filter: TicketFilter) throws -> Int64? {
        let q = filter.query
        guard filter.submittedBy == nil, filter.assignedTo == nil, q.since == nil, q.until == nil, q.search == nil else { return nil }
        var binds = PostgresBinds()
        let conditions = valueConditions(q, table: "", &binds)
        let whereSQL = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try tx.value("SELECT coalesce(sum(tickets), 0)::bigint FROM ticket_tally" + whereSQL, binds: binds.values)?.int
    }

    static func valueConditions(_ q: TicketQuery, table: String, _ binds: inout PostgresBinds) -> [String] {
        var conditions: [String] = []
        if !q.statuses.isEmpty {
            conditions.append("\(table)status IN (\(binds.list(q.statuses.map { .int(Int64($0.rawValue)) })))")
        }
        if !q.priorities.isEmpty {
            conditions.append("\(table)priority IN (\(binds.list(q.priorities.map { .int(Int64($0.rawValue)) })))")
        }
        if !q.categories.isEmpty {
            conditions.append("\(table)category IN (\(binds.list(q.categories.map { .text($0.rawValue) })))")
        }
        return conditions
    }

    /// The document a search reads: staff's when the filter may look into internal notes.
    static func searchColumn(_ filter: TicketFilter) -> String {
        filter.searchesInternalNotes ? "t.search_staff" : "t.search_public"
    }

    /// Every filter of the list as conditions on `ticket t`, and the search's tsquery (nil
    /// without a search); nil when nothing can match (a search text without a word).
    static func conditions(_ filter: TicketFilter, _ binds: inout PostgresBinds) -> (conditions: [String], query: String?)? {
        let q = filter.query
        var conditions: [String] = []
        if let submittedBy = filter.submittedBy {
            conditions.append("t.submittedBy = \(binds.add(.int(submittedBy)))")
        }
        conditions += valueConditions(q, table: "t.", &binds)
        switch filter.assignedTo {
        case .none: break
        case .some(.none): conditions.append("t.assignedTo IS NULL")
        case .some(.some(let id)): conditions.append("t.assignedTo = \(binds.add(.int(id)))")
        }
        if let since = q.since { conditions.append("t.createdAt >= \(binds.add(.timestamp(since)))") }
        if let until = q.until { conditions.append("t.createdAt < \(binds.add(.timestamp(until)))") }
        var query: String?
        if let search = q.search {
            // The words as SQLite's search takes them, made tokens by SQLite's tokenizer
            // (`PostgresSearchText.query`): a literal, so no syntax in the text is interpreted.
            guard let words = PostgresSearchText.query(search) else { return nil }
            let tsquery = "\(binds.add(.text(words)))::tsquery"
            conditions.append("\(searchColumn(filter)) @@ \(tsquery)")
            query = tsquery
        }
        return (conditions, query)
    }

    /// A search with at most this many hits reads them all and sorts them. PostgreSQL's planner
    /// guesses a word's hits from its statistics, and for a word it has no figure for (a rare
    /// one) it guesses thousands, walks the list's order index newest first and tests every
    /// ticket against the search: at 1,000,000 tickets a word in 3 of them took 2.5 s that way
    /// (`psql` the same), the hits read from the GIN index and sorted under a millisecond
    /// (docs/benchmarks.md). The count, made first, says which case a search is.
    static let fewHits = 2_000

    static func listSQL(for filter: TicketFilter) -> (countSQL: String, countBinds: [PostgresValue], pageSQL: String,
                                                      fewHitsPageSQL: String, pageBinds: [PostgresValue])? {
        let q = filter.query
        var binds = PostgresBinds()
        guard let (conditions, query) = conditions(filter, &binds) else { return nil }
        let whereSQL = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let countBinds = binds.values
        var order = orderClause(q.sort, reverse: q.reverse)
        if q.sort == .relevance, let query {
            // ts_rank's default weights make a word in the subject (weight A, 1.0) count ten
            // times one in the text or the notes (D, 0.1), as SQLite's bm25 weights do.
            let direction = q.reverse ? "ASC" : "DESC"
            order = " ORDER BY ts_rank(\(searchColumn(filter)), \(query)) \(direction)" + orderClause(.created, reverse: q.reverse)
                .replacingOccurrences(of: " ORDER BY", with: ",")
        }
        let limit = binds.add(.int(Int64(q.limit)))
        let offset = binds.add(.int(Int64((q.page - 1) * q.limit)))
        let page = order + " LIMIT \(limit) OFFSET \(offset)"
        return ("SELECT count(*) FROM ticket t" + whereSQL, countBinds,
                ticketSelect + whereSQL + page,
                "WITH hits AS MATERIALIZED (SELECT t.id FROM ticket t\(whereSQL)) " + ticketSelect + " WHERE t.id IN (SELECT id FROM hits)" + page,
                binds.values)
    }

    static func orderClause(_ sort: TicketSort, reverse: Bool) -> String {
        AppDatabase.orderClause(sort, reverse: reverse)
    }
}
