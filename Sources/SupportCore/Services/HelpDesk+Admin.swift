import Foundation

extension HelpDesk {
    public func settings() throws(SupportError) -> [SettingKey: String] {
        try requireAdmin("read settings")
        return try database.settings()
    }

    public func setSetting(_ key: SettingKey, to value: String) throws(SupportError) -> String {
        try requireAdmin("change settings")
        let normalized = try key.normalize(value)
        try database.setSetting(key, to: normalized, actor: actorReference)
        return normalized
    }

    public func users(role: Role? = nil) throws(SupportError) -> [User] {
        try requireStaff("list users")
        return try database.users(role: role)
    }

    public func addUser(email: String, name: String?, role: Role) throws(SupportError) -> User {
        try requireAdmin("add users")
        let address = try Validation.email(email)
        let checkedName = try Self.checkedName(name) ?? AppDatabase.defaultName(for: address)
        return try database.addUser(email: address, name: checkedName, role: role, actor: actorReference)
    }

    public func updateUser(email: String, name: String?, role: Role?) throws(SupportError) -> User {
        try requireAdmin("change users")
        let address = try Validation.email(email)
        guard name != nil || role != nil else {
            throw .invalidInput(field: nil, "nothing to change: give --name or --role")
        }
        return try database.updateUser(email: address, name: try Self.checkedName(name), role: role, actor: actorReference)
    }

    /// The whole audit trail, newest first: tickets, settings and users (admin only: it holds
    /// internal notes' traces and every setting's values).
    public func auditTrail(_ query: AuditQuery) throws(SupportError) -> AuditPage {
        try requireAdmin("read the audit trail")
        try Self.checkPaging(limit: query.limit, page: query.page, since: query.since, until: query.until)
        var filter = AuditFilter(query: query)
        if let email = query.actorEmail {
            let address = try Validation.email(email, field: "actor")
            // Nobody by that address has done anything: an empty page, as `ticket list --requester`.
            guard let actor = try database.user(email: address) else {
                return AuditPage(events: [], total: 0, page: query.page, limit: query.limit)
            }
            filter.actorID = actor.id
        }
        return try database.auditEvents(matching: filter)
    }

    /// The tickets deleted by the matching `ticket.deleted` events, each as the NDJSON line
    /// `ticket export` wrote for it, ready for `ticket import` (admin only, as the trail).
    public func deletedTickets(_ query: AuditQuery) throws(SupportError) -> [String] {
        try requireAdmin("read the audit trail")
        try Self.checkPaging(limit: query.limit, page: query.page, since: query.since, until: query.until)
        var filter = AuditFilter(query: query)
        if let email = query.actorEmail {
            let address = try Validation.email(email, field: "actor")
            guard let actor = try database.user(email: address) else { return [] }
            filter.actorID = actor.id
        }
        return try database.deletedTickets(matching: filter)
    }

    static func checkedName(_ name: String?) throws(SupportError) -> String? {
        guard let name else { return nil }
        return try Validation.oneLine(name, field: "name", maxCharacters: Validation.nameMaxCharacters)
    }
}

extension HelpDesk {
    /// Figures for tickets created in the period (staff only).
    public func statistics(since: Date?, until: Date?) throws(SupportError) -> Statistics {
        try requireStaff("see statistics")
        if let since, let until, since >= until {
            throw .invalidInput(field: "since", "--since must be before --until")
        }
        return try database.statistics(since: since, until: until)
    }
}
