import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOPosix
import SupportCore

/// `support-server`: reached through `support serve` and `support token issue`, which resolve the
/// database path and hand over their arguments, so that `support` itself never links NIO.
///
///     support-server serve --db PATH|--config FILE [--listen HOST:PORT] [--openapi PATH]
///     support-server token-issue --db PATH|--config FILE EMAIL [--expires 30d]
///
/// `--config FILE`: the config file `support` found the desk in (DeskConfigFile), read here
/// again with the same checks, so that its password reaches the server through the file only.
public enum ServerMain {
    public static func run(_ arguments: [String]) async -> Int32 {
        var options: [String: String] = [:]
        var positional: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word.hasPrefix("--") {
                guard index + 1 < arguments.count else { return fail(.invalidInput(field: nil, "\(word) needs a value")) }
                options[String(word.dropFirst(2))] = arguments[index + 1]
                index += 2
            } else {
                positional.append(word)
                index += 1
            }
        }
        guard let command = positional.first, options["db"].map({ !$0.isEmpty }) ?? (options["config"] != nil) else {
            return fail(.invalidInput(field: nil, "usage: support-server serve|token-issue --db PATH|--config FILE …"))
        }
        do {
            let database = try openDesk(db: options["db"], config: options["config"], connections: command == "serve" ? Self.postgresConnections : 1)
            switch command {
            case "serve":
                let limit = Int(options["auth-failure-limit"] ?? "20") ?? 20
                let provider = try await identityProvider(options)
                let flushEvery = try options["flush-every"].map { text throws(SupportError) in try OutboxFlushService.interval(text) }
                return try await serve(database: database, listen: options["listen"] ?? "127.0.0.1:8080",
                                       openAPIPath: options["openapi"], authFailureLimit: max(1, limit), provider: provider,
                                       flushEvery: flushEvery, limits: try ConnectionLimits(options), options: options)
            case "token-issue":
                guard positional.count == 2 else { return fail(.invalidInput(field: nil, "usage: support token issue EMAIL [--expires 30d]")) }
                let lifetime = try TokenAuthority.lifetime(options["expires"] ?? "30d")
                let desk = HelpDesk(storage: database, actor: .localOperator)
                let (user, generation) = try desk.tokenSubject(email: positional[1])
                let authority = await TokenAuthority(secret: try HelpDesk.tokenSigningKey(in: database))
                print(try await authority.issue(email: user.email, generation: generation, lifetime: lifetime))
                return 0
            default:
                return fail(.invalidInput(field: nil, "unknown command \(Validation.printable(command))"))
            }
        } catch let error as SupportError {
            return fail(error)
        } catch {
            return fail(.internalError("\(error)"))
        }
    }

    /// The connections a server holds to a PostgreSQL desk, shared by its request threads.
    static let postgresConnections = 16

    /// The desk `support` handed over: `--db` (a file or a `postgresql://` address) or
    /// `--config` (a config file's desk). `support serve` opened (created, migrated, switched to
    /// WAL) an SQLite file before handing over, so the server gets its pool of readers; a
    /// PostgreSQL desk, a pool of `connections` shared by the request threads.
    static func openDesk(db: String?, config: String?, connections: Int) throws(SupportError) -> DeskStorage {
        let environment = ProcessInfo.processInfo.environment
        var path = db ?? ""
        if db == nil, let config {
            switch try DeskConfigFile.load(config).desk {
            case .postgres(let settings):
                return try .postgres(settings, environment: environment, home: environment["HOME"], connections: connections)
            case .sqlite(let file): path = file
            case nil: throw .configuration("config file \(Validation.printable(config, limit: 300)) names no desk")
            }
        }
        if PostgresLocation.isPostgres(path) {
            return try .postgres(path, environment: environment, home: environment["HOME"], connections: connections)
        }
        return .sqlite(try AppDatabase.open(path: path, createDirectory: false, readers: connections > 1 ? 4 : 0,
                                            groupCommit: connections > 1))
    }

    static func fail(_ error: SupportError) -> Int32 {
        // Start-up failures are about the command line that started the server: fields as its flags.
        let naming = Wording.Naming(showsCommandLineText: true) { field, placeholder in "--" + field + (placeholder.map { " " + $0 } ?? "") }
        FileHandle.standardError.write(Data(("support: " + error.message(naming: naming) + "\n").utf8))
        return error.exitCode
    }

    /// The external identity provider of `--jwt-public-key FILE --jwt-issuer ISS --jwt-audience AUD
    /// [--jwt-email-claim email]`, or nil when no key is named.
    static func identityProvider(_ options: [String: String]) async throws(SupportError) -> ExternalIdentityProvider? {
        guard let path = options["jwt-public-key"] else {
            if options["jwt-issuer"] != nil || options["jwt-audience"] != nil || options["jwt-email-claim"] != nil {
                throw .invalidInput(field: "jwt-public-key", "--jwt-issuer, --jwt-audience and --jwt-email-claim need --jwt-public-key")
            }
            return nil
        }
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .configuration("cannot read --jwt-public-key \(Validation.printable(path))")
        }
        return try await ExternalIdentityProvider(publicKeyPEM: pem, issuer: options["jwt-issuer"] ?? "",
                                                  audience: options["jwt-audience"] ?? "",
                                                  emailClaim: options["jwt-email-claim"] ?? "email")
    }

    static func parseListen(_ text: String) throws(SupportError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw .invalidInput(field: "listen", "--listen must be HOST:PORT, e.g. 127.0.0.1:8080")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .invalidInput(field: "listen", "--listen must name a host, e.g. 127.0.0.1:8080") }
        return (host, port)
    }

    static func serve(database: DeskStorage, listen: String, openAPIPath: String?, authFailureLimit: Int,
                      provider: ExternalIdentityProvider?, flushEvery: Duration?,
                      limits: ConnectionLimits, options: [String: String]) async throws -> Int32 {
        let (host, port) = try parseListen(listen)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "support.server")
        if let provider {
            logger.info("accepting provider tokens", metadata: ["algorithm": "\(provider.algorithm)", "issuer": "\(provider.issuer)",
                                                                "audience": "\(provider.audience)", "emailClaim": "\(provider.emailClaim)"])
        }
        // The embedded copy unless another is named (a document edited without a rebuild).
        let document = openAPIPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? OpenAPIDocument.yaml
        // As many writes may wait for their shared transaction (GroupCommit) as there are threads
        // here: a batch of up to 32.
        let writeThreads = NIOThreadPool(numberOfThreads: 32)
        writeThreads.start()
        // A PostgreSQL desk's reads wait on threads of their own (API.reading), as many as its
        // connections: each read holds one connection at a time.
        let readThreads = database.isPostgres ? NIOThreadPool(numberOfThreads: Self.postgresConnections) : nil
        readThreads?.start()
        var api = API(database: database, authority: await TokenAuthority(secret: try HelpDesk.tokenSigningKey(in: database), provider: provider),
                      limiter: FailedAuthLimiter(limit: authFailureLimit), logger: logger, openAPIDocument: document,
                      writeThreads: writeThreads, readThreads: readThreads)
        api.bodyTimeout = .seconds(limits.idleTimeoutSeconds)
        let router = Router(context: APIContext.self)
        router.add(middleware: AccessLog(logger: logger, trustProxy: options["trust-proxy"] == "true"))
        api.register(on: router)
        var app = Application(
            router: router,
            // Idle clients, and clients whose headers do not arrive whole, are dropped after the
            // idle timeout (30 s); a body must arrive within as long (API.collectBody); headers are
            // bounded (16 KiB each, 64 KiB in all).
            server: .http1(configuration: .init(
                idleTimeout: .seconds(Int64(limits.idleTimeoutSeconds)),
                httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 100))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil,
                                 availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
            onServerRunning: { channel in
                // The bound address on stdout, one line: with port 0, the tests learn the port here.
                let bound = channel.localAddress.map { "\($0.ipAddress ?? host):\($0.port ?? port)" } ?? listen
                FileHandle.standardOutput.write(Data("listening on \(bound)\n".utf8))
            },
            logger: logger)
        if let flushEvery {
            app.addServices(OutboxFlushService(database: database, interval: flushEvery, logger: logger))
        }
        // runService installs SIGTERM/SIGINT handlers (swift-service-lifecycle): on either, the
        // server stops accepting, lets in-flight requests finish, and returns.
        try await app.runService()
        try? await writeThreads.shutdownGracefully()
        try? await readThreads?.shutdownGracefully()
        // Every request has been answered and the flush service has stopped: close the file
        // now, not whenever the last reference to it happens to go (a pool's -wal would stay).
        try database.close()
        logger.info("stopped")
        return 0
    }
}

/// `--idle-timeout SECONDS` (default 30) and `--max-connections N` (default 512): past the cap,
/// new connections wait in the kernel's queue until one closes.
struct ConnectionLimits {
    var idleTimeoutSeconds = 30
    var maxConnections = 512

    init(_ options: [String: String]) throws(SupportError) {
        if let text = options["idle-timeout"] {
            guard let seconds = Int(text), (1...3600).contains(seconds) else {
                throw .invalidInput(field: "idle-timeout", "--idle-timeout must be from 1 to 3600 seconds")
            }
            idleTimeoutSeconds = seconds
        }
        if let text = options["max-connections"] {
            guard let count = Int(text), (1...100_000).contains(count) else {
                throw .invalidInput(field: "max-connections", "--max-connections must be from 1 to 100000")
            }
            maxConnections = count
        }
    }
}
