import Foundation
import GRDB

extension AppDatabase {
    /// The desk's HS256 key for `support serve`'s tokens: 32 random bytes, made on first use.
    /// Never rendered anywhere; whoever can read the database file can read it (as everything else).
    func serverSigningKey() throws(SupportError) -> [UInt8] {
        try write { db in
            if let existing = try Data.fetchOne(db, sql: "SELECT secret FROM server_key WHERE name = 'hs256'") {
                return [UInt8](existing)
            }
            var generator = SystemRandomNumberGenerator()
            let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            try db.execute(sql: "INSERT INTO server_key (name, secret) VALUES ('hs256', ?)", arguments: [Data(secret)])
            return secret
        }
    }

    /// The generation a person's tokens must carry (0 until their first revocation).
    func tokenGeneration(userID: Int64) throws(SupportError) -> Int64 {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT generation FROM token_generation WHERE userID = ?", arguments: [userID]) ?? 0
        }
    }

    /// The person with this address (removed or not) and the generation their tokens must carry,
    /// for the server's check of every request. One statement, so one snapshot and no
    /// transaction around it (`unsafeRead`): a request's authentication was two reads, each its
    /// own transaction with a statement compiled again (14 % of the server's time on a list).
    func userAndTokenGeneration(email: String) throws(SupportError) -> (user: User, generation: Int64)? {
        try Self.translatingErrors {
            try writer.unsafeRead { db in
                try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT \(Self.userColumns), (SELECT generation FROM token_generation WHERE userID = user.id)
                    FROM user WHERE email = ?
                    """), arguments: [email]).map { row in (Self.user(from: row), (row[7] as Int64?) ?? 0) }
            }
        }
    }

    /// Ends every token issued so far to the person: their generation goes up by one.
    @discardableResult
    func revokeTokens(userID: Int64) throws(SupportError) -> Int64 {
        try write { db in
            try db.execute(sql: """
                INSERT INTO token_generation (userID, generation) VALUES (?, 1)
                ON CONFLICT(userID) DO UPDATE SET generation = generation + 1
                """, arguments: [userID])
            return try Int64.fetchOne(db, sql: "SELECT generation FROM token_generation WHERE userID = ?", arguments: [userID]) ?? 1
        }
    }
}
