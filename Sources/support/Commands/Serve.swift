import ArgumentParser
import Foundation
import SupportCore

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the desk's HTTP API (JWT bearer tokens; see 'support token issue').",
        discussion: """
            Runs support-server, installed beside support, over the same database. It logs one line per \
            request to stderr and stops cleanly on SIGTERM or SIGINT.
            """
    )

    @Option(parsing: .unconditional, help: ArgumentHelp("Address to listen on (port 0: any free port, printed on start).", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(parsing: .unconditional, help: ArgumentHelp("Failed authentications a client address may make per minute before it gets 429.", valueName: "n"))
    var authFailureLimit = 20

    @Option(parsing: .unconditional, help: ArgumentHelp("Also accept RS256/ES256 tokens of an identity provider: its public key (PEM).", valueName: "file"))
    var jwtPublicKey: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The provider's issuer (iss) its tokens must carry; required with --jwt-public-key.", valueName: "iss"))
    var jwtIssuer: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The audience (aud) provider tokens must name; required with --jwt-public-key.", valueName: "aud"))
    var jwtAudience: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The provider claim that carries the person's email.", valueName: "claim"))
    var jwtEmailClaim: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Also send the outbox every interval (30s, 5m, 1h), as 'notify flush' does; safe beside a cron flush.",
                               valueName: "interval"))
    var flushEvery: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds before an idle connection is dropped; a request's headers and body must arrive within as long (default 30).",
                               valueName: "seconds"))
    var idleTimeout: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Connections served at once; more wait until one closes (default 512).", valueName: "n"))
    var maxConnections: Int?

    @Flag(help: "Behind a proxy on this machine (nginx): take the client's address from its X-Real-IP header.")
    var trustProxy = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if jwtPublicKey == nil, jwtIssuer != nil || jwtAudience != nil || jwtEmailClaim != nil {
            throw ValidationError("--jwt-issuer, --jwt-audience and --jwt-email-claim need --jwt-public-key")
        }
        if jwtPublicKey != nil, (jwtIssuer ?? "").isEmpty || (jwtAudience ?? "").isEmpty {
            throw ValidationError("--jwt-public-key needs --jwt-issuer and --jwt-audience")
        }
        try OptionRange.check(authFailureLimit, 1...1_000_000, "--auth-failure-limit")
    }

    func run() throws {
        try Frontend.run(global) { frontend in
            // A server outlives the caller's session and listens as the wrapper's user.
            try PinnedMode.refuse("support serve", "run the server as its own service (see README, \"Serving a team\")")
            // Opened (created, migrated) here so that a bad --db fails as every other command does.
            _ = try frontend.openStorage()
            // The server opens the same desk: the same --db, or the same config file, which it
            // reads itself (the password never goes on its command line or into its environment).
            var arguments = ["serve"] + (try frontend.deskChoice().serverArguments) + ["--listen", listen,
                             "--auth-failure-limit", String(authFailureLimit)]
            for (name, value) in [("jwt-public-key", jwtPublicKey), ("jwt-issuer", jwtIssuer), ("jwt-audience", jwtAudience),
                                  ("jwt-email-claim", jwtEmailClaim), ("flush-every", flushEvery),
                                  ("idle-timeout", idleTimeout.map(String.init)), ("max-connections", maxConnections.map(String.init))] {
                if let value { arguments += ["--" + name, value] }
            }
            if trustProxy { arguments += ["--trust-proxy", "true"] }
            try ServerHandOver.exec(arguments)
        }
    }
}

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue and revoke the API tokens of 'support serve' (admin).",
        subcommands: [Issue.self, Revoke.self]
    )

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Print a bearer token for an existing user; hand it to them privately.",
            discussion: "The token names the person; their role is read from the database on every request."
        )

        @Argument(help: ArgumentHelp("The user's email.", valueName: "email"))
        var email: String

        @Option(parsing: .unconditional, help: ArgumentHelp("Lifetime: 90m, 12h, 30d, 2w (at most 366 days).", valueName: "duration"))
        var expires = "30d"

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                // Checked here (the local operator or --as an admin); the signing needs support-server.
                _ = try frontend.desk().tokenSubject(email: email)
                try ServerHandOver.exec(["token-issue"] + (try frontend.deskChoice().serverArguments) + [email, "--expires", expires])
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "End every token issued so far to a user.")

        @Argument(help: ArgumentHelp("The user's email.", valueName: "email"))
        var email: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let user = try frontend.desk().revokeTokens(email: email)
                frontend.emit(json: JSONRenderer.success()) { _ in "Revoked every token of \(user.email)." }
            }
        }
    }
}

/// `support serve` and `support token issue` run `support-server` from the directory of this
/// executable (and `db copy` to PostgreSQL runs `support-pg`): NIO, Hummingbird, the JWT library
/// and the PostgreSQL driver stay out of `support`, whose every command would otherwise start slower.
enum ServerHandOver {
    static func exec(_ arguments: [String], program: String = "support-server") throws -> Never {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        guard length > 0 else { throw SupportError.configuration("cannot find the support executable (/proc/self/exe)") }
        let own = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let server = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent(program).path
        guard access(server, X_OK) == 0 else {
            throw SupportError.configuration("\(program) is not installed beside support (\(server))")
        }
        fflush(nil)
        let argv = ([server] + arguments).map { strdup($0) } + [nil]
        execv(server, argv)
        let reason = String(cString: strerror(errno))
        throw SupportError.configuration("cannot run \(server): \(reason)")
    }
}
