/// What a `[postgres]` section of a config file gives (libpq's keys; nil: not given). Resolved
/// into a `PostgresLocation` as a `postgresql://` address is: PGHOST, PGPORT, PGUSER, PGDATABASE
/// and PGSSLMODE fill in what it leaves out, then libpq's defaults. Its `password`, when given,
/// wins over PGPASSWORD and the password file, as a password in libpq's connection string does.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    public var host: String?
    public var port: Int?
    public var user: String?
    public var database: String?
    public var tls: PostgresLocation.TLS?
    public var connectTimeout: Int?
    /// Never printed: `description` leaves it out, and no message quotes it.
    package var password: String?
    /// The config file these came from, for messages; nil for a `postgresql://` address.
    public var source: String?

    public init() {}

    public var description: String {
        "PostgresSettings(from: \(source ?? "an address"), password: \(password == nil ? "none" : "given"))"
    }
}
