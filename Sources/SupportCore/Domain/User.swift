import Foundation

/// A person known to the help desk: a requester (`user`) or staff (`internal`, `admin`).
public struct User: Sendable, Equatable {
    public var id: Int64
    public var email: String
    public var name: String
    public var role: Role
    public var createdAt: Date
    /// The Unix account this person works from (`user add --login`): they act without `--as`.
    public var login: String?
    /// Set by `user remove`: the person stays in the history but can no longer act.
    public var removedAt: Date?

    public init(id: Int64, email: String, name: String, role: Role, createdAt: Date, login: String? = nil, removedAt: Date? = nil) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.login = login
        self.removedAt = removedAt
    }

    public var person: Person { Person(email: email, name: name, role: role) }
}

/// A person as they appear inside a ticket: enough to show and to mail them.
public struct Person: Sendable, Equatable {
    public var email: String
    public var name: String
    public var role: Role

    public init(email: String, name: String, role: Role) {
        self.email = email
        self.name = name
        self.role = role
    }
}
