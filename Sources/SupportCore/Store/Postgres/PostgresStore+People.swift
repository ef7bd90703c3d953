import Foundation

/// People, tokens and settings on PostgreSQL: `AppDatabase+Users`, `+ServerAuth` and `+Settings`
/// in PostgreSQL's SQL, rule for rule.
extension PostgresStore {
    static let userColumns = "id, email, name, role, createdAt, login, removedAt"

    static func user(from row: [PostgresValue], at start: Int = 0) throws -> User {
        User(id: try row.int(start), email: try row.text(start + 1), name: try row.text(start + 2),
             role: Role(rawValue: try row.text(start + 3)) ?? .user, createdAt: try row.date(start + 4),
             login: row.optionalText(start + 5), removedAt: row.optionalDate(start + 6))
    }

    static func fetchUser(_ tx: PostgresTransaction, email: String) throws -> User? {
        try tx.row("SELECT \(userColumns) FROM desk_user WHERE lower(email) = lower($1)", .text(email)).map { try user(from: $0) }
    }

    func user(email: String) throws(SupportError) -> User? {
        try read { tx in try Self.fetchUser(tx, email: email) }
    }

    func user(login: String) throws(SupportError) -> User? {
        try read { tx in
            try tx.row("SELECT \(Self.userColumns) FROM desk_user WHERE login = $1 AND removedAt IS NULL", .text(login))
                .map { try Self.user(from: $0) }
        }
    }

    func users(role: Role?) throws(SupportError) -> [User] {
        try read { tx in
            // Ordered as SQLite orders the same text (byte order), whatever the database's collation.
            if let role {
                return try tx.rows("SELECT \(Self.userColumns) FROM desk_user WHERE role = $1 AND removedAt IS NULL ORDER BY lower(email) COLLATE \"C\", email COLLATE \"C\"",
                                   .text(role.rawValue)).map { try Self.user(from: $0) }
            }
            return try tx.rows("SELECT \(Self.userColumns) FROM desk_user WHERE removedAt IS NULL ORDER BY lower(email) COLLATE \"C\", email COLLATE \"C\"")
                .map { try Self.user(from: $0) }
        }
    }

