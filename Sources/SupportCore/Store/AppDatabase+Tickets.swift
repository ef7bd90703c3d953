import Foundation
import GRDB

/// A validated ticket ready to be written.
struct TicketDraft: Sendable {
    var subject: String
    var message: String
    var category: TicketCategory
    var priority: TicketPriority
    var requester: PersonReference
    /// A staff member's user id, already checked.
    var assigneeID: Int64? = nil
}

/// A validated change ready to be written (assignee already resolved to a user id).
struct TicketUpdate: Sendable {
    var subject: String?
    var message: String?
    var category: TicketCategory?
    var priority: TicketPriority?
    var status: TicketStatus?
    /// `.some(nil)` unassigns.
    var assignedTo: Int64??

    /// True when every field given already has that value (the ticket's assignee is `assigneeID`).
    func changesNothing(of ticket: Ticket, assigneeID: Int64?) -> Bool {
        (subject.map { $0 == ticket.subject } ?? true)
            && (message.map { $0 == ticket.message } ?? true)
            && (category.map { $0 == ticket.category } ?? true)
            && (priority.map { $0 == ticket.priority } ?? true)
            && (status.map { $0 == ticket.status } ?? true)
            && (assignedTo.map { $0 == assigneeID } ?? true)
    }
}

/// A ticket list request with people already resolved to ids.
struct TicketFilter: Sendable {
    var query: TicketQuery
    var submittedBy: Int64?
    /// `.some(nil)`: unassigned tickets only.
    var assignedTo: Int64??
    /// Whether search looks into internal notes (staff only).
    var searchesInternalNotes = false
}

/// Writes the mail a change causes, inside the change's transaction: given the ticket after the
/// change, the settings and the transaction's time, the messages to put in the outbox.
typealias MailPlan = (Ticket, [SettingKey: String], Date, MessageIDSigner) -> [OutboxDraft]

extension AppDatabase {
    static func enqueueMail(_ db: Database, _ plan: MailPlan?, for ticket: Ticket) throws {
        guard let plan else { return }
        try enqueue(db, plan(ticket, try fetchSettings(db), try db.transactionDate, try messageIDSigner(db)))
    }

    static let ticketColumns = """
        SELECT t.id, t.ticketNumber, t.subject, t.message, t.category, t.priority, t.status,
               s.email, s.name, s.role, a.email, a.name, a.role,
               t.createdAt, t.updatedAt, t.resolvedAt, t.closedAt
        """
    static let ticketPeople = """

        JOIN user s ON s.id = t.submittedBy
        LEFT JOIN user a ON a.id = t.assignedTo
        """
    static let ticketSelect = ticketColumns + "\nFROM ticket t" + ticketPeople

    static func ticket(from row: Row) throws -> Ticket {
        let assigned: Person?
        if let email: String = row[10] {
            assigned = Person(email: email, name: row[11], role: Role(rawValue: row[12]) ?? .user)
        } else {
            assigned = nil
        }
        guard let number = try? TicketNumber.parse(row[1]),
              let category = TicketCategory(rawValue: row[4]),
              let priority = TicketPriority(rawValue: row[5]),
              let status = TicketStatus(rawValue: row[6])
        else {
            // A damaged file (ReliabilityDatabaseFaultTests) more often than a newer version: say what to do.
            throw SupportError.storage(Wording("the database holds a ticket this version cannot read (id \(row[0] as Int64)): "
                + "the file may be corrupt; check it with sqlite3 'PRAGMA integrity_check' and restore it from a backup"))
        }
        return Ticket(
            id: row[0], ticketNumber: number, subject: row[2], message: row[3],
            category: category, priority: priority, status: status,
            submittedBy: Person(email: row[7], name: row[8], role: Role(rawValue: row[9]) ?? .user),
            assignedTo: assigned, createdAt: try storedDate(row, 13), updatedAt: try storedDate(row, 14),
            resolvedAt: try storedDate(row, 15, optional: true), closedAt: try storedDate(row, 16, optional: true))
    }

    // MARK: Reading

    /// A ticket by number; `withResponses: false` leaves its replies out (a permission check or
    /// a change that needs only the ticket's own fields: a ticket may have hundreds of replies).
    func ticket(number: TicketNumber, withResponses: Bool = true) throws(SupportError) -> Ticket? {
        try read { db in try Self.fetchTicket(db, number: number, withResponses: withResponses) }
    }

