import Foundation
import Testing

/// A desk on PostgreSQL, from the command line: `support` hands a `postgresql://` `--db` (or
/// SUPPORT_DB) to `support-pg`, which connects, and every way a connection fails ends in one line
/// and the exit code of README's table, with the password nowhere in it. The real binaries, a
/// real PostgreSQL 15 (PostgresTestDatabase) where one is needed.
@Suite("PostgreSQL: connecting and handing over")
struct PostgresConnectionTests {
    /// `support` alone in a directory of its own, with `extra` files beside it.
    func lonelySupport(_ sandbox: Sandbox, beside extra: [String: String] = [:]) throws -> URL {
        let directory = sandbox.directory.appendingPathComponent("bin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let copy = directory.appendingPathComponent("support")
        // A hard link, not a copy: a file written by this process can be held open for writing
        // by a child another test forks meanwhile, and executing it then fails with ETXTBSY
        // ("Text file busy", seen in a full run). A copy only when the link is refused.
        if link(sandbox.binary.path, copy.path) != 0 {
            try FileManager.default.copyItem(at: sandbox.binary, to: copy)
        }
        for (name, script) in extra {
            let path = directory.appendingPathComponent(name).path
            FileManager.default.createFile(atPath: path, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755])
        }
        return copy
    }

    func run(_ sandbox: Sandbox, _ arguments: [String], binary: URL? = nil, environment: [String: String?] = [:]) throws -> CLIResult {
        let result = try sandbox.launch(arguments, environment: environment, executable: binary ?? sandbox.binary).wait()
        #expect(!result.signaled, "crashed: \(arguments)\n\(result)")
        return result
    }

    // MARK: - The handover (no server needed)

    @Test func theHandOverKeepsEveryArgumentWhereverDbIsGiven() throws {
        // Given support with a stand-in support-pg beside it that prints what it was given
        let sandbox = try Sandbox()
        let support = try lonelySupport(sandbox, beside: ["support-pg": "#!/bin/sh\nprintf 'support-pg:'\nprintf ' [%s]' \"$@\"\necho\n"])
        let url = "postgresql://desk@db.example/desk"
        for arguments in [["--db", url, "settings", "get"], ["settings", "get", "--db", url], ["--json", "--db=\(url)", "ticket", "list"],
                          ["ticket", "list", "--as", "--db", "--db", url]] {
            // When a command names a PostgreSQL desk before or after the command's name
            let result = try run(sandbox, arguments, binary: support)
            // Then support-pg runs in its place with the same arguments
            #expect(result.status == 0, "\(arguments): \(result)")
            #expect(result.out == "support-pg: " + arguments.map { "[\($0)]" }.joined(separator: " ") + "\n", "\(arguments)")
        }
        // And SUPPORT_DB hands over the same way, unless --db names an SQLite file
        let viaEnvironment = try run(sandbox, ["settings", "get"], binary: support, environment: ["SUPPORT_DB": url])
        #expect(viaEnvironment.out == "support-pg: [settings] [get]\n", "\(viaEnvironment)")
        let sqlite = try run(sandbox, ["--db", sandbox.dbPath, "settings", "get", "support_name"], binary: support, environment: ["SUPPORT_DB": url])
        #expect(sqlite.status == 0 && sqlite.out == "Support\n", "\(sqlite)")
        // And a postgresql:// word after `--` is nobody's --db
        let afterDashes = try run(sandbox, ["settings", "get", "support_name", "--", "--db", url], binary: support)
        #expect(!afterDashes.out.contains("support-pg:"), "\(afterDashes)")
    }

    @Test func withoutSupportPgBesideItTheDeskOnPostgresIsAConfigurationError() throws {
        // Given support installed without support-pg
        let sandbox = try Sandbox()
        let support = try lonelySupport(sandbox)
        // When a command names a PostgreSQL desk, plainly and with --json
        let plain = try run(sandbox, ["--db", "postgresql://desk@db.example/desk", "settings", "get"], binary: support)
        let json = try run(sandbox, ["settings", "get", "--json"], binary: support, environment: ["SUPPORT_DB": "postgres://desk@db.example/desk"])
        // Then exit 78 says what is missing and where it was looked for
        #expect(plain.status == 78, "\(plain)")
        #expect(plain.err.contains("support-pg") && plain.err.contains(support.deletingLastPathComponent().path), "\(plain)")
        #expect(json.status == 78, "\(json)")
        #expect(try json.apiError()["code"] as? String == "CONFIGURATION_ERROR")
        // And --version is answered by support itself whatever the desk
        let version = try run(sandbox, ["--version"], binary: support, environment: ["SUPPORT_DB": "postgresql://desk@db.example/desk"])
        #expect(version.status == 0 && !version.out.isEmpty, "\(version)")
    }

    @Test func pinnedTheCommandLineCannotHandTheDeskOver() throws {
        // Given a pinned wrapper's environment (an SQLite desk, an actor) and support without support-pg
        let sandbox = try Sandbox()
        let support = try lonelySupport(sandbox)
        // When the caller adds a --db of their own naming PostgreSQL
        let result = try run(sandbox, ["--db", "postgresql://desk@db.example/desk", "ticket", "list"], binary: support,
                             environment: ["SUPPORT_PINNED": "1", "SUPPORT_AS": "alice@example.com"])
        // Then it is the pinned mode's refusal (77), not a handover
        #expect(result.status == 77, "\(result)")
        #expect(result.err.contains("SUPPORT_PINNED"), "\(result)")
    }

    // MARK: - Connecting (support-pg)

