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
