import ArgumentParser
import Foundation
import SupportCore

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the desk's HTTP API (JWT bearer tokens; see 'support token issue').",
        discussion: """
            Runs support-server, installed beside support, over the same database. It logs one line per \
            request to stderr and stops cleanly on SIGTERM or SIGINT.
            """
    )

    @Option(help: ArgumentHelp("Address to listen on (port 0: any free port, printed on start).", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("Failed authentications a client address may make per minute before it gets 429.", valueName: "n"))
    var authFailureLimit = 20

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Frontend.run(global) { frontend in
            // A server outlives the caller's session and listens as the wrapper's user.
            try PinnedMode.refuse("support serve", "run the server as its own service (see README, \"Serving a team\")")
            guard (1...1_000_000).contains(authFailureLimit) else {
                throw SupportError.invalidInput(field: "auth-failure-limit", "--auth-failure-limit must be from 1 to 1000000")
            }
            // Opened (created, migrated) here so that a bad --db fails as every other command does.
            _ = try frontend.openDatabase()
            try ServerHandOver.exec(["serve", "--db", frontend.databasePath.path, "--listen", listen,
                                      "--auth-failure-limit", String(authFailureLimit)])
        }
    }
}

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Issue and revoke the API tokens of 'support serve' (admin).",
        subcommands: [Issue.self, Revoke.self]
    )

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a bearer token for an existing user; hand it to them privately.",
            discussion: "The token names the person; their role is read from the database on every request."
        )

        @Argument(help: ArgumentHelp("The user's email.", valueName: "email"))
        var email: String

        @Option(help: ArgumentHelp("Lifetime: 90m, 12h, 30d, 2w (at most 366 days).", valueName: "duration"))
        var expires = "30d"

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                // Checked here (the local operator or --as an admin); the signing needs support-server.
                _ = try frontend.desk().tokenSubject(email: email)
                try ServerHandOver.exec(["token-issue", "--db", frontend.databasePath.path, email, "--expires", expires])
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End every token issued so far to a user.")

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
/// executable: NIO, Hummingbird and the JWT library stay out of `support`, whose every command
/// would otherwise start slower.
enum ServerHandOver {
    static func exec(_ arguments: [String]) throws -> Never {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        guard length > 0 else { throw SupportError.configuration("cannot find the support executable (/proc/self/exe)") }
        let own = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let server = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("support-server").path
        guard access(server, X_OK) == 0 else {
            throw SupportError.configuration("support-server is not installed beside support (\(server))")
        }
        fflush(nil)
        let argv = ([server] + arguments).map { strdup($0) } + [nil]
        execv(server, argv)
        let reason = String(cString: strerror(errno))
        throw SupportError.configuration("cannot run \(server): \(reason)")
    }
}