    @Test func aPasswordInTheAddressIsRefusedAndNotEchoed() throws {
        // Given an address with a password in it
        let sandbox = try Sandbox()
        let secret = "pw-\(UUID().uuidString)"
        // When a command is given it
        let result = try run(sandbox, ["--db", "postgresql://support_test:\(secret)@127.0.0.1:1/desk", "settings", "get"])
        // Then it is refused as bad input (65), and the password is nowhere in what was printed
        #expect(result.status == 65, "\(result)")
        #expect(result.err.contains("PGPASSWORD"), "\(result)")
        #expect(!result.out.contains(secret) && !result.err.contains(secret))
    }

    @Test func aPasswordFileOthersMayReadIsRefused() throws {
        // Given PGPASSFILE with mode 0644
        let sandbox = try Sandbox()
        let file = sandbox.directory.appendingPathComponent("pgpass")
        let secret = "pw-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: file.path, contents: Data("*:*:*:*:\(secret)\n".utf8), attributes: [.posixPermissions: 0o644])
        // When a command connects
        let result = try run(sandbox, ["--db", "postgresql://support_test@127.0.0.1:1/desk", "settings", "get"],
                             environment: ["PGPASSFILE": file.path])
        // Then exit 78 says to chmod it, without the password
        #expect(result.status == 78, "\(result)")
        #expect(result.err.contains("chmod 600"), "\(result)")
        #expect(!result.err.contains(secret))
    }

    @Test func aServerThatIsNotThereIsBusyPromptly() throws {
        // Given a port nothing listens on
        let sandbox = try Sandbox()
        let port = try closedPort()
        let started = Date()
        // When a command connects with connect_timeout=3
        let result = try run(sandbox, ["--db", "postgresql://support_test@127.0.0.1:\(port)/desk?connect_timeout=3", "settings", "get"],
                             environment: ["PGPASSWORD": "x"])
        // Then it is exit 75 (try again later) at once, naming where it looked
        #expect(result.status == 75, "\(result)")
        #expect(result.err.contains("cannot reach PostgreSQL at postgresql://support_test@127.0.0.1:\(port)/desk"), "\(result)")
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL 15 (SUPPORT_TEST_POSTGRES or /usr/lib/postgresql/15)"))
    func aWrongPasswordNamesUserAndDatabaseButNeverThePassword() throws {
        // Given a database and a wrong password in PGPASSWORD
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        let wrong = "wrong-\(UUID().uuidString)"
        // When a command connects
        let result = try run(sandbox, ["settings", "get", "--db", database.url()], environment: ["PGPASSWORD": wrong])
        // Then exit 78 names user and database, and neither password appears
        #expect(result.status == 78, "\(result)")
        #expect(result.err.contains("support_test") && result.err.contains(database.name), "\(result)")
        #expect(!result.err.contains(wrong) && !result.out.contains(wrong))
        #expect(!result.err.contains(database.server.password))
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL 15 (SUPPORT_TEST_POSTGRES or /usr/lib/postgresql/15)"))
    func anUnknownDatabaseIsAConfigurationError() throws {
        // Given a server without the database named
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        let missing = database.name + "_missing"
        // When a command connects to it
        let result = try run(sandbox, ["--db", "postgresql://support_test@\(database.server.host):\(database.server.port)/\(missing)", "settings", "get"],
                             environment: database.environment)
        // Then exit 78 names it
        #expect(result.status == 78, "\(result)")
        #expect(result.err.contains("has no database '\(missing)'"), "\(result)")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL 15 (SUPPORT_TEST_POSTGRES or /usr/lib/postgresql/15)"))
    func sslmodeRequireAgainstAServerWithoutTLSSaysSo() throws {
        // Given the test server, which has no certificate
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        // When a command asks for TLS or nothing
        let result = try run(sandbox, ["--db", database.url(query: "sslmode=require"), "settings", "get"], environment: database.environment)
        // Then exit 78 says the server does not offer it
        #expect(result.status == 78, "\(result)")
        #expect(result.err.contains("does not offer TLS"), "\(result)")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL 15 (SUPPORT_TEST_POSTGRES or /usr/lib/postgresql/15)"))
    func everyWayOfNamingTheDeskReachesIt() throws {
        // Given a fresh PostgreSQL database
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        // When the desk is named before the command, after it, with '=', in SUPPORT_DB, and over the socket
        var runs: [(String, CLIResult)] = []
        runs.append(("--db first", try run(sandbox, ["--db", database.url(), "settings", "get", "support_name"], environment: database.environment)))
        runs.append(("--db last", try run(sandbox, ["settings", "get", "support_name", "--db", database.url()], environment: database.environment)))
        runs.append(("--db=", try run(sandbox, ["settings", "get", "support_name", "--db=\(database.url())"], environment: database.environment)))
        var environment = database.environment
        environment["SUPPORT_DB"] = database.url()
        runs.append(("SUPPORT_DB", try run(sandbox, ["settings", "get", "support_name"], environment: environment)))
        if let socket = database.socketURL {
            runs.append(("socket", try run(sandbox, ["settings", "get", "support_name", "--db", socket], environment: ["PGPASSWORD": nil])))
        }
        // Then each reads the desk's setting from PostgreSQL
        for (how, result) in runs {
            #expect(result.status == 0 && result.out == "Support\n", "\(how): \(result)")
        }
        // And the desk is in that database, not in a file named after the address
        #expect(try database.sql("SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = current_schema()") == "t")
        #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("postgresql:").path))
    }

    func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
