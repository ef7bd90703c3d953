import Foundation
import GRDB

/// Who a write is recorded under.
public enum PersonReference: Sendable {
    /// The local operator's own account, created on first use.
    case localOperator
    case existing(userID: Int64)
    /// A requester named for the first time is created as a `user`.
    case requester(email: String, name: String?)
}

extension AppDatabase {
    static let userColumns = "id, email, name, role, createdAt, login, removedAt"

    static func user(from row: Row) -> User {
        User(id: row[0], email: row[1], name: row[2], role: Role(rawValue: row[3]) ?? .user, createdAt: row[4],
             login: row[5], removedAt: row[6])
    }

    func user(email: String) throws(SupportError) -> User? {
        try read { db in try Self.fetchUser(db, email: email) }
    }

    /// The person mapped to a Unix login (`user add --login`), unless removed.
    func user(login: String) throws(SupportError) -> User? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM user WHERE login = ? AND removedAt IS NULL",
                             arguments: [login]).map(Self.user(from:))
        }
    }

    static func fetchUser(_ db: Database, email: String) throws -> User? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(userColumns) FROM user WHERE email = ?"), arguments: [email]).map(user(from:))
    }

    /// Everyone who has not been removed, by email.
    func users(role: Role? = nil) throws(SupportError) -> [User] {
        try read { db in
            if let role {
                return try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM user WHERE role = ? AND removedAt IS NULL ORDER BY email",
                                        arguments: [role.rawValue]).map(Self.user(from:))
            }
            return try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM user WHERE removedAt IS NULL ORDER BY email").map(Self.user(from:))
        }
    }

    /// Adds a person; refuses an address that is already known. A removed person is brought
    /// back (with the name, role and login given now), keeping their history.
    func addUser(email: String, name: String, role: Role, login: String? = nil,
                        actor: PersonReference = .localOperator) throws(SupportError) -> User {
        try write { db in
            try Self.requireFreeLogin(db, login, for: email)
            let now = try db.transactionDate
            if let existing = try Self.fetchUser(db, email: email) {
                guard existing.removedAt != nil else {
                    throw SupportError.invalidInput(field: "email", "\(email) is already a user; use 'support user update'")
                }
                try db.execute(sql: "UPDATE user SET name = ?, role = ?, login = ?, removedAt = NULL WHERE id = ?",
                               arguments: [name, role.rawValue, login, existing.id])
                try Self.audit(db, actor: actor, action: .userChanged, field: "\(email) status", old: "removed", new: "active")
                try Self.audit(db, actor: actor, action: .userChanged, field: "\(email) role", old: existing.role.rawValue, new: role.rawValue)
                return User(id: existing.id, email: email, name: name, role: role, createdAt: existing.createdAt, login: login)
            }
            try db.execute(sql: "INSERT INTO user (email, name, role, createdAt, login) VALUES (?, ?, ?, ?, ?)",
                           arguments: [email, name, role.rawValue, now, login])
            let user = User(id: db.lastInsertedRowID, email: email, name: name, role: role, createdAt: now, login: login)
            try Self.audit(db, actor: actor, action: .userAdded, field: email, new: role.rawValue)
            if let login { try Self.audit(db, actor: actor, action: .userChanged, field: "\(email) login", new: login) }
            return user
        }
    }

    /// Changes name, role or login (`login: .some(nil)` clears it). Refuses to leave the desk
    /// without an admin (checked in the transaction, so two demotions at once cannot both pass).
    func updateUser(email: String, name: String?, role: Role?, login: String?? = nil,
                           actor: PersonReference = .localOperator) throws(SupportError) -> User {
        try write { db in
            guard var user = try Self.fetchUser(db, email: email), user.removedAt == nil else {
                throw SupportError.notFound("no user \(email)")
            }
            let before = user
            if let name { user.name = name }
            if let role { user.role = role }
            if let login {
                try Self.requireFreeLogin(db, login, for: email)
                user.login = login
            }
            if before.role == .admin, user.role != .admin {
                try Self.requireAnotherAdmin(db, besides: user, doing: "demote")
            }
            try db.execute(sql: "UPDATE user SET name = ?, role = ?, login = ? WHERE id = ?",
                           arguments: [user.name, user.role.rawValue, user.login, user.id])
            if before.role != user.role {
                try Self.audit(db, actor: actor, action: .userChanged, field: "\(email) role", old: before.role.rawValue, new: user.role.rawValue)
            }
            if before.role.isStaff && !user.role.isStaff {
                // Only staff can be assigned (`ticket assign` refuses anyone else): a demoted
                // member leaves every ticket they held, each change in the ticket's history, so
                // that no mail about other people's tickets reaches them any more.
                let now = try db.transactionDate
                let held = try String.fetchAll(db, sql: "SELECT ticketNumber FROM ticket WHERE assignedTo = ? ORDER BY id",
                                               arguments: [user.id])
                try db.execute(sql: "UPDATE ticket SET assignedTo = NULL, updatedAt = ? WHERE assignedTo = ?",
                               arguments: [now, user.id])
                for number in held {
                    try Self.audit(db, actor: actor, action: .ticketChanged, ticket: try TicketNumber.parse(number),
                                   field: "assignedTo", old: email, new: nil)
                }
                // A requester's reply waiting to be mailed to them as the assignee, or the notice
                // of an assignment, is not sent either.
                try db.execute(sql: """
                    UPDATE outbox SET status = 'failed', lastError = 'the recipient is no longer staff', leaseOwner = NULL, leaseUntil = NULL
                    WHERE recipient = ? AND status = 'pending' AND kind IN (?, ?)
                    """, arguments: [email, MailKind.requesterReply.rawValue, MailKind.assignment.rawValue])
            }
            if before.name != user.name {
                try Self.audit(db, actor: actor, action: .userChanged, field: "\(email) name", old: before.name, new: user.name)
            }
            if before.login != user.login {
                try Self.audit(db, actor: actor, action: .userChanged, field: "\(email) login", old: before.login, new: user.login)
            }
            return user
        }
    }

    /// Removes a person from the desk: the row stays for their history, their role becomes
    /// `user` (so mail from them is no longer staff mail), their login and tokens end, and every
    /// ticket assigned to them is unassigned (each recorded as a ticket change by `actor`).
    /// Returns the removed user and the tickets unassigned.
    func removeUser(email: String, actor: PersonReference) throws(SupportError) -> (user: User, unassigned: [TicketNumber]) {
        try write { db in
            guard var user = try Self.fetchUser(db, email: email), user.removedAt == nil else {
                throw SupportError.notFound("no user \(email)")
            }
            if user.role == .admin { try Self.requireAnotherAdmin(db, besides: user, doing: "remove") }
            let now = try db.transactionDate
            let numbers = try String.fetchAll(db, sql: "SELECT ticketNumber FROM ticket WHERE assignedTo = ? ORDER BY id",
                                              arguments: [user.id])
            try db.execute(sql: "UPDATE ticket SET assignedTo = NULL, updatedAt = ? WHERE assignedTo = ?", arguments: [now, user.id])
            var unassigned: [TicketNumber] = []
            for text in numbers {
                guard let number = TicketNumber.parseCanonical(text) else { continue }
                unassigned.append(number)
                try Self.audit(db, actor: actor, action: .ticketChanged, ticket: number, field: "assignedTo", old: email, new: nil)
            }
            try db.execute(sql: "UPDATE user SET role = 'user', login = NULL, removedAt = ? WHERE id = ?", arguments: [now, user.id])
            try db.execute(sql: """
                INSERT INTO token_generation (userID, generation) VALUES (?, 1)
                ON CONFLICT(userID) DO UPDATE SET generation = generation + 1
                """, arguments: [user.id])
            try Self.audit(db, actor: actor, action: .userChanged, field: "\(email) status", old: "active", new: "removed")
            if user.role != .user {
                try Self.audit(db, actor: actor, action: .userChanged, field: "\(email) role", old: user.role.rawValue, new: Role.user.rawValue)
            }
            user.role = .user
            user.login = nil
            user.removedAt = now
            return (user, unassigned)
        }
    }

    static func requireFreeLogin(_ db: Database, _ login: String?, for email: String) throws {
        guard let login,
              let holder = try String.fetchOne(db, sql: "SELECT email FROM user WHERE login = ? AND email <> ?", arguments: [login, email])
        else { return }
        throw SupportError.invalidInput(field: "login", "the login \(login) is already mapped to \(holder); one login acts as one person")
    }

    /// The local operator's placeholder does not count: it is not a person who can be reached.
    static func requireAnotherAdmin(_ db: Database, besides user: User, doing verb: String) throws {
        let others = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM user WHERE role = 'admin' AND removedAt IS NULL AND id <> ? AND email <> ?
            """, arguments: [user.id, Actor.operatorEmail]) ?? 0
        guard others == 0 else { return }
        throw SupportError.invalidInput(field: "role",
            "\(user.email) is the last admin; make someone else an admin first\(commandLine: " ('support user update EMAIL --role admin')"), then \(verb) them")
    }

    /// The user id a write is recorded under, creating the row if this is the first time.
    static func userID(_ db: Database, for reference: PersonReference) throws -> Int64 {
        switch reference {
        case .existing(let id):
            return id
        case .localOperator:
            return try ensureUser(db, email: Actor.operatorEmail, name: Actor.operatorName, role: .admin)
        case .requester(let email, let name):
            return try ensureUser(db, email: email, name: name ?? defaultName(for: email), role: .user)
        }
    }

    /// The id of the user with `email`, created with `name` and `role` when there is none. With
    /// `addedBy`, a creation is recorded as `user.added` by that actor (an import creates people
    /// with the roles its file gives, staff and admins included: `support audit` shows who).
    static func ensureUser(_ db: Database, email: String, name: String, role: Role, addedBy actor: PersonReference? = nil) throws -> Int64 {
        try ensureUserWithRole(db, email: email, name: name, role: role, addedBy: actor).id
    }

    /// `ensureUser`, with the role the user has (an existing user keeps theirs).
    static func ensureUserWithRole(_ db: Database, email: String, name: String, role: Role,
                                   addedBy actor: PersonReference? = nil) throws -> (id: Int64, role: Role) {
        // Cached statements: an import calls this for every person of every batch.
        let find = try db.cachedStatement(sql: "SELECT id, role FROM user WHERE email = ?")
        if let row = try Row.fetchOne(find, arguments: [email]) {
            return (row[0], Role(rawValue: row[1]) ?? .user)
        }
        let insert = try db.cachedStatement(sql: "INSERT INTO user (email, name, role, createdAt) VALUES (?, ?, ?, ?)")
        try insert.execute(arguments: [email, name, role.rawValue, storageText(try db.transactionDate)])
        let id = db.lastInsertedRowID
        if let actor { try audit(db, actor: actor, action: .userAdded, field: email, new: role.rawValue) }
        return (id, role)
    }

    /// `jane.doe@example.com` → `jane.doe`: a name to show until the person is given one.
    static func defaultName(for email: String) -> String {
        String(email.prefix(while: { $0 != "@" }).prefix(Validation.nameMaxCharacters))
    }
}
