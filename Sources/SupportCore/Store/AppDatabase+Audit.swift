import Foundation
import GRDB

extension AppDatabase {
    static func audit(_ db: Database, actor: PersonReference, action: AuditEvent.Action, ticket: TicketNumber? = nil,
                      field: String? = nil, old: String? = nil, new: String? = nil, isInternal: Bool = false) throws {
        // Cached, as every statement on the path of one ticket or reply: a Maildir run of
        // thousands compiles it once (compiling, with GRDB's authorizer, was a tenth of the time),
        // and the date is GRDB's own text made once per transaction (`storageText`).
        try db.cachedStatement(sql: """
            INSERT INTO audit_event (ticketNumber, actorID, action, field, oldValue, newValue, isInternal, createdAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [ticket?.description, try userID(db, for: actor), action.rawValue, field, old, new, isInternal,
                                     storageText(try db.transactionDate)])
    }

    static let auditSelect = """
        SELECT e.id, e.ticketNumber, u.email, u.name, u.role, e.action, e.field, e.oldValue, e.newValue, e.isInternal, e.createdAt
        FROM audit_event e JOIN user u ON u.id = e.actorID
        """

    static func auditEvent(from row: Row) -> AuditEvent {
        AuditEvent(id: row[0], ticketNumber: row[1],
                   actor: Person(email: row[2], name: row[3], role: Role(rawValue: row[4]) ?? .user),
                   action: AuditEvent.Action(rawValue: row[5]) ?? .ticketChanged, field: row[6],
                   oldValue: row[7], newValue: row[8], isInternal: row[9], createdAt: row[10])
    }

    /// A ticket's history, oldest first, kept even after the ticket is deleted.
    func history(of number: TicketNumber, includeInternal: Bool) throws(SupportError) -> [AuditEvent] {
        try read { db in
            try Row.fetchAll(db, sql: Self.auditSelect + """
                 WHERE e.ticketNumber = ?\(includeInternal ? "" : " AND e.isInternal = 0")
                ORDER BY e.id
                """, arguments: [number.description]).map(Self.auditEvent(from:))
        }
    }

    /// The tickets that matching `ticket.deleted` events removed, as the NDJSON lines the events
    /// keep, oldest delete first; a ticket deleted more than once (restored in between) comes
    /// once, as it was when last deleted. Paging does not apply: a restore wants every one.
    func deletedTickets(matching filter: AuditFilter) throws(SupportError) -> [String] {
        var filter = filter
        filter.query.actions = [.ticketDeleted]
        let (whereSQL, arguments) = Self.auditWhereClause(filter)
        return try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT e.ticketNumber, e.deletedTicket FROM audit_event e\(whereSQL)
                 AND e.deletedTicket IS NOT NULL ORDER BY e.createdAt, e.id
                """, arguments: arguments)
            var latest: [String: Int] = [:]
            for (index, row) in rows.enumerated() { latest[row[0] as String? ?? ""] = index }
            return rows.enumerated().filter { latest[$0.element[0] as String? ?? ""] == $0.offset }.map { $0.element[1] }
        }
    }

    /// One page of the whole audit trail, newest first, and the total that matched.
    func auditEvents(matching filter: AuditFilter) throws(SupportError) -> AuditPage {
        try read { db in
            let list = Self.auditListSQL(for: filter)
            let total = try Int.fetchOne(db, sql: list.countSQL, arguments: list.countArguments) ?? 0
            let events = try Row.fetchAll(db, sql: list.pageSQL, arguments: list.pageArguments).map(Self.auditEvent(from:))
            return AuditPage(events: events, total: total, page: filter.query.page, limit: filter.query.limit)
        }
    }

    /// The two statements `auditEvents(matching:)` runs: the total, and one page. Separate so
    /// that tests can check their plans with EXPLAIN QUERY PLAN.
    ///
    /// Each path reads an index in the list's order (createdAt DESC, id DESC) and stops at the
    /// page: none, --since/--until: (createdAt); --action: (action, createdAt); --actor:
    /// (actorID, action, createdAt). Where the order holds within one action only (several
    /// actions; an actor's events of every action), the page is a UNION ALL of one SELECT per
    /// action, which SQLite merges as it reads (an event has one action, so each is listed
    /// once). With --ticket, the ticket's own events come from (ticketNumber, id) and are
    /// sorted: they are few, and the unary `+` keeps SQLite from walking another filter's
    /// index through every event instead.
    static func auditListSQL(for filter: AuditFilter) -> (countSQL: String, countArguments: StatementArguments,
                                                          pageSQL: String, pageArguments: StatementArguments) {
        let q = filter.query
        let (whereSQL, arguments) = auditWhereClause(filter)
        var pageSQL = auditSelect + whereSQL
        var pageArguments = arguments
        let actions = distinct(q.actions)
        if q.ticketNumber == nil, actions.count > 1 || (filter.actorID != nil && actions.isEmpty) {
            pageSQL = ""
            pageArguments = []
            for action in actions.isEmpty ? AuditEvent.Action.allCases : actions {
                var arm = filter
                arm.query.actions = [action]
                let (armWhere, armArguments) = auditWhereClause(arm)
                pageSQL += (pageSQL.isEmpty ? "" : " UNION ALL ") + auditSelect + armWhere
                pageArguments += armArguments
            }
        }
        pageArguments += [q.limit, (q.page - 1) * q.limit]
        return ("SELECT count(*) FROM audit_event e" + whereSQL, arguments,
                pageSQL + " ORDER BY e.createdAt DESC, e.id DESC LIMIT ? OFFSET ?", pageArguments)
    }

    static func auditWhereClause(_ filter: AuditFilter) -> (String, StatementArguments) {
        let q = filter.query
        // With a ticket, its index alone: see auditListSQL.
        let other = q.ticketNumber == nil ? "" : "+"
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let number = q.ticketNumber {
            conditions.append("e.ticketNumber = ?")
            arguments += [number.description]
        }
        if let actorID = filter.actorID {
            conditions.append("\(other)e.actorID = ?")
            arguments += [actorID]
        }
        let actions = distinct(q.actions)
        if !actions.isEmpty {
            conditions.append("\(other)e.action IN (\(databaseQuestionMarks(count: actions.count)))")
            arguments += StatementArguments(actions.map(\.rawValue))
        }
        let window = CreatedWindow(since: q.since, until: q.until)
        conditions += window.conditions(column: "\(other)e.createdAt")
        arguments += window.arguments
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), arguments)
    }
}

/// An audit query with the actor resolved to a user id.
struct AuditFilter: Sendable {
    var query: AuditQuery
    var actorID: Int64?
}