    static func fetchTicket(_ db: Database, number: TicketNumber, withResponses: Bool = true) throws -> Ticket? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: ticketSelect + " WHERE t.ticketNumber = ?"),
                                         arguments: [number.description]) else {
            return nil
        }
        var ticket = try ticket(from: row)
        if withResponses {
            ticket.responses = try fetchResponses(db, ticketIDs: [ticket.id])[ticket.id] ?? []
            ticket.attachments = try fetchAttachments(db, ticketIDs: [ticket.id])[ticket.id] ?? []
        }
        return ticket
    }

    static func fetchResponses(_ db: Database, ticketIDs: [Int64], includeInternal: Bool = true) throws -> [Int64: [TicketResponse]] {
        guard !ticketIDs.isEmpty else { return [:] }
        let marks = databaseQuestionMarks(count: ticketIDs.count)
        let sql = responseSelect + """
             WHERE r.ticketId IN (\(marks))\(includeInternal ? "" : " AND r.isInternal = 0")
            ORDER BY r.ticketId, r.createdAt, r.id
            """
        var result: [Int64: [TicketResponse]] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(ticketIDs)) {
            let (ticketID, response) = try response(from: row)
            result[ticketID, default: []].append(response)
        }
        return result
    }

    func tickets(matching filter: TicketFilter, includeInternal: Bool) throws(SupportError) -> TicketPage {
        try tickets(matching: filter, includeInternal: includeInternal, plan: .costed)
    }

    /// `plan`: tests force either plan to compare them.
    func tickets(matching filter: TicketFilter, includeInternal: Bool, plan: ListPlan) throws(SupportError) -> TicketPage {
        try read { db in
            let searchingTailsOrNotes = try Self.searchReachesTailsOrNotes(db, filter)
            guard let list = Self.listSQL(for: filter, searchingTailsOrNotes: searchingTailsOrNotes) else {
                return TicketPage(tickets: [], total: 0, page: filter.query.page, limit: filter.query.limit)
            }
            let q = filter.query
            var knownTotal: Int?
            switch try Self.bitmapPage(db, filter, searchingTailsOrNotes: searchingTailsOrNotes, plan: plan) {
            case .page(let total, let ids):
                // The combinations no index serves (`bitmapPage`): the page's ids in order.
                var tickets = try Self.fetchTickets(db, ids: ids)
                let attachments = try Self.fetchAttachments(db, ticketIDs: ids, includeInternal: includeInternal)
                for index in tickets.indices { tickets[index].attachments = attachments[tickets[index].id] ?? [] }
                return TicketPage(tickets: tickets, total: total, page: q.page, limit: q.limit)
            case .todays(let total):
                knownTotal = total
            }
            let total = try knownTotal ?? Self.talliedTotal(db, filter) ?? Int.fetchOne(db, sql: list.countSQL, arguments: list.countArguments) ?? 0
            var page = (sql: list.pageSQL, arguments: list.pageArguments)
            if !list.pageSQL.contains("UNION ALL"), let ordered = Self.searchPageInIndexOrder(for: filter),
               try Self.indexOrderIsCheaper(db, filter, hits: total) {
                page = ordered
            }
            // A list without a search is one of few statements (its text varies only with which
            // filters are given and how many values each has, never with the values): kept
            // compiled per connection. Compiling the page, the total and the files again was 17 % of
            // the server's CPU on `GET /api/support/tickets?status=open` (perf, release, 1M tickets).
            let statement = q.search == nil ? try db.cachedStatement(sql: page.sql) : try db.makeStatement(sql: page.sql)
            // A list never loads replies (a page of tickets with 10,000 replies of 64 KiB took
            // 679 MB): `responses` is empty in a list; `ticket show` and `export` carry them. The
            // attachments' names and sizes are small and listed. Each row is read where it stands
            // (a cursor), not copied first.
            var tickets = try Array(Row.fetchCursor(statement, arguments: page.arguments).map(Self.ticket(from:)))
            let attachments = try Self.fetchAttachments(db, ticketIDs: tickets.map(\.id), includeInternal: includeInternal)
            for index in tickets.indices { tickets[index].attachments = attachments[tickets[index].id] ?? [] }
            return TicketPage(tickets: tickets, total: total, page: q.page, limit: q.limit)
        }
    }

    /// The tickets of `ids` (without replies, as a list shows them), in the order of `ids`.
    static func fetchTickets(_ db: Database, ids: [Int64]) throws -> [Ticket] {
        guard !ids.isEmpty else { return [] }
        var byID: [Int64: Ticket] = [:]
        for row in try Row.fetchAll(db, sql: ticketSelect + " WHERE t.id IN (\(databaseQuestionMarks(count: ids.count)))",
                                    arguments: StatementArguments(ids)) {
            let ticket = try ticket(from: row)
            byID[ticket.id] = ticket
        }
        return ids.compactMap { byID[$0] }
    }

    /// The pagination total from `ticket_tally` when only status, priority and category filter
    /// the list: a sum over at most 80 rows instead of counting every matching ticket in an index
    /// (all of them for a plain `ticket list`: 30 ms at a million). nil when another filter (or a
    /// requester's own view) applies.
    static func talliedTotal(_ db: Database, _ filter: TicketFilter) throws -> Int? {
        let q = filter.query
        guard filter.submittedBy == nil, filter.assignedTo == nil, q.since == nil, q.until == nil, q.search == nil else {
            return nil
        }
        var conditions: [String] = []
        var arguments = StatementArguments()
        valueConditions(q, table: "", into: &conditions, &arguments)
        let filterSQL = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(sum(tickets), 0) FROM ticket_tally" + filterSQL), arguments: arguments)
    }

    /// `status IN (…)`, `priority IN (…)`, `category IN (…)` for the values the query gives, on
    /// `ticket` (table "t.") or on `ticket_tally` (table ""), which share these columns.
    static func valueConditions(_ q: TicketQuery, table: String, into conditions: inout [String], _ arguments: inout StatementArguments) {
        if !q.statuses.isEmpty {
            conditions.append("\(table)status IN (\(databaseQuestionMarks(count: q.statuses.count)))")
            arguments += StatementArguments(q.statuses.map(\.rawValue))
        }
        if !q.priorities.isEmpty {
            conditions.append("\(table)priority IN (\(databaseQuestionMarks(count: q.priorities.count)))")
            arguments += StatementArguments(q.priorities.map(\.rawValue))
        }
        if !q.categories.isEmpty {
            conditions.append("\(table)category IN (\(databaseQuestionMarks(count: q.categories.count)))")
            arguments += StatementArguments(q.categories.map(\.rawValue))
        }
    }

    /// The two statements `tickets(matching:)` runs: the total, and one page of tickets. Separate
    /// so that tests can check their plans with EXPLAIN QUERY PLAN. nil when nothing can match.
    /// `searchingTailsOrNotes`: a search must also look at the tails of split tickets and, for
    /// staff, at internal notes (`searchReachesTailsOrNotes`).
    static func listSQL(for filter: TicketFilter, searchingTailsOrNotes: Bool = false)
        -> (countSQL: String, countArguments: StatementArguments, pageSQL: String, pageArguments: StatementArguments)? {
        if filter.query.search != nil { return searchSQL(for: filter, searchingTailsOrNotes: searchingTailsOrNotes) }
        guard let (whereSQL, arguments) = whereClause(filter) else { return nil }
        let q = filter.query
        var pageSQL = ticketSelect + whereSQL
        var pageArguments = arguments
        if let arms = mergeArms(filter) {
            // One SELECT per value, each read in order from its own index range, merged by
            // SQLite (MERGE (UNION ALL)) and stopped at the page: no temporary B-tree.
            var armSQL: [String] = []
            pageArguments = []
            for arm in arms {
                guard let (armWhere, armArguments) = whereClause(arm) else { return nil }
                armSQL.append(ticketSelect + armWhere)
                pageArguments += armArguments
            }
            pageSQL = armSQL.joined(separator: " UNION ALL ")
        }
        pageArguments += [q.limit, (q.page - 1) * q.limit]
        return ("SELECT count(*) FROM ticket t" + whereSQL, arguments,
                pageSQL + orderClause(q.sort, reverse: q.reverse) + " LIMIT ? OFFSET ?", pageArguments)
    }

    /// A filter with several values of status, priority or category, newest (or oldest) first,
    /// as one filter per value of one of them; nil when the plain query is as good.
    ///
    /// `status IN (a, b) ORDER BY createdAt` made SQLite gather every matching ticket and sort
    /// it in a temporary B-tree (60-200 ms at 100k tickets, whatever the page): the index
    /// (status, createdAt) is in order within one status only. Each value's range is in order,
    /// though, and a UNION ALL of them under the same ORDER BY is merged as it is read. The
    /// values of one column are disjoint (a ticket has one status), so the union holds every
    /// ticket once, in today's order. Not used when another filter is an equality
    /// (assignee, a single status, priority or category, a requester): SQLite then reads that
    /// filter's index in order already, and splitting made it pick a worse one (0.1 ms →
    /// 50 ms for a requester's `--priority high,critical`), with one exception: a requester's
    /// statuses, which (submittedBy, status, createdAt) serves part by part. Not used with a
    /// search either: each part would run the full-text query again.
    ///
    /// `--sort priority` with several statuses (and no other value filter, no requester) is split
    /// by status too: (status, priority, createdAt) holds each status's tickets in that order.
    /// `--sort status` with a requester or an assignee is split by status (every status when
    /// none is given): the merge of the ranges is the status order.
    static func mergeArms(_ filter: TicketFilter) -> [TicketFilter]? {
        let q = filter.query
        let statuses = distinct(q.statuses), priorities = distinct(q.priorities), categories = distinct(q.categories)
        /// One arm per value, the value set with `keyPath`.
        func split<T>(_ values: [T], _ keyPath: WritableKeyPath<TicketQuery, [T]>) -> [TicketFilter] {
            values.map { value in var arm = filter; arm.query[keyPath: keyPath] = [value]; return arm }
        }
        if q.sort == .priority, q.search == nil, filter.assignedTo == nil, filter.submittedBy == nil,
           statuses.count > 1, priorities.isEmpty, categories.isEmpty {
            return split(statuses, \.statuses)
        }
        if q.sort == .status, q.search == nil, filter.assignedTo != nil || filter.submittedBy != nil {
            // A person's tickets by status: each status's range of (status, assignedTo, …) or
            // (submittedBy, status, …) is in createdAt order already.
            return split(statuses.isEmpty ? TicketStatus.allCases : statuses, \.statuses)
        }
        guard q.sort == .created, q.search == nil, filter.assignedTo == nil else { return nil }
        if filter.submittedBy != nil {
            guard statuses.count > 1 else { return nil }
            return split(statuses, \.statuses)
        }
        let counts = [statuses.count, priorities.count, categories.count]
        guard !counts.contains(1), let fewest = counts.filter({ $0 > 1 }).min() else { return nil }
        // Split the filter with the fewest values (fewest parts); the others stay as IN lists.
        if statuses.count == fewest { return split(statuses, \.statuses) }
        if priorities.count == fewest { return split(priorities, \.priorities) }
        return split(categories, \.categories)
    }

    /// `--status open,open` is one value: a part per repeat would list its tickets twice.
    static func distinct<T: Hashable>(_ values: [T]) -> [T] {
        var seen = Set<T>()
        return values.filter { seen.insert($0).inserted }
    }

    /// A search's total and page, read from the full-text documents, one per ticket (rowid =
    /// ticket id): a requester's `ticket_search` (subject and public text; migration v9), staff's
    /// `ticket_search_staff` (the same and the internal notes; `ticket-search-staff-documents`),
    /// and, for the few long tickets whose latest replies and notes are documents of their own
    /// (`ticket_search_split`, migration v10), from those tails too. A requester's search never
    /// names the staff documents or the notes' tail (issue 13).
    ///
    /// When no tail reply (and, for staff, no tail note) holds any of the words
    /// (`searchingTailsOrNotes` false), the first arm alone is the query: one MATCH, the floor's
    /// plan. Otherwise two arms, disjoint, merged in order by SQLite (MERGE (UNION ALL)) and
    /// stopped at the page:
    ///
    /// 1. The tickets whose document holds every word. Without a requester or a named assignee,
    ///    FTS5 drives: it hands out the matching rowids in order (newest first: highest id
    ///    first), each ticket is looked up by id and checked against the other filters, and the
    ///    page stops after `limit` of them. The total is `count(*)` of the MATCH alone when
    ///    nothing else filters. With a requester (their own list, or `--requester`) or a named
    ///    assignee, the few tickets of that person drive, each checked against the document of
    ///    its id: the cost follows their tickets, not the hits.
    /// 2. The split tickets a tail reply or (staff) a tail note matches (any word) but whose
    ///    document does not hold every word: each word must then be in the document or the tail
    ///    (`tailSearch`).
    ///
    /// `--sort relevance` is bm25, a word in the subject weighing ten times one in the text or
    /// the notes. A ticket found through its tail has no score and comes after those that have
    /// one. The other orders sort the hits.
    static func searchSQL(for filter: TicketFilter, searchingTailsOrNotes: Bool) -> (countSQL: String, countArguments: StatementArguments,
                                                                                     pageSQL: String, pageArguments: StatementArguments)? {
        let q = filter.query
        let index = searchIndex(filter)
        guard let search = q.search, let match = searchMatch(search),
              let tail = tailSearch(search, includeNotes: filter.searchesInternalNotes, ticketID: "t.id")
        else { return nil }
        let (filters, filterArguments) = ticketConditions(filter)
        let ticketDriven: Bool
        if filter.submittedBy != nil {
            ticketDriven = true
        } else if case .some(.some) = filter.assignedTo {
            ticketDriven = true
        } else {
            ticketDriven = false
        }
        // CROSS JOIN: SQLite takes the tables in the order written.
        let from = ticketDriven
            ? " FROM ticket t CROSS JOIN \(index) f ON f.rowid = t.id"
            : " FROM \(index) f CROSS JOIN ticket t ON t.id = f.rowid"
        let whereSQL = " WHERE " + (filters + ["f.\(index) MATCH ?"]).joined(separator: " AND ")
        let arguments = filterArguments + [match]
        let tailFrom = " FROM ticket t"
        let tailWhere = " WHERE " + (filters + [tail.condition]).joined(separator: " AND ")
        let tailArguments = filterArguments + tail.arguments
        let firstCount = filters.isEmpty && !ticketDriven
            ? "SELECT count(*) FROM \(index) f WHERE f.\(index) MATCH ?"
            : "SELECT count(*)" + from + whereSQL
        guard searchingTailsOrNotes else {
            // No tail reply and no note has any of the words: the document alone decides.
            let (d, _) = q.reverse ? ("ASC", "DESC") : ("DESC", "ASC")
            let order: String
            switch q.sort {
            case .created: order = ticketDriven ? " ORDER BY t.id \(d)" : " ORDER BY f.rowid \(d)"
            case .relevance:
                // bm25 is lower for a better match.
                order = " ORDER BY bm25(f.\(index), 10.0, 1.0, 1.0) \(q.reverse ? "DESC" : "ASC"), t.id DESC"
            default: order = orderClause(q.sort, reverse: q.reverse)
            }
            let pageSQL = ticketColumns + from + ticketPeople + whereSQL + order + " LIMIT ? OFFSET ?"
            return (firstCount, arguments, pageSQL, arguments + [q.limit, (q.page - 1) * q.limit])
        }
        let countSQL = "SELECT (\(firstCount)) + (SELECT count(*)\(tailFrom)\(tailWhere))"

        // The arms are merged by result column: 1 id, 6 priority, 7 status, 14 createdAt,
        // 15 updatedAt, 18 the relevance. The first arm's id is FTS5's rowid when FTS5 drives,
        // so that SQLite sees it already in order.
        let (d, a) = q.reverse ? ("ASC", "DESC") : ("DESC", "ASC")
        var rank = ("", "")
        let order: String
        switch q.sort {
        case .created: order = " ORDER BY 1 \(d)"
        case .updated: order = " ORDER BY 15 \(d), 1 \(d)"
        case .priority: order = " ORDER BY 6 \(d), 14 \(d), 1 \(d)"
        case .status: order = " ORDER BY 7 \(a), 14 \(d), 1 \(d)"
        case .relevance:
            // bm25 is lower for a better match; a ticket found through its tail has none (0).
            // A requester's index has two columns: FTS5 ignores weights past the last one.
            rank = (", bm25(f.\(index), 10.0, 1.0, 1.0)", ", 0.0")
            order = " ORDER BY 18 \(q.reverse ? "DESC" : "ASC"), 1 DESC"
        }
        let firstColumns = "SELECT " + (ticketDriven ? "t.id" : "f.rowid") + ticketColumns.dropFirst("SELECT t.id".count)
        let pageSQL = firstColumns + rank.0 + from + ticketPeople + whereSQL
            + " UNION ALL " + ticketColumns + rank.1 + tailFrom + ticketPeople + tailWhere
            + order + " LIMIT ? OFFSET ?"
        return (countSQL, arguments + tailArguments, pageSQL, arguments + tailArguments + [q.limit, (q.page - 1) * q.limit])
    }

    /// Whether any tail reply (`ticket_search_reply`: the latest public replies of long tickets,
    /// migration v10) or, for staff, any tail note (`ticket_search_note`) holds one of the
    /// search's words. The tails are small (at most 16 replies and notes per split ticket), so
    /// this is one cheap look-up; when it finds nothing, the search is a single MATCH on the
    /// documents.
    static func searchReachesTailsOrNotes(_ db: Database, _ filter: TicketFilter) throws -> Bool {
        guard let search = filter.query.search, let any = anyWord(search) else { return false }
        var sql = "SELECT EXISTS (SELECT 1 FROM ticket_search_reply WHERE ticket_search_reply MATCH ?)"
        var arguments: StatementArguments = [any]
        if filter.searchesInternalNotes {
            sql += " OR EXISTS (SELECT 1 FROM ticket_search_note WHERE ticket_search_note MATCH ?)"
            arguments += [any]
        }
        return try Bool.fetchOne(db, sql: sql, arguments: arguments) ?? false
    }

    /// The FTS5 query "any of the words"; nil when the text has no word.
    static func anyWord(_ text: String) -> String? {
        let patterns = searchPatterns(text)
        guard !patterns.isEmpty else { return nil }
        return "(" + patterns.joined(separator: " OR ") + ")"
    }

    /// The condition that a ticket (`ticketID`, an expression over `ticket t`) matches through
    /// its tail replies or (with `includeNotes`, staff) its tail notes and not through its
    /// document alone: a tail reply or note has one of the words, the document has not all of
    /// them, and each word is in the document or the tail. The candidates are the few split
    /// tickets a tail matches (each "which tickets have this word in a tail" is a set SQLite
    /// builds once per statement, of at most 16 rows per split ticket); each is looked up in
    /// its document by rowid. Without `includeNotes` the condition never names
    /// `ticket_search_note` or the staff documents.
    static func tailSearch(_ text: String, includeNotes: Bool, ticketID: String) -> (condition: String, arguments: StatementArguments)? {
        let patterns = searchPatterns(text)
        guard !patterns.isEmpty, let match = searchMatch(text), let any = anyWord(text) else { return nil }
        let index = includeNotes ? staffSearchIndex : publicSearchIndex
        // The tail indexes hold only replies and notes past their ticket's mark (folding takes
        // them out).
        var tails = "SELECT r.ticketId FROM ticket_search_reply x CROSS JOIN response r ON r.id = x.rowid"
            + " WHERE x.ticket_search_reply MATCH ?"
        if includeNotes {
            tails += " UNION ALL SELECT r.ticketId FROM ticket_search_note n CROSS JOIN response r ON r.id = n.rowid"
                + " WHERE n.ticket_search_note MATCH ?"
        }
        func tailArguments(_ pattern: String) -> StatementArguments { includeNotes ? [pattern, pattern] : [pattern] }
        func inDocument(_ negated: Bool) -> String {
            "\(negated ? "NOT EXISTS" : "EXISTS") (SELECT 1 FROM \(index) WHERE \(index) MATCH ? AND rowid = \(ticketID))"
        }
        var conditions = ["\(ticketID) IN (\(tails))", inDocument(true)]
        var arguments = tailArguments(any) + [match]
        // One word: a candidate has it in its tail already (and not in the document), so there
        // is nothing more to ask.
        for pattern in patterns where patterns.count > 1 {
            conditions.append("(" + inDocument(false) + " OR \(ticketID) IN (\(tails)))")
            arguments += [pattern]
            arguments += tailArguments(pattern)
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    /// The full-text documents a search reads: staff's hold the internal notes too, a
    /// requester's never do.
    static func searchIndex(_ filter: TicketFilter) -> String {
        filter.searchesInternalNotes ? staffSearchIndex : publicSearchIndex
    }

    static let publicSearchIndex = "ticket_search"
    static let staffSearchIndex = "ticket_search_staff"

    /// A search's page by last update, priority or status, read in that order from the index of
    /// the order (`ticket` first, each ticket checked against its document by rowid), stopping
    /// at the page: for a common word, instead of reading every hit and sorting them (292,815
    /// tickets for "printer" at a million) it reads about page × tickets / hits of them. The
    /// other filters are written `+t.column` so that SQLite cannot pick a filter's index and
    /// sort after all. nil for orders FTS5 serves itself (created, relevance) and for searches a
    /// requester or a named assignee drives (their tickets are few already).
    static func searchPageInIndexOrder(for filter: TicketFilter) -> (sql: String, arguments: StatementArguments)? {
        let q = filter.query
        guard let search = q.search, [.updated, .priority, .status].contains(q.sort), filter.submittedBy == nil,
              let match = searchMatch(search) else { return nil }
        if case .some(.some) = filter.assignedTo { return nil }
        let (conditions, arguments) = ticketConditions(filter)
        let index = searchIndex(filter)
        let whereSQL = " WHERE " + (conditions.map { "+" + $0 } + ["f.\(index) MATCH ?"]).joined(separator: " AND ")
        return (ticketColumns + " FROM ticket t CROSS JOIN \(index) f ON f.rowid = t.id" + ticketPeople + whereSQL
                    + orderClause(q.sort, reverse: q.reverse) + " LIMIT ? OFFSET ?",
                arguments + [match, q.limit, (q.page - 1) * q.limit])
    }

    /// Whether walking the order's index (`searchPageInIndexOrder`) reads fewer tickets than the
    /// hits: about (page end) × tickets / hits of them, each a full-text look-up by rowid, which
    /// costs many times reading one hit from FTS5: 20× (uniform words) to 100× (Zipf-spread words)
    /// at 10,000 tickets in docs/benchmarks.md, weighed 32×. Rare words keep the hits sorted (a
    /// top-N: SQLite keeps only the page's rows in its sorter).
    static func indexOrderIsCheaper(_ db: Database, _ filter: TicketFilter, hits: Int) throws -> Bool {
        guard hits > 0 else { return false }
        let tickets = try Int.fetchOne(db, sql: "SELECT coalesce(sum(tickets), 0) FROM ticket_tally") ?? 0
        let pageEnd = filter.query.page * filter.query.limit
        return Double(pageEnd) * Double(tickets) / Double(hits) * 32 < Double(hits)
    }

    /// The FTS5 query of a search text: every word somewhere in the ticket's document (its
    /// public text, and for staff its notes). Each word is a quoted FTS5 string, so no
    /// syntax in the text is ever interpreted. nil when the text has no word.
    static func searchMatch(_ text: String) -> String? {
        let patterns = searchPatterns(text)
        guard !patterns.isEmpty else { return nil }
        return "(" + patterns.joined(separator: " AND ") + ")"
    }

    /// The conditions of every filter but the search, on `ticket t`.
    static func ticketConditions(_ filter: TicketFilter) -> ([String], StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        let q = filter.query
        if let submittedBy = filter.submittedBy {
            conditions.append("t.submittedBy = ?")
            arguments += [submittedBy]
        }
        valueConditions(q, table: "t.", into: &conditions, &arguments)
        switch filter.assignedTo {
        case .none: break
        case .some(.none): conditions.append("t.assignedTo IS NULL")
        case .some(.some(let id)):
            conditions.append("t.assignedTo = ?")
            arguments += [id]
        }
        let window = CreatedWindow(since: q.since, until: q.until)
        conditions += window.conditions(column: "t.createdAt")
        arguments += window.arguments
        return (conditions, arguments)
    }

    /// Every filter as a WHERE clause on `ticket t` (the search as a set of ids: `export` reads
    /// in id order anyway). nil when nothing can match (a search text without a single word).
    static func whereClause(_ filter: TicketFilter) -> (String, StatementArguments)? {
        var (conditions, arguments) = ticketConditions(filter)
        if let search = filter.query.search {
            guard let match = searchMatch(search) else { return nil }
            guard let tail = tailSearch(search, includeNotes: filter.searchesInternalNotes, ticketID: "t.id") else { return nil }
            let index = searchIndex(filter)
            conditions.append("(t.id IN (SELECT rowid FROM \(index) WHERE \(index) MATCH ?) OR (\(tail.condition)))")
            arguments += [match]
            arguments += tail.arguments
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    /// Search text as FTS5 patterns, each of which must match the ticket's document. One pattern
    /// per word (the document holds subject, message and replies alike, so "slow updater" finds
    /// a ticket whose subject says slow and whose reply says updater). Words are cut at ASCII
    /// punctuation and spaces (where the ASCII tokenizer cuts), counted once, and kept only if
    /// they hold a letter or a digit (an emoji alone is no word). Each word is an FTS5 string
    /// (in double quotes, a quote doubled), so no syntax in the text is ever interpreted; to FTS5
    /// a string is what a bareword is, handed to the table's tokenizer. Past `maxSearchPatterns`
    /// words the rest share the last pattern (all of them in one place), which bounds the query
    /// however much is typed. Empty when the text has no word.
    ///
    /// Written here, not with GRDB's `FTS5Pattern(matchingAllTokensIn:)`: that opens two
    /// in-memory databases per pattern (one to tokenize the text, one with an FTS5 table to check
    /// the pattern), and a search asks for its patterns several times: 7 ms of CPU per search at
    /// any size (`perf stat`, release build: `ticket list --search` of a word in no ticket 24.1
    /// ms, the same list without a search 17.0 ms). The patterns are the ones GRDB built, quoted.
    static func searchPatterns(_ text: String) -> [String] {
        let words = searchWords(text)
        func quoted(_ word: String) -> String { "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var groups = words.prefix(maxSearchPatterns - 1).map(quoted)
        if words.count >= maxSearchPatterns {
            groups.append(words.dropFirst(maxSearchPatterns - 1).map(quoted).joined(separator: " "))
        }
        return groups
    }

    static let maxSearchPatterns = 16

    /// The words a search looks for, on either engine: cut at ASCII punctuation and spaces,
    /// lower-cased, each once, kept only if it holds a letter or a digit.
    static func searchWords(_ text: String) -> [String] {
        var seen = Set<String>()
        return text.split { $0.isASCII && !$0.isLetter && !$0.isNumber }
            .map { $0.lowercased() }
            .filter { $0.contains { $0.isLetter || $0.isNumber } && seen.insert($0).inserted }
    }

    /// Newest first by default; ties broken by id so that pages never overlap.
    static func orderClause(_ sort: TicketSort, reverse: Bool) -> String {
        let (d, a) = reverse ? ("ASC", "DESC") : ("DESC", "ASC")
        switch sort {
        case .created: return " ORDER BY t.createdAt \(d), t.id \(d)"
        case .updated: return " ORDER BY t.updatedAt \(d), t.id \(d)"
        case .priority: return " ORDER BY t.priority \(d), t.createdAt \(d), t.id \(d)"
        case .status: return " ORDER BY t.status \(a), t.createdAt \(d), t.id \(d)"
        // Only a search has a relevance (`searchSQL`); without one, newest first.
        case .relevance: return " ORDER BY t.createdAt \(d), t.id \(d)"
        }
    }

    // MARK: Writing

    /// Creates a ticket with the next number of the current year. When `rateLimit` is given, the
    /// requester's tickets of the last hour are counted in the same transaction, so concurrent
    /// creations cannot slip past the limit.
    func createTicket(_ draft: TicketDraft, by actor: PersonReference, rateLimit: HourlyLimit?, mail: MailPlan? = nil,
                      attachments: [AttachmentUpload] = []) throws(SupportError) -> Ticket {
        try write { db in
            try Self.insertTicket(db, draft, by: actor, rateLimit: rateLimit, mail: mail, attachments: attachments)
        }
    }

    /// Applies `rule` to the person's `action`s of the last hour (their audit events, indexed by
    /// actor, action and time): throws `rateLimited` when they reach its limit.
    static func checkRate(_ db: Database, of actorID: Int64, action: AuditEvent.Action, _ rule: HourlyLimit) throws {
        let windowStart = try db.transactionDate.addingTimeInterval(-HourlyLimit.window)
        let recent = try Date.fetchAll(db, sql: """
            SELECT createdAt FROM audit_event
            WHERE actorID = ? AND action = ? AND createdAt > ? ORDER BY createdAt LIMIT ?
            """, arguments: [actorID, action.rawValue, windowStart, rule.limit])
        try rule.check(recent: recent)
    }

    /// `createTicket` inside a transaction the caller holds (mail ingest writes more beside it).
    static func insertTicket(_ db: Database, _ draft: TicketDraft, by actor: PersonReference, rateLimit: HourlyLimit?,
                             mail: MailPlan? = nil, attachments: [AttachmentUpload] = []) throws -> Ticket {
        let now = try db.transactionDate
        let requesterID = try Self.userID(db, for: draft.requester)
        if let rateLimit, rateLimit.limit > 0 {
            // Counts the tickets the requester opened themself: those staff opened on their
            // behalf do not use up their allowance.
            try checkRate(db, of: requesterID, action: .ticketCreated, rateLimit)
        }
        let year = CivilDate.utcYear(of: now) ?? Calendar.utc.component(.year, from: now)
        // Cached statements on the path of a new ticket: mail in writes thousands in one run.
        guard let sequence = try Int.fetchOne(db.cachedStatement(sql: """
            INSERT INTO ticket_sequence (year, lastNumber) VALUES (?, 1)
            ON CONFLICT(year) DO UPDATE SET lastNumber = lastNumber + 1
            RETURNING lastNumber
            """), arguments: [year])
        else { throw SupportError.internalError("no ticket number was assigned") }
        try TicketNumber.checkAssignable(year: year, sequence: sequence)
        let number = TicketNumber(year: year, sequence: sequence)
        try db.cachedStatement(sql: """
            INSERT INTO ticket (ticketNumber, subject, message, category, priority, status, submittedBy,
                                assignedTo, createdAt, updatedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [number.description, draft.subject, draft.message, draft.category.rawValue,
                             draft.priority.rawValue, TicketStatus.open.rawValue, requesterID, draft.assigneeID,
                             Self.storageText(now), Self.storageText(now)])
        let ticketID = db.lastInsertedRowID
        try insertAttachments(db, attachments, ticketID: ticketID, responseID: nil)
        // A new ticket has no replies, and files only when it was given some: the two queries
        // of a whole ticket (compiled afresh, their IN lists vary) are left out when they can
        // only come back empty.
        guard var ticket = try Self.fetchTicket(db, number: number, withResponses: false) else {
            throw SupportError.internalError("the new ticket vanished")
        }
        if !attachments.isEmpty {
            ticket.attachments = try fetchAttachments(db, ticketIDs: [ticketID])[ticketID] ?? []
        }
        try Self.audit(db, actor: actor, action: .ticketCreated, ticket: number, new: ticket.subject)
        if let assignee = ticket.assignedTo {
            // History shows the assignment as `ticket update --assign` records it.
            try Self.audit(db, actor: actor, action: .ticketChanged, ticket: number, field: "assignedTo", old: nil, new: assignee.email)
        }
        try Self.enqueueMail(db, mail, for: ticket)
        return ticket
    }

    /// Applies `update`, keeping `resolvedAt` / `closedAt` in step with the status.
    /// Returns the ticket before and after.
    func updateTicket(_ number: TicketNumber, _ update: TicketUpdate, by actor: PersonReference, mail: ((Ticket) -> MailPlan)? = nil) throws(SupportError) -> (before: Ticket, after: Ticket, changed: Bool) {
        try write { db in
            guard let before = try Self.fetchTicket(db, number: number, withResponses: false) else {
                throw SupportError.notFound("no ticket \(number)")
            }
            // A change to what the ticket already is writes nothing: no updatedAt, no audit
            // record, no mail, and the caller can say that nothing changed.
            let assigneeID = try Int64?.fetchOne(db, sql: "SELECT assignedTo FROM ticket WHERE id = ?", arguments: [before.id]) ?? nil
            if update.changesNothing(of: before, assigneeID: assigneeID) {
                let whole = try Self.fetchTicket(db, number: number) ?? before
                return (whole, whole, false)
            }
            let now = try db.transactionDate
            var sets: [String] = ["updatedAt = ?"]
            var arguments: StatementArguments = [now]
            if let subject = update.subject { sets.append("subject = ?"); arguments += [subject] }
            if let message = update.message { sets.append("message = ?"); arguments += [message] }
            if let category = update.category { sets.append("category = ?"); arguments += [category.rawValue] }
            if let priority = update.priority { sets.append("priority = ?"); arguments += [priority.rawValue] }
            if let assignedTo = update.assignedTo { sets.append("assignedTo = ?"); arguments += [assignedTo] }
            if let status = update.status, status != before.status {
                sets.append("status = ?")
                arguments += [status.rawValue]
                let (resolvedAt, closedAt) = before.milestones(movingTo: status, at: now)
                sets.append("resolvedAt = ?")
                arguments += [resolvedAt]
                sets.append("closedAt = ?")
                arguments += [closedAt]
            }
            arguments += [before.id]
            try db.execute(sql: "UPDATE ticket SET \(sets.joined(separator: ", ")) WHERE id = ?", arguments: arguments)
            guard let after = try Self.fetchTicket(db, number: number) else {
                throw SupportError.internalError("the ticket vanished")
            }
            for (field, old, new) in before.changes(to: after) {
                try Self.audit(db, actor: actor, action: .ticketChanged, ticket: number, field: field, old: old, new: new)
            }
            try Self.enqueueMail(db, mail?(before), for: after)
            return (before, after, true)
        }
    }

    func deleteTicket(_ number: TicketNumber, by actor: PersonReference) throws(SupportError) -> Ticket {
        try write { db in
            guard var ticket = try Self.fetchTicket(db, number: number, withResponses: true) else {
                throw SupportError.notFound("no ticket \(number)")
            }
            // The line `ticket export` writes for an admin: every reply and internal note, and
            // every file with its content, so that the record piped back into `ticket import`
            // restores the ticket whole (the files' bytes go with the ticket's rows).
            ticket.attachments = try Self.fetchAttachments(db, ticketIDs: [ticket.id], includeInternal: true)[ticket.id] ?? []
            let line = try Self.exportLine(db, ticket)
            try db.execute(sql: "DELETE FROM ticket WHERE id = ?", arguments: [ticket.id])
            try Self.audit(db, actor: actor, action: .ticketDeleted, ticket: number, old: ticket.subject)
            try db.execute(sql: "UPDATE audit_event SET deletedTicket = ? WHERE id = ?", arguments: [line, db.lastInsertedRowID])
            return ticket
        }
    }

    /// The `ticket export` line of a ticket (its replies and attachments set), the files'
    /// content in base64 as `ticket import` reads it. Built whole in memory, unlike the export
    /// command's stream: it is stored as one value.
    static func exportLine(_ db: Database, _ ticket: Ticket) throws -> String {
        let frame = JSONRenderer.streamedTicket(ticket, line: true)
        var line = frame.head
        for (index, reply) in ticket.responses.enumerated() { line += frame.reply(reply, first: index == 0) }
        let pieces = JSONRenderer.exportTail(ticket)
        line += pieces[0]
        for (index, file) in ticket.attachments.enumerated() {
            let contentID = try Int64.fetchOne(db, sql: "SELECT contentId FROM attachment WHERE id = ?", arguments: [file.id]) ?? 0
            var encoder = Base64.Encoder()
            var encoded: [UInt8] = []
            try readBlob(db, table: "attachment_content", column: "data", rowID: contentID) { bytes in encoder.append(bytes, to: &encoded) }
            encoder.finish(to: &encoded)
            line += "\"" + String(decoding: encoded, as: UTF8.self) + "\"" + pieces[index + 1]
        }
        return line
    }

    /// Adds a reply. A requester's reply on a resolved or closed ticket reopens it.
    /// When `rateLimit` is given, the author's replies of the last hour are counted in
    /// the same transaction (as `createTicket`'s limit), so concurrent replies cannot slip past it.
    func addResponse(to number: TicketNumber, message: String, by author: PersonReference, isInternal: Bool,
                     reopens: Bool, rateLimit: HourlyLimit? = nil,
                     mail: ((TicketResponse) -> MailPlan)? = nil,
                     attachments: [AttachmentUpload] = []) throws(SupportError) -> (ticket: Ticket, response: TicketResponse) {
        try write { db in
            if let rateLimit, rateLimit.limit > 0 {
                try Self.checkRate(db, of: try Self.userID(db, for: author), action: .ticketReplied, rateLimit)
            }
            return try Self.insertResponse(db, to: number, message: message, by: author, isInternal: isInternal, reopens: reopens,
                                           mail: mail, attachments: attachments)
        }
    }

    /// `addResponse` inside a transaction the caller holds. `touches: false` leaves the ticket's
    /// status and updatedAt alone (an out-of-office reply stored by mail ingest).
    static func insertResponse(_ db: Database, to number: TicketNumber, message: String, by author: PersonReference, isInternal: Bool,
                               reopens: Bool, touches: Bool = true, mail: ((TicketResponse) -> MailPlan)? = nil,
                               attachments: [AttachmentUpload] = []) throws -> (ticket: Ticket, response: TicketResponse) {
        guard let before = try Self.fetchTicket(db, number: number, withResponses: false) else {
            throw SupportError.notFound("no ticket \(number)")
        }
        let now = try db.transactionDate
        let authorID = try Self.userID(db, for: author)
        // Cached statements on the path of a reply: mail in adds thousands in one run.
        try db.cachedStatement(sql: "INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [before.id, message, authorID, isInternal, now])
        let responseID = db.lastInsertedRowID
        try insertAttachments(db, attachments, ticketID: before.id, responseID: responseID)
        try Self.audit(db, actor: author, action: isInternal ? .ticketNoted : .ticketReplied, ticket: number,
                       new: String(responseID), isInternal: isInternal)
        switch before.replyEffect(isInternal: isInternal, reopens: reopens, touches: touches) {
        case .none:
            break
        case .reopen:
            try Self.audit(db, actor: author, action: .ticketChanged, ticket: number, field: "status",
                           old: before.status.title, new: TicketStatus.open.title)
            try db.cachedStatement(sql: "UPDATE ticket SET updatedAt = ?, status = ?, resolvedAt = NULL, closedAt = NULL WHERE id = ?")
                .execute(arguments: [now, TicketStatus.open.rawValue, before.id])
        case .touch:
            try db.cachedStatement(sql: "UPDATE ticket SET updatedAt = ? WHERE id = ?").execute(arguments: [now, before.id])
        }
        guard let after = try Self.fetchTicket(db, number: number, withResponses: false),
              let row = try Row.fetchOne(db.cachedStatement(sql: Self.responseSelect + " WHERE r.id = ?"), arguments: [responseID])
        else { throw SupportError.internalError("the reply vanished") }
        let response = try Self.response(from: row).1
        try Self.enqueueMail(db, mail?(response), for: after)
        return (after, response)
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
