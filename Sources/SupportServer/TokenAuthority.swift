import Foundation
import JWTKit
import SupportCore
import Synchronization

/// The claims of a desk token. The role is not among them: it is read from the database on every
/// request, so a demotion takes effect at once.
struct DeskClaims: JWTPayload {
    var sub: SubjectClaim
    var aud: AudienceClaim
    var iss: IssuerClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    /// The person's token generation when issued (`support token revoke` raises it).
    var gen: Int64

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf?.verifyNotBefore()
        try aud.verifyIntendedAudience(includes: TokenAuthority.audience)
        guard iss.value == TokenAuthority.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "wrong issuer")
        }
    }
}

/// Who a good token names: a desk token carries the person's token generation (revocation), a
/// provider's token only the email.
enum VerifiedIdentity: Equatable {
    case desk(email: String, generation: Int64)
    case provider(email: String)

    var email: String {
        switch self {
        case .desk(let email, _), .provider(let email): email
        }
    }
}

/// Issues and verifies the desk's HS256 tokens with its own key (kept in the database), and, when
/// one is configured, verifies the tokens of an external identity provider.
struct TokenAuthority: Sendable {
    static let audience = "support-api"
    static let issuer = "support"
    static let longestLifetime: TimeInterval = 366 * 86_400

    let keys: JWTKeyCollection
    let provider: ExternalIdentityProvider?
    let verified = VerifiedTokens()

    init(secret: [UInt8], provider: ExternalIdentityProvider? = nil) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.provider = provider
    }

    func issue(email: String, generation: Int64, lifetime: TimeInterval, now: Date = Date()) async throws -> String {
        let claims = DeskClaims(
            sub: SubjectClaim(value: email), aud: AudienceClaim(value: [Self.audience]), iss: IssuerClaim(value: Self.issuer),
            iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)),
            nbf: NotBeforeClaim(value: now.addingTimeInterval(-1)), gen: generation)
        return try await keys.sign(claims)
    }

    /// Who a good token names, or why it was refused. The header's `alg` picks the key, and only
    /// two are possible: HS256 with the desk's own key, or the provider's one algorithm with its
    /// public key. So `none`, HS512, and an HS256 token whose HMAC was made with the provider's
    /// public key as the secret (algorithm confusion: it is checked against the desk's secret,
    /// never the public key) are all refused.
    func verify(_ token: String) async -> Result<VerifiedIdentity, TokenRefusal> {
        guard token.utf8.count <= 8192 else { return .failure(TokenRefusal("token too long")) }
        if let identity = verified.identity(of: token, at: Date()) { return .success(identity) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.decodeSegment(parts[0]),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
              let algorithm = object["alg"] as? String
        else { return .failure(TokenRefusal("malformed token")) }
        guard object["crit"] == nil else { return .failure(TokenRefusal("unsupported critical header")) }
        if algorithm == "HS256" {
            guard let claims = try? await keys.verify(token, as: DeskClaims.self) else {
                return .failure(TokenRefusal("invalid desk token"))
            }
            let identity = VerifiedIdentity.desk(email: claims.sub.value, generation: claims.gen)
            verified.remember(token, identity, notBefore: claims.nbf?.value ?? .distantPast, expires: claims.exp.value)
            return .success(identity)
        }
        if let provider, algorithm == provider.algorithm {
            return await provider.verify(token).map { .provider(email: $0) }
        }
        return .failure(TokenRefusal("algorithm \(Validation.printable(String(algorithm.prefix(16)))) is not accepted"))
    }

    static func decodeSegment(_ segment: Substring) -> Data? {
        var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }

    /// `30d`, `12h`, `90m`, `2w`: a token's lifetime.
    static func lifetime(_ text: String) throws(SupportError) -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: TimeInterval] = ["m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = trimmed.last, let seconds = units[unit], trimmed.count <= 6,
              let count = Int(trimmed.dropLast()), count > 0, Double(count) * seconds <= longestLifetime
        else {
            throw .invalidInput(field: "expires", "--expires must be like 90m, 12h, 30d or 2w, at most 366 days")
        }
        return Double(count) * seconds
    }
}

/// Desk tokens whose signature and claims were checked, so that a client's every request does
/// not check the same signature and decode the same claims again: 3.3 % of the server's CPU on
/// `GET /api/support/tickets?status=open` (perf, release, 1,000,000 tickets). An entry is used
/// only between the token's not-before and expiry times; who the token names, their role, and
/// whether its generation was revoked are still read from the database on every request
/// (`HelpDesk.tokenHolder`), so a remembered token is never better than one checked afresh. At
/// most `capacity` tokens (about 1 MiB): past that, all are forgotten and checked again.
final class VerifiedTokens: Sendable {
    struct Entry {
        let identity: VerifiedIdentity
        let notBefore: Date
        let expires: Date
    }

    static let capacity = 4096
    private let entries = Mutex([String: Entry]())

    func identity(of token: String, at now: Date) -> VerifiedIdentity? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard now < entry.expires else {
                entries[token] = nil
                return nil
            }
            return now >= entry.notBefore ? entry.identity : nil
        }
    }

    func remember(_ token: String, _ identity: VerifiedIdentity, notBefore: Date, expires: Date) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(identity: identity, notBefore: notBefore, expires: expires)
        }
    }
}
