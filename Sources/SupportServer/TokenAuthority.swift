import Foundation
import JWTKit
import SupportCore

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

/// Issues and verifies the desk's HS256 tokens with its own key (kept in the database).
struct TokenAuthority: Sendable {
    static let audience = "support-api"
    static let issuer = "support"
    static let longestLifetime: TimeInterval = 366 * 86_400

    let keys: JWTKeyCollection

    init(secret: [UInt8]) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    func issue(email: String, generation: Int64, lifetime: TimeInterval, now: Date = Date()) async throws -> String {
        let claims = DeskClaims(
            sub: SubjectClaim(value: email), aud: AudienceClaim(value: [Self.audience]), iss: IssuerClaim(value: Self.issuer),
            iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)),
            nbf: NotBeforeClaim(value: now.addingTimeInterval(-1)), gen: generation)
        return try await keys.sign(claims)
    }

    /// The claims of a good token, or nil. The header must name HS256 exactly: `none`, and an
    /// RS256 header carrying an HMAC made with a public key (algorithm confusion), are refused
    /// before any key is looked at.
    func verify(_ token: String) async -> DeskClaims? {
        guard token.utf8.count <= 4096 else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.decodeSegment(parts[0]),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
              object["alg"] as? String == "HS256", object["crit"] == nil
        else { return nil }
        return try? await keys.verify(token, as: DeskClaims.self)
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
