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

    /// Puts a setting back to its default; returns the value it had (admin only).
    public func resetSetting(_ key: SettingKey) throws(SupportError) -> String {
        try requireAdmin("change settings")
        return try database.resetSetting(key, actor: actorReference)
    }

    public func users(role: Role? = nil) throws(SupportError) -> [User] {
        try requireStaff("list users")
        return try database.users(role: role)
    }

    public func addUser(email: String, name: String?, role: Role, login: String? = nil) throws(SupportError) -> User {
        try requireAdmin("add users")
        let address = try Self.personAddress(email)
        let checkedName = try Self.checkedName(name) ?? AppDatabase.defaultName(for: address)
        var checkedLogin: String?
        if let login { checkedLogin = try Self.checkedLogin(login) }
        return try database.addUser(email: address, name: checkedName, role: role, login: checkedLogin, actor: actorReference)
    }

    /// `login: .some(nil)` clears the person's login.
    public func updateUser(email: String, name: String?, role: Role?, login: String?? = nil) throws(SupportError) -> User {
        try requireAdmin("change users")
        let address = try Self.personAddress(email)
        guard name != nil || role != nil || login != nil else {
            throw .invalidInput(field: nil, "nothing to change: give \(field: "name"), \(field: "role"), \(field: "login")\(commandLine: " or --no-login")")
        }
        var checkedLogin: String?? = nil
        switch login {
        case .none: break
        case .some(.none): checkedLogin = .some(nil)
        case .some(.some(let given)): checkedLogin = .some(try Self.checkedLogin(given))
        }
        return try database.updateUser(email: address, name: try Self.checkedName(name), role: role, login: checkedLogin,
                                       actor: actorReference)
    }

    /// Removes a person (see `AppDatabase.removeUser`): their history stays, their assignments
    /// are undone and recorded.
    public func removeUser(email: String) throws(SupportError) -> (user: User, unassigned: [TicketNumber]) {
        try requireAdmin("remove users")
        let address = try Self.personAddress(email)
        if actor.user?.email == address {
            // Allowed (another admin remains, checked in the store), but then this very command
            // was the last thing they did: nothing to refuse.
            logger.debug("an admin removes themself", metadata: ["email": "\(address)"])
        }
        return try database.removeUser(email: address, actor: actorReference)
    }

    /// An address `user add/update/remove` may name: never the operator's placeholder, whose
    /// rights come from owning the file, not from its row (changing the row changed nothing).
    static func personAddress(_ email: String) throws(SupportError) -> String {
        let address = try Validation.email(email)
        guard address != Actor.operatorEmail else {
            throw .invalidInput(field: "email", """
                \(address) is the local operator's placeholder, not a person: its rights come from owning the database \
                file, so it cannot be added, changed or removed (map your login to a real person with --login instead)
                """)
        }
        return address
    }

    /// A Unix login name as `useradd` accepts it (POSIX portable characters, at most 32).
    static func checkedLogin(_ login: String) throws(SupportError) -> String {
        let bytes = Array(login.utf8)
        let allowed = bytes.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2E || b == 0x2D
        }
        guard (1...32).contains(bytes.count), allowed, bytes.first != 0x2D else {
            throw .invalidInput(field: "login", "\(field: "login"): '\(Validation.printable(login))' is not a Unix login name (letters, digits, _ . -, at most 32)")
        }
        return login
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
    /// `zone`: where the volume chart's days begin (the CLI's local zone; UTC for the server).
    public func statistics(since: Date?, until: Date?, zone: LocalZone = .utc) throws(SupportError) -> Statistics {
        try requireStaff("see statistics")
        if let since, let until, since >= until {
            throw .invalidInput(field: "since", "\(field: "since") must be before \(field: "until")")
        }
        return try database.statistics(since: since, until: until, zone: zone)
    }
}
