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
    static let userColumns = "id, email, name, role, createdAt"

    static func user(from row: Row) -> User {
        User(id: row[0], email: row[1], name: row[2], role: Role(rawValue: row[3]) ?? .user, createdAt: row[4])
    }

    public func user(email: String) throws(SupportError) -> User? {
        try read { db in try Self.fetchUser(db, email: email) }
    }

    static func fetchUser(_ db: Database, email: String) throws -> User? {
        try Row.fetchOne(db, sql: "SELECT \(userColumns) FROM user WHERE email = ?", arguments: [email]).map(user(from:))
    }

    public func users(role: Role? = nil) throws(SupportError) -> [User] {
        try read { db in
            if let role {
                return try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM user WHERE role = ? ORDER BY email",
                                        arguments: [role.rawValue]).map(Self.user(from:))
            }
            return try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM user ORDER BY email").map(Self.user(from:))
        }
    }

    /// Adds a person; refuses an address that is already known.
    public func addUser(email: String, name: String, role: Role, actor: PersonReference = .localOperator) throws(SupportError) -> User {
        try write { db in
            if try Self.fetchUser(db, email: email) != nil {
                throw SupportError.invalidInput(field: "email", "\(email) is already a user; use 'support user update'")
            }
            let now = try db.transactionDate
            try db.execute(sql: "INSERT INTO user (email, name, role, createdAt) VALUES (?, ?, ?, ?)",
                           arguments: [email, name, role.rawValue, now])
            let user = User(id: db.lastInsertedRowID, email: email, name: name, role: role, createdAt: now)
            try Self.audit(db, actor: actor, action: .userAdded, field: email, new: role.rawValue)
            return user
        }
    }

    public func updateUser(email: String, name: String?, role: Role?, actor: PersonReference = .localOperator) throws(SupportError) -> User {
        try write { db in
            guard var user = try Self.fetchUser(db, email: email) else {
                throw SupportError.notFound("no user \(email)")
            }
            let before = user
            if let name { user.name = name }
            if let role { user.role = role }
            try db.execute(sql: "UPDATE user SET name = ?, role = ? WHERE id = ?",
                           arguments: [user.name, user.role.rawValue, user.id])
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
                // A requester's reply waiting to be mailed to them as the assignee is not sent either.
                try db.execute(sql: """
                    UPDATE outbox SET status = 'failed', lastError = 'the recipient is no longer staff', leaseOwner = NULL, leaseUntil = NULL
                    WHERE recipient = ? AND status = 'pending' AND kind = ?
                    """, arguments: [email, MailKind.requesterReply.rawValue])
            }
            if before.name != user.name {
                try Self.audit(db, actor: actor, action: .userChanged, field: "\(email) name", old: before.name, new: user.name)
            }
            return user
        }
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
        try insert.execute(arguments: [email, name, role.rawValue, try db.transactionDate])
        let id = db.lastInsertedRowID
        if let actor { try audit(db, actor: actor, action: .userAdded, field: email, new: role.rawValue) }
        return (id, role)
    }

    /// `jane.doe@example.com` → `jane.doe`: a name to show until the person is given one.
    static func defaultName(for email: String) -> String {
        String(email.prefix(while: { $0 != "@" }).prefix(Validation.nameMaxCharacters))
    }
}
