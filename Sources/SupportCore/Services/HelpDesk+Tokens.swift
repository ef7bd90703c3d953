import Foundation

extension HelpDesk {
    /// Whom a new API token is for, and the generation it must carry (admin only: a token is a
    /// key to that person's account).
    public func tokenSubject(email: String) throws(SupportError) -> (user: User, generation: Int64) {
        try requireAdmin("issue API tokens")
        let address = try Validation.email(email)
        guard let user = try database.user(email: address) else {
            throw .notFound("no user \(address); add them with 'support user add' first")
        }
        guard user.removedAt == nil else { throw .notFound("\(address) was removed from the desk") }
        return (user, try database.tokenGeneration(userID: user.id))
    }

    /// Ends every token issued so far to the person.
    public func revokeTokens(email: String) throws(SupportError) -> User {
        try requireAdmin("revoke API tokens")
        let address = try Validation.email(email)
        guard let user = try database.user(email: address) else { throw .notFound("no user \(address)") }
        try database.revokeTokens(userID: user.id)
        return user
    }
}

extension HelpDesk {
    /// The person a verified token speaks for: `person(email:in:)`'s rule, and for the desk's own
    /// tokens (which carry a generation) only while the person's tokens were not revoked since.
    /// The person and the generation are read together, in one statement (every request of the
    /// server runs this).
    public static func tokenHolder(email: String, generation: Int64?, in database: AppDatabase) throws(SupportError) -> Actor {
        try tokenHolder(email: email, generation: generation, in: DeskStorage.sqlite(database))
    }

    public static func tokenHolder(email: String, generation: Int64?, in storage: DeskStorage) throws(SupportError) -> Actor {
        let database = storage.store
        let address = try actorAddress(email)
        let found = try database.userAndTokenGeneration(email: address)
        let actor = try person(address, found: found?.user)
        if let generation, found?.generation != generation {
            throw .unknownActor("the token was revoked")
        }
        return actor
    }

    /// The key the desk signs its API tokens with, made on first use. For the server only: whoever
    /// can read the database file can read it, as everything else in it.
    public static func tokenSigningKey(in database: AppDatabase) throws(SupportError) -> [UInt8] {
        try database.serverSigningKey()
    }

    public static func tokenSigningKey(in storage: DeskStorage) throws(SupportError) -> [UInt8] {
        try storage.store.serverSigningKey()
    }
}
