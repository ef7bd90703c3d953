import Foundation

/// Where a PostgreSQL desk is and how to reach it, from a `postgresql://` `--db` (libpq's URI
/// form, so the string an admin already uses with `psql` works here).
///
/// The password is never part of it: a command line is visible to every user of the machine in
/// `ps`, so a URI with a password is refused, and the password comes from `PGPASSWORD` or a
/// password file that only its owner can read (`PGPASSFILE`, else `~/.pgpass`, libpq's format),
/// as `psql` reads them. `description` never shows it, so no log or message can.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLS: String, Sendable, Equatable {
        /// Plain TCP (loopback, a private network) or a Unix socket.
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default).
        case prefer
        /// TLS or no connection.
        case require
    }

    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket file `DIRECTORY/.s.PGSQL.PORT`, as libpq names it.
        case unixSocket(directory: String, port: Int)

        var port: Int {
            switch self {
            case .tcp(_, let port), .unixSocket(_, let port): port
            }
        }
    }

    public var endpoint: Endpoint
    public var user: String
    public var database: String
    public var tls: TLS
    /// Seconds to wait for the connection (`connect_timeout`, libpq's parameter).
    public var connectTimeout: Int
    /// Found in the config file, the environment or the password file; nil means none (trust or
    /// peer authentication). Never printed.
    package var password: String?
    /// Where the password was found (`PGPASSWORD`, a password file, a config file), for a hint
    /// when the server refuses it; nil when none was.
    public var passwordSource: String?

    public var description: String {
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "postgresql://\(user)@\(shownHost):\(port)/\(database)"
        case .unixSocket(let directory, let port):
            return "postgresql://\(user)@/\(database)?host=\(directory)&port=\(port)"
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.endpoint == rhs.endpoint && lhs.user == rhs.user && lhs.database == rhs.database && lhs.tls == rhs.tls
            && lhs.connectTimeout == rhs.connectTimeout && lhs.password == rhs.password
    }

    public var socketPath: String? {
        guard case .unixSocket(let directory, let port) = endpoint else { return nil }
        return directory + "/.s.PGSQL.\(port)"
    }

    /// Whether `--db` names a PostgreSQL desk rather than an SQLite file.
    public static func isPostgres(_ db: String) -> Bool {
        db.hasPrefix("postgresql://") || db.hasPrefix("postgres://")
    }

    /// Parses `uri`, then finds the password. `environment` is the process's (a parameter so
    /// tests can give their own); `home` is where `~/.pgpass` is looked for.
    public static func parse(_ uri: String, environment: [String: String], home: String?) throws(SupportError) -> PostgresLocation {
        try resolve(try parseURI(uri), environment: environment, home: home)
    }

    /// The desk a config file's `[postgres]` section (or a parsed address) describes: what it
    /// leaves out from PGHOST, PGPORT, PGUSER, PGDATABASE and PGSSLMODE, then libpq's defaults;
    /// the password from the section, else PGPASSWORD, else the password file.
    public static func resolve(_ settings: PostgresSettings, environment: [String: String], home: String?) throws(SupportError) -> PostgresLocation {
        var location = try resolvedWithoutPassword(settings, environment: environment)
        if let password = settings.password, let file = settings.source {
            location.password = password
            location.passwordSource = "the config file \(Validation.printable(file, limit: 300))"
        } else {
            (location.password, location.passwordSource) = try findPassword(for: location, environment: environment, home: home)
        }
        return location
    }

    /// What a `postgresql://` address says, nothing filled in yet.
    static func parseURI(_ uri: String) throws(SupportError) -> PostgresSettings {
        let scheme = ["postgresql://", "postgres://"].first { uri.hasPrefix($0) }
        guard let scheme else {
            throw .invalidInput(field: "db", "'\(Validation.printable(uri))' is not a postgresql:// address")
        }
        var rest = Substring(uri.dropFirst(scheme.count))
        // What is after the first '?' are parameters; before it the authority and the database.
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        var authority = rest
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = String(rest[rest.index(after: slash)...])
        }
        var user: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if userInfo.contains(":") {
                // Not echoed: the text after ':' is the password this refuses to see.
                throw .invalidInput(field: "db", """
                    a password in the postgresql:// address would be visible to every user of this machine (ps); \
                    give it in PGPASSWORD or in ~/.pgpass (mode 0600) instead
                    """)
            }
            user = try decoded(String(userInfo), what: "user name")
        }
        var host: String?
        var port: Int?
        if authority.hasPrefix("[") {
            // An IPv6 literal: [::1]:5432.
            guard let close = authority.firstIndex(of: "]") else {
                throw .invalidInput(field: "db", "the postgresql:// address has an unclosed '[' in its host")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = try parsedPort(String(after.dropFirst())) }
            else if !after.isEmpty { throw .invalidInput(field: "db", "the postgresql:// address has text after its host's ']'") }
        } else if !authority.isEmpty {
            var hostPart = authority
            if let colon = authority.lastIndex(of: ":") {
                port = try parsedPort(String(authority[authority.index(after: colon)...]))
                hostPart = authority[..<colon]
            }
            if hostPart.contains(",") {
                throw .invalidInput(field: "db", "several hosts in one postgresql:// address are not supported; name one")
            }
            host = hostPart.isEmpty ? nil : try decoded(String(hostPart), what: "host")
        }
        var database = path.isEmpty ? nil : try decoded(path, what: "database name")
        var tls: TLS?
        var connectTimeout: Int?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = try decoded(parts.count > 1 ? String(parts[1]) : "", what: "parameter \(Validation.printable(name))")
            switch name {
            case "sslmode":
                guard let mode = TLS(rawValue: value) else {
                    throw .invalidInput(field: "db", "sslmode must be disable, prefer or require, not '\(Validation.printable(value))'")
                }
                tls = mode
            case "host": host = value
            case "port": port = try parsedPort(value)
            case "user": user = value
            case "dbname": database = value
            case "connect_timeout":
                guard let seconds = Int(value), (0...3600).contains(seconds) else {
                    throw .invalidInput(field: "db", "connect_timeout must be a number of seconds from 0 to 3600")
                }
                connectTimeout = seconds
            case "password":
                throw .invalidInput(field: "db", """
                    a password in the postgresql:// address would be visible to every user of this machine (ps); \
                    give it in PGPASSWORD or in ~/.pgpass (mode 0600) instead
                    """)
            case "application_name":
                break
            default:
                throw .invalidInput(field: "db", "the postgresql:// address has a parameter this tool does not know: '\(Validation.printable(name))'")
            }
        }
        var settings = PostgresSettings()
        settings.host = host
        settings.port = port
        settings.user = user
        settings.database = database
        settings.tls = tls
        settings.connectTimeout = connectTimeout
        return settings
    }

    /// `settings` with what they leave out as libpq fills it in: its environment variables, then its defaults.
    static func resolvedWithoutPassword(_ settings: PostgresSettings, environment: [String: String]) throws(SupportError) -> PostgresLocation {
        let resolvedUser = settings.user ?? environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 } ?? PostgresLocation.loginName
        guard let resolvedUser, !resolvedUser.isEmpty else {
            let what = settings.source.map { "the config file \(Validation.printable($0, limit: 300))" } ?? "the postgresql:// address"
            throw .invalidInput(field: "db", "\(what) names no user, and neither PGUSER nor the login gives one")
        }
        let resolvedHost = settings.host ?? environment["PGHOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/run/postgresql"
        var resolvedPort = 5432
        if let port = settings.port {
            resolvedPort = port
        } else if let value = environment["PGPORT"], !value.isEmpty {
            resolvedPort = try parsedPort(value)
        }
        var resolvedTLS = TLS.prefer
        if let tls = settings.tls {
            resolvedTLS = tls
        } else if let value = environment["PGSSLMODE"], !value.isEmpty {
            guard let mode = TLS(rawValue: value) else {
                throw .configuration("PGSSLMODE must be disable, prefer or require, not '\(Validation.printable(value))'")
            }
            resolvedTLS = mode
        }
        let endpoint: Endpoint = resolvedHost.hasPrefix("/")
            ? .unixSocket(directory: resolvedHost, port: resolvedPort)
            : .tcp(host: resolvedHost, port: resolvedPort)
        return PostgresLocation(endpoint: endpoint, user: resolvedUser,
                                database: settings.database ?? environment["PGDATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? resolvedUser,
                                tls: resolvedTLS, connectTimeout: settings.connectTimeout ?? 10, password: nil)
    }

    static func parsedPort(_ text: String) throws(SupportError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw .invalidInput(field: "db", "'\(Validation.printable(text))' is not a port (1-65535)")
        }
        return port
    }

    static func decoded(_ text: String, what: String) throws(SupportError) -> String {
        guard let value = text.removingPercentEncoding, !value.contains("\0") else {
            throw .invalidInput(field: "db", "the \(what) in the postgresql:// address is not valid percent-encoded text")
        }
        return value
    }

    static var loginName: String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// `PGPASSWORD`, else the first matching line of the password file. A password file that
    /// others may read is refused (libpq ignores it with a warning; a desk's tool says so and
    /// stops, exit 78, since connecting without it would only fail less clearly).
    static func findPassword(for location: PostgresLocation, environment: [String: String],
                             home: String?) throws(SupportError) -> (password: String?, source: String?) {
        if let password = environment["PGPASSWORD"], !password.isEmpty { return (password, "PGPASSWORD") }
        let path: String
        if let file = environment["PGPASSFILE"], !file.isEmpty {
            path = file
        } else if let home, !home.isEmpty {
            path = home + "/.pgpass"
        } else {
            return (nil, nil)
        }
        // Read as the config file is (PrivateFile: the descriptor read is the one checked), but
        // whoever owns it, as libpq reads it.
        guard let bytes = try PrivateFile.read(path, what: "password file", ownedByYouOrRoot: false, limit: 1024 * 1024) else {
            return (nil, nil)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .configuration("the password file \(Validation.printable(path, limit: 300)) is not UTF-8 text")
        }
        let host: String
        switch location.endpoint {
        case .tcp(let name, _): host = name
        // libpq matches a socket connection with "localhost" (or the socket directory).
        case .unixSocket: host = "localhost"
        }
        let wanted = [host, String(location.endpoint.port), location.database, location.user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = passFileFields(String(line))
            guard fields.count == 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in
                field == "*" || field == value || (field == "localhost" && value == "localhost")
            }
            if matches { return (fields[4], "the password file \(Validation.printable(path, limit: 300))") }
        }
        return (nil, nil)
    }

    /// One line of a password file split at its unescaped colons (`\:` and `\\` are escapes).
    static func passFileFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