    func addUser(email: String, name: String, role: Role, login: String?, actor: PersonReference) throws(SupportError) -> User {
        try write { tx in
            // Two hosts adding the same address at once: the second waits here for the first.
            _ = try tx.rows("SELECT pg_advisory_xact_lock(hashtext(lower($1)))", .text(email))
            try Self.requireFreeLogin(tx, login, for: email)
            if let existing = try Self.fetchUser(tx, email: email) {
                guard existing.removedAt != nil else {
                    throw SupportError.invalidInput(field: "email", "\(email) is already a user; use 'support user update'")
                }
                try tx.execute("UPDATE desk_user SET name = $1, role = $2, login = $3, removedAt = NULL WHERE id = $4",
                               .text(name), .text(role.rawValue), PostgresValue(login), .int(existing.id))
                try Self.audit(tx, actor: actor, action: .userChanged, field: "\(email) status", old: "removed", new: "active")
                try Self.audit(tx, actor: actor, action: .userChanged, field: "\(email) role", old: existing.role.rawValue, new: role.rawValue)
                return User(id: existing.id, email: email, name: name, role: role, createdAt: existing.createdAt, login: login)
            }
            let id = try tx.value("INSERT INTO desk_user (email, name, role, createdAt, login) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                                  .text(email), .text(name), .text(role.rawValue), .timestamp(tx.now), PostgresValue(login))?.int ?? 0
            let user = User(id: id, email: email, name: name, role: role, createdAt: tx.now, login: login)
            try Self.audit(tx, actor: actor, action: .userAdded, field: email, new: role.rawValue)
            if let login { try Self.audit(tx, actor: actor, action: .userChanged, field: "\(email) login", new: login) }
            return user
        }
    }

    func updateUser(email: String, name: String?, role: Role?, login: String??, actor: PersonReference) throws(SupportError) -> User {
        try write { tx in
            guard let row = try tx.row("SELECT \(Self.userColumns) FROM desk_user WHERE lower(email) = lower($1) FOR UPDATE", .text(email)),
                  case var user = try Self.user(from: row), user.removedAt == nil
            else { throw SupportError.notFound("no user \(email)") }
            let before = user
            if let name { user.name = name }
            if let role { user.role = role }
            if let login {
                try Self.requireFreeLogin(tx, login, for: email)
                user.login = login
            }
            if before.role == .admin, user.role != .admin {
                try Self.requireAnotherAdmin(tx, besides: user, doing: "demote")
            }
            try tx.execute("UPDATE desk_user SET name = $1, role = $2, login = $3 WHERE id = $4",
                           .text(user.name), .text(user.role.rawValue), PostgresValue(user.login), .int(user.id))
            if before.role != user.role {
                try Self.audit(tx, actor: actor, action: .userChanged, field: "\(email) role", old: before.role.rawValue, new: user.role.rawValue)
            }
            if before.role.isStaff && !user.role.isStaff {
                // A demoted member leaves every ticket they held, and no mail meant for staff
                // reaches them any more (AppDatabase.updateUser says why).
                let held = try tx.rows("UPDATE ticket SET assignedTo = NULL, updatedAt = $1 WHERE assignedTo = $2 RETURNING ticketNumber, id",
                                       .timestamp(tx.now), .int(user.id)).sorted { (try? $0.int(1)) ?? 0 < (try? $1.int(1)) ?? 0 }
                for row in held {
                    try Self.audit(tx, actor: actor, action: .ticketChanged, ticket: try TicketNumber.parse(try row.text(0)),
                                   field: "assignedTo", old: email, new: nil)
                }
                try tx.execute("""
                    UPDATE outbox SET status = 'failed', lastError = 'the recipient is no longer staff', leaseOwner = NULL, leaseUntil = NULL
                    WHERE recipient = $1 AND status = 'pending' AND kind IN ($2, $3)
                    """, .text(email), .text(MailKind.requesterReply.rawValue), .text(MailKind.assignment.rawValue))
            }
            if before.name != user.name {
                try Self.audit(tx, actor: actor, action: .userChanged, field: "\(email) name", old: before.name, new: user.name)
            }
            if before.login != user.login {
                try Self.audit(tx, actor: actor, action: .userChanged, field: "\(email) login", old: before.login, new: user.login)
            }
            return user
        }
    }

    func removeUser(email: String, actor: PersonReference) throws(SupportError) -> (user: User, unassigned: [TicketNumber]) {
        try write { tx in
            guard let row = try tx.row("SELECT \(Self.userColumns) FROM desk_user WHERE lower(email) = lower($1) FOR UPDATE", .text(email)),
                  case var user = try Self.user(from: row), user.removedAt == nil
            else { throw SupportError.notFound("no user \(email)") }
            if user.role == .admin { try Self.requireAnotherAdmin(tx, besides: user, doing: "remove") }
            let held = try tx.rows("UPDATE ticket SET assignedTo = NULL, updatedAt = $1 WHERE assignedTo = $2 RETURNING ticketNumber, id",
                                   .timestamp(tx.now), .int(user.id)).sorted { (try? $0.int(1)) ?? 0 < (try? $1.int(1)) ?? 0 }
            var unassigned: [TicketNumber] = []
            for row in held {
                guard let number = TicketNumber.parseCanonical(try row.text(0)) else { continue }
                unassigned.append(number)
                try Self.audit(tx, actor: actor, action: .ticketChanged, ticket: number, field: "assignedTo", old: email, new: nil)
            }
            try tx.execute("UPDATE desk_user SET role = 'user', login = NULL, removedAt = $1 WHERE id = $2", .timestamp(tx.now), .int(user.id))
            try tx.execute("""
                INSERT INTO token_generation (userID, generation) VALUES ($1, 1)
                ON CONFLICT (userID) DO UPDATE SET generation = token_generation.generation + 1
                """, .int(user.id))
            try Self.audit(tx, actor: actor, action: .userChanged, field: "\(email) status", old: "active", new: "removed")
            if user.role != .user {
                try Self.audit(tx, actor: actor, action: .userChanged, field: "\(email) role", old: user.role.rawValue, new: Role.user.rawValue)
            }
            user.role = .user
            user.login = nil
            user.removedAt = tx.now
            return (user, unassigned)
        }
    }

    static func requireFreeLogin(_ tx: PostgresTransaction, _ login: String?, for email: String) throws {
        guard let login,
              let holder = try tx.value("SELECT email FROM desk_user WHERE login = $1 AND lower(email) <> lower($2)",
                                        .text(login), .text(email))?.text
        else { return }
        throw SupportError.invalidInput(field: "login", "the login \(login) is already mapped to \(holder); one login acts as one person")
    }

    static func requireAnotherAdmin(_ tx: PostgresTransaction, besides user: User, doing verb: String) throws {
        // Every admin row locked: two hosts demoting the last two admins at once cannot both pass.
        let others = try tx.rows("""
            SELECT id FROM desk_user WHERE role = 'admin' AND removedAt IS NULL AND id <> $1 AND email <> $2 FOR UPDATE
            """, .int(user.id), .text(Actor.operatorEmail)).count
        guard others == 0 else { return }
        throw SupportError.invalidInput(field: "role",
            "\(user.email) is the last admin; make someone else an admin first\(commandLine: " ('support user update EMAIL --role admin')"), then \(verb) them")
    }

    static func userID(_ tx: PostgresTransaction, for reference: PersonReference) throws -> Int64 {
        switch reference {
        case .existing(let id):
            return id
        case .localOperator:
            return try ensureUser(tx, email: Actor.operatorEmail, name: Actor.operatorName, role: .admin)
        case .requester(let email, let name):
            return try ensureUser(tx, email: email, name: name ?? AppDatabase.defaultName(for: email), role: .user)
        }
    }

    /// The user at `email`, created when missing. `ON CONFLICT DO NOTHING` then a read: two
    /// hosts creating the same requester at once both end with the one row.
    static func ensureUser(_ tx: PostgresTransaction, email: String, name: String, role: Role) throws -> Int64 {
        if let id = try tx.value("SELECT id FROM desk_user WHERE lower(email) = lower($1)", .text(email))?.int {
            return id
        }
        if let id = try tx.value("""
            INSERT INTO desk_user (email, name, role, createdAt) VALUES ($1, $2, $3, $4)
            ON CONFLICT ((lower(email))) DO NOTHING RETURNING id
            """, .text(email), .text(name), .text(role.rawValue), .timestamp(tx.now))?.int {
            return id
        }
        guard let id = try tx.value("SELECT id FROM desk_user WHERE lower(email) = lower($1)", .text(email))?.int else {
            throw SupportError.internalError("the user \(email) vanished while being added")
        }
        return id
    }

    // MARK: Tokens

    func tokenGeneration(userID: Int64) throws(SupportError) -> Int64 {
        try readOne { tx in try tx.value("SELECT generation FROM token_generation WHERE userID = $1", .int(userID))?.int ?? 0 }
    }

    func userAndTokenGeneration(email: String) throws(SupportError) -> (user: User, generation: Int64)? {
        try readOne { tx in
            try tx.row("""
                SELECT \(Self.userColumns), (SELECT generation FROM token_generation WHERE userID = desk_user.id)
                FROM desk_user WHERE lower(email) = lower($1)
                """, .text(email)).map { row in (try Self.user(from: row), row.optionalInt(7) ?? 0) }
        }
    }

    @discardableResult
    func revokeTokens(userID: Int64) throws(SupportError) -> Int64 {
        try write { tx in
            try tx.value("""
                INSERT INTO token_generation (userID, generation) VALUES ($1, 1)
                ON CONFLICT (userID) DO UPDATE SET generation = token_generation.generation + 1
                RETURNING generation
                """, .int(userID))?.int ?? 1
        }
    }

    func serverSigningKey() throws(SupportError) -> [UInt8] {
        try write { tx in
            if let existing = try tx.value("SELECT secret FROM server_key WHERE name = 'hs256'")?.bytes { return existing }
            var generator = SystemRandomNumberGenerator()
            let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            // Two servers starting at once: the first key stored is everyone's.
            try tx.execute("INSERT INTO server_key (name, secret) VALUES ('hs256', $1) ON CONFLICT (name) DO NOTHING", .bytes(secret))
            return try tx.value("SELECT secret FROM server_key WHERE name = 'hs256'")?.bytes ?? secret
        }
    }

    // MARK: Settings

    func settings() throws(SupportError) -> [SettingKey: String] {
        try read { tx in try Self.fetchSettings(tx) }
    }

    static func fetchSettings(_ tx: PostgresTransaction) throws -> [SettingKey: String] {
        var values = Dictionary(uniqueKeysWithValues: SettingKey.allCases.map { ($0, $0.defaultValue) })
        for row in try tx.rows("SELECT key, value FROM setting") {
            if let key = SettingKey(rawValue: try row.text(0)) { values[key] = try row.text(1) }
        }
        return values
    }

    @discardableResult
    func setSetting(_ key: SettingKey, to value: String, actor: PersonReference) throws(SupportError) -> String {
        try write { tx in
            // The old value read under the row's lock (or the key's advisory lock when unset), so
            // that two hosts setting it at once each record what they replaced.
            _ = try tx.rows("SELECT pg_advisory_xact_lock(hashtext('setting:' || $1))", .text(key.rawValue))
            let old = try tx.value("SELECT value FROM setting WHERE key = $1", .text(key.rawValue))?.text ?? key.defaultValue
            try tx.execute("INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           .text(key.rawValue), .text(value))
            if old != value {
                try Self.audit(tx, actor: actor, action: .settingChanged, field: key.rawValue, old: old, new: value)
            }
            return old
        }
    }

    @discardableResult
    func resetSetting(_ key: SettingKey, actor: PersonReference) throws(SupportError) -> String {
        try write { tx in
            _ = try tx.rows("SELECT pg_advisory_xact_lock(hashtext('setting:' || $1))", .text(key.rawValue))
            let old = try tx.value("DELETE FROM setting WHERE key = $1 RETURNING value", .text(key.rawValue))?.text ?? key.defaultValue
            if old != key.defaultValue {
                try Self.audit(tx, actor: actor, action: .settingChanged, field: key.rawValue, old: old, new: key.defaultValue)
            }
            return old
        }
    }

    // MARK: Audit

    static func audit(_ tx: PostgresTransaction, actor: PersonReference, action: AuditEvent.Action, ticket: TicketNumber? = nil,
                      field: String? = nil, old: String? = nil, new: String? = nil, isInternal: Bool = false) throws {
        try tx.execute("""
            INSERT INTO audit_event (ticketNumber, actorID, action, field, oldValue, newValue, isInternal, createdAt)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, PostgresValue(ticket?.description), .int(try userID(tx, for: actor)), .text(action.rawValue), PostgresValue(field),
            PostgresValue(old), PostgresValue(new), .bool(isInternal), .timestamp(tx.now))
    }
}
