import Foundation
import JWTKit
import SupportCore

/// The platform's own identity provider: its RS256 or ES256 tokens are accepted beside the desk's
/// HS256 ones, verified with its public key (PEM). Which algorithm is the key's: an RSA key
/// accepts RS256 only, a P-256 key ES256 only, so a token cannot choose how it is checked.
/// The issuer and the audience are required (a key alone would accept the provider's tokens for
/// every other application too), and the person is the one whose email the configured claim
/// carries; their role, and whether they exist at all, come from the database.
struct ExternalIdentityProvider: Sendable {
    let algorithm: String
    let issuer: String
    let audience: String
    let emailClaim: String
    let keys: JWTKeyCollection

    init(publicKeyPEM pem: String, issuer: String, audience: String, emailClaim: String) async throws(SupportError) {
        guard !issuer.isEmpty, !audience.isEmpty, !emailClaim.isEmpty else {
            throw .configuration("--jwt-public-key needs --jwt-issuer and --jwt-audience (and a non-empty --jwt-email-claim)")
        }
        let keys = JWTKeyCollection()
        if let rsa = try? Insecure.RSA.PublicKey(pem: pem) {
            // jwt-kit refuses RSA keys under 2048 bits here.
            await keys.add(rsa: rsa, digestAlgorithm: .sha256)
            algorithm = "RS256"
        } else if let ec = try? ES256PublicKey(pem: pem) {
            await keys.add(ecdsa: ec)
            algorithm = "ES256"
        } else {
            throw .configuration("--jwt-public-key is not an RSA (2048 bits or more) or P-256 public key in PEM")
        }
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.emailClaim = emailClaim
    }

    /// The email of a good token signed by the provider, or nil with the reason.
    func verify(_ token: String) async -> Result<String, TokenRefusal> {
        let claims: ProviderClaims
        do {
            claims = try await keys.verify(token, as: ProviderClaims.self)
        } catch {
            return .failure(TokenRefusal("provider token: bad signature, expired or not yet valid"))
        }
        guard claims.iss == issuer else { return .failure(TokenRefusal("provider token: wrong issuer")) }
        guard claims.aud.contains(audience) else { return .failure(TokenRefusal("provider token: wrong audience")) }
        guard let email = claims.texts[emailClaim], let address = try? Validation.email(email) else {
            return .failure(TokenRefusal("provider token: no email in claim \(emailClaim)"))
        }
        return .success(address)
    }
}

/// Why a token was refused, for the log (never the token itself).
struct TokenRefusal: Error {
    let text: String
    init(_ text: String) { self.text = text }
}

/// A provider's claims: `exp` is required, `nbf` checked when present, and every top-level text
/// claim kept so that the configured email claim (`email`, `upn`, `preferred_username`…) can be read.
struct ProviderClaims: JWTPayload {
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var iss: String?
    var aud: [String]
    var texts: [String: String]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        exp = try container.decode(ExpirationClaim.self, forKey: Key(stringValue: "exp"))
        nbf = try container.decodeIfPresent(NotBeforeClaim.self, forKey: Key(stringValue: "nbf"))
        iss = try? container.decode(String.self, forKey: Key(stringValue: "iss"))
        // `aud` is one string or a list of them (RFC 7519 4.1.3).
        if let one = try? container.decode(String.self, forKey: Key(stringValue: "aud")) {
            aud = [one]
        } else {
            aud = (try? container.decode([String].self, forKey: Key(stringValue: "aud"))) ?? []
        }
        var texts: [String: String] = [:]
        for key in container.allKeys {
            if let text = try? container.decode(String.self, forKey: key) { texts[key.stringValue] = text }
        }
        self.texts = texts
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(exp, forKey: Key(stringValue: "exp"))
        try container.encodeIfPresent(nbf, forKey: Key(stringValue: "nbf"))
        try container.encodeIfPresent(iss, forKey: Key(stringValue: "iss"))
        try container.encode(aud, forKey: Key(stringValue: "aud"))
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf?.verifyNotBefore()
    }
}
