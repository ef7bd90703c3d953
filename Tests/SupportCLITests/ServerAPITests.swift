import Foundation
import Testing

/// `support serve` end to end: the real binaries on a real database, a real HTTP client
/// (Python's urllib, Tests/server/api_e2e.py) on 127.0.0.1, the server started on a free port
/// and stopped with SIGTERM by the test.
@Suite(.serialized)
struct ServerAPITests {
    static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    /// Starts `support serve --listen 127.0.0.1:0` and waits for the line naming its port.
    static func startServer(_ sandbox: Sandbox, extra: [String] = []) throws -> (RunningCommand, String, URL) {
        let log = sandbox.directory.appendingPathComponent("server.out")
        let server = try sandbox.launchShell(
            "exec \"$SUPPORT\" serve --listen 127.0.0.1:0 \(extra.joined(separator: " ")) > \(log.path)")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let text = try? String(contentsOf: log, encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                return (server, "http://" + line.dropFirst("listening on ".count), log)
            }
            usleep(50_000)
        }
        server.send(SIGKILL)
        throw CLIError(description: "the server did not start: \(try server.wait())")
    }

    @Test(arguments: Engine.available) func seedFlowsRolesJWTAttacksAndHostileBodiesOverHTTP(engine: Engine) throws {
        // Given a desk with an admin, an agent and two requesters, served on a free port
        let sandbox = try Sandbox(engine: engine)
        for (email, role) in [("admin@example.com", "admin"), ("agent@example.com", "internal"),
                              ("alice@example.com", "user"), ("bob@example.com", "user")] {
            try sandbox.succeed(["user", "add", email, "--role", role])
        }
        let (server, base, _) = try Self.startServer(sandbox, extra: ["--auth-failure-limit", "40"])

        // When the client script runs every check against it
        let script = Self.packageRoot.appendingPathComponent("Tests/server/api_e2e.py").path
        let openapi = Self.packageRoot.appendingPathComponent("docs/openapi.yaml").path
        let client = try sandbox.launch(
            ["python3", script, base, sandbox.binary.path, sandbox.desk, openapi, "40"],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
            executable: URL(fileURLWithPath: "/usr/bin/env"))
        let result = try client.wait(timeout: 300)

        // Then every check passed
        #expect(result.status == 0, "\(result)")
        #expect(result.out.contains("0 failures"), "\(result.out.suffix(3000))")

        // And SIGTERM stops the server cleanly, its log naming requests but no token
        server.send(SIGTERM)
        let stopped = try server.wait(timeout: 30)
        #expect(stopped.status == 0 && !stopped.signaled, "\(stopped)")
        #expect(stopped.err.contains("status=200") || stopped.err.contains("status: 200") || stopped.err.contains("200"),
                "the access log: \(stopped.err.prefix(2000))")
        #expect(stopped.err.contains("authentication failed"), "failed authentications are logged")
        #expect(!stopped.err.contains("eyJ"), "no token in the log")
        #expect(!stopped.err.contains("spam folder"), "no body in the log")
    }

    /// Runs a Python script of Tests/server against the server at `base` and expects "0 failures".
    static func runScript(_ sandbox: Sandbox, _ name: String, _ arguments: [String], timeout: TimeInterval = 300) throws -> CLIResult {
        let script = packageRoot.appendingPathComponent("Tests/server/\(name)").path
        let client = try sandbox.launch(
            ["python3", script] + arguments,
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
            executable: URL(fileURLWithPath: "/usr/bin/env"))
        return try client.wait(timeout: timeout)
    }

    @Test(arguments: Engine.available) func longTicketsAreSentPageByPageWithTheRepliesEachReaderMaySee(engine: Engine) throws {
        // Given a desk with an admin, an agent and two requesters, their tokens, and a server
        let sandbox = try Sandbox(engine: engine)
        for (email, role) in [("admin@example.com", "admin"), ("agent@example.com", "internal"),
                              ("alice@example.com", "user"), ("bob@example.com", "user")] {
            try sandbox.succeed(["user", "add", email, "--role", role])
        }
        let tokens = try ["admin@example.com", "alice@example.com", "bob@example.com"].map { email in
            try sandbox.succeed(["token", "issue", email, "--expires", "1h"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let (server, base, _) = try Self.startServer(sandbox)

        // When the script imports a ticket of 257 replies and one of 600 replies of 60 KiB and
        // reads them over HTTP as each person
        let result = try Self.runScript(sandbox, "replies_e2e.py",
                                        [base] + tokens + [sandbox.binary.path, sandbox.desk, String(server.processIdentifier)])

        // Then each got what `ticket show --all --json` gives them, in pages, in bounded memory
        #expect(result.status == 0 && result.out.contains("0 failures"), "\(result.out.suffix(3000)) \(result.err.suffix(2000))")
        server.send(SIGTERM)
        let stopped = try server.wait(timeout: 60)
        #expect(stopped.status == 0 && !stopped.signaled, "\(stopped)")
    }

    /// The server writes the tickets that many clients open at once in shared transactions (group
    /// commit on SQLite): each request still gets its own answer and its own writes, and nothing
    /// of a refused one is kept.
    @Test(arguments: Engine.available) func ticketsOpenedByManyClientsAtOnceAreEachWrittenOnceWithTheirRules(engine: Engine) throws {
        // Given mail on, limits of 4 tickets and 4 replies an hour for requesters, six requesters
        // and an admin
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail()
        try sandbox.succeed(["settings", "set", "ticket_rate_limit_per_hour", "4"])
        try sandbox.succeed(["settings", "set", "reply_rate_limit_per_hour", "4"])
        let requesters = (0..<6).map { "r\($0)@example.com" }
        for (email, role) in [("admin@example.com", "admin"), ("probe@example.com", "user")] + requesters.map({ ($0, "user") }) {
            try sandbox.succeed(["user", "add", email, "--role", role])
        }
        // (the mails a requester's new ticket queues, counted on one)
        try sandbox.succeed(["ticket", "create", "--subject", "Probe", "--message", "m", "--category", "bug-report"], as: "probe@example.com")
        let mailsPerTicket = try sandbox.outbox().count
        #expect(mailsPerTicket > 0)
        let tokens = try (["admin@example.com"] + requesters).map { email in
            try sandbox.succeed(["token", "issue", email, "--expires", "1h"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let (server, base, _) = try Self.startServer(sandbox)

        // When each requester opens 7 tickets from three clients at once, the admin 40 from four,
        // and ten bodies that break a rule arrive meanwhile; then each requester replies 6 times
        // to their first ticket from three clients, and the admin 20 times from four
        let result = try Self.runScript(sandbox, "creates_e2e.py", [base, "4"] + tokens)
        server.send(SIGTERM)
        let stopped = try server.wait(timeout: 60)
        #expect(stopped.status == 0 && !stopped.signaled, "\(stopped)")

        // Then each requester got 4 created and 3 refused with 429, the admin 40, the bad bodies
        // 400; 4 replies each added and 2 refused, the admin's 20 added
        #expect(result.status == 0 && result.out.contains("\n0 failures"), "\(result.out.suffix(3000)) \(result.err.suffix(2000))")
        let firstLine = result.out.split(separator: "\n").first.map(String.init) ?? ""
        let answered = try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any] ?? [:]
        let created = answered["created"] as? [String] ?? []
        #expect(created.count == 6 * 4 + 40)
        // And the desk holds exactly those tickets, numbered without a gap after the probe's,
        // each with one creation in the audit trail and its mails in the outbox
        let listed = try sandbox.succeed(["ticket", "list", "--status", "all", "--limit", "100", "--json"]).json()
        let numbers = (listed["tickets"] as? [[String: Any]] ?? []).compactMap { $0["ticketNumber"] as? String }
        #expect(Set(numbers) == Set(created + [Sandbox.number(1)]), "\(numbers.count) listed")
        #expect(Set(numbers) == Set((1...(created.count + 1)).map { Sandbox.number($0) }), "gap-free")
        let audit = try sandbox.succeed(["audit", "--action", "ticket.created", "--limit", "100", "--json"]).json()
        let audited = (audit["events"] as? [[String: Any]] ?? []).compactMap { $0["ticketNumber"] as? String }
        #expect(audited.sorted() == numbers.sorted(), "one creation each")
        let replied = try sandbox.succeed(["audit", "--action", "ticket.replied", "--limit", "100", "--json"]).json()
        #expect((replied["events"] as? [[String: Any]] ?? []).count == 6 * 4 + 20, "one audit event a reply")
        #expect(answered["replies"] as? Int == 6 * 4 + 20)
    }

    @Test(arguments: [("RS256", "email"), ("ES256", "upn")], Engine.available)
    func identityProviderTokensAreVerifiedByItsPublicKeyAndEveryAttackIs401(_ c: (algorithm: String, emailClaim: String), engine: Engine) throws {
        let (algorithm, emailClaim) = c
        // Given a desk and a provider's key pair (and a second key of the same type it never names)
        let sandbox = try Sandbox(engine: engine)
        for (email, role) in [("admin@example.com", "admin"), ("agent@example.com", "internal"),
                              ("alice@example.com", "user"), ("carol@example.com", "user")] {
            try sandbox.succeed(["user", "add", email, "--role", role])
        }
        let keys = sandbox.directory.path
        let generate = algorithm == "RS256" ? "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" : "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"
        let made = try sandbox.launchShell("""
            set -e; cd \(keys)
            openssl genpkey \(generate) -out idp.pem 2>/dev/null; openssl pkey -in idp.pem -pubout -out idp.pub
            openssl genpkey \(generate) -out other.pem 2>/dev/null
            """).wait()
        #expect(made.status == 0, "\(made)")

        // When the server accepts the provider's tokens and the attack script runs against it
        let (server, base, _) = try Self.startServer(sandbox, extra: [
            "--auth-failure-limit", "100", "--jwt-public-key", "\(keys)/idp.pub", "--jwt-issuer", "https://idp.example.com",
            "--jwt-audience", "support-desk", "--jwt-email-claim", emailClaim])
        let result = try Self.runScript(sandbox, "provider_e2e.py", [
            base, sandbox.binary.path, sandbox.desk, "\(keys)/idp.pem", "\(keys)/idp.pub", "\(keys)/other.pem", algorithm, emailClaim])

        // Then good tokens act as the person with the database's role, every attack is a 401,
        server.send(SIGTERM)
        let stopped = try server.wait(timeout: 30)
        #expect(result.status == 0 && result.out.contains("0 failures"), "\(result.out.suffix(3000)) \(result.err.suffix(2000))")
        // and the refusals are logged with a reason but never with the token
        #expect(stopped.status == 0, "\(stopped)")
        #expect(stopped.err.contains("authentication failed") && stopped.err.contains("reason="), "\(stopped.err.prefix(2000))")
        #expect(!stopped.err.contains("eyJ"), "no token in the log")
    }

    @Test(arguments: Engine.available) func aProviderKeyWithoutIssuerAndAudienceOrNotAKeyIsRefused(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let key = sandbox.directory.appendingPathComponent("idp.pub")
        try Data("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n".utf8).write(to: key)
        let noIssuer = try sandbox.run(["serve", "--listen", "127.0.0.1:0", "--jwt-public-key", key.path, "--jwt-audience", "a"])
        #expect(noIssuer.status == 64 && noIssuer.err.contains("--jwt-issuer"), "\(noIssuer)")
        let noKey = try sandbox.run(["serve", "--listen", "127.0.0.1:0", "--jwt-issuer", "i"])
        #expect(noKey.status == 64, "\(noKey)")
        let notAKey = try sandbox.run(["serve", "--listen", "127.0.0.1:0", "--jwt-public-key", key.path, "--jwt-issuer", "i",
                                       "--jwt-audience", "a"])
        #expect(notAKey.status == 78 && notAKey.err.contains("PEM"), "\(notAKey)")
    }

    @Test(arguments: Engine.available) func theServersFlusherBesideCronFlushesSendsEveryMessageExactlyOnce(engine: Engine) throws {
        // Given mail to a fake mail program that keeps each message it reads, and 30 queued notices
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail()
        let sink = sandbox.directory.appendingPathComponent("sink")
        try FileManager.default.createDirectory(at: sink, withIntermediateDirectories: true)
        try sandbox.succeed(["settings", "set", "sendmail_command", "\(MailTools.fakeSendmail) --out \(sink.path) --sleep 0.05"])
        let create = """
            for i in $(seq $FROM $TO); do
              "$SUPPORT" ticket create --subject "Ticket $i" --category bug-report --message m --requester "r$i@example.test" >/dev/null || exit 1
            done
            """
        #expect(try sandbox.launchShell(create, environment: ["FROM": "1", "TO": "30"]).wait().status == 0)

        // When the server flushes every second while three cron flushes run beside it and 30 more
        // tickets are opened
        let (server, _, _) = try Self.startServer(sandbox, extra: ["--flush-every", "1s"])
        let more = try sandbox.launchShell(create, environment: ["FROM": "31", "TO": "60"])
        var cron: [RunningCommand] = []
        for _ in 0..<3 {
            cron.append(try sandbox.launch(["notify", "flush", "--json", "--jobs", "4"]))
            usleep(300_000)
        }
        #expect(try more.wait().status == 0)
        cron.append(try sandbox.launch(["notify", "flush", "--json", "--jobs", "4"]))
        var cronSent = 0
        for flush in cron {
            let result = try flush.wait(timeout: 120)
            #expect(result.status == 0, "\(result)")
            cronSent += try result.flushSummary().sent
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try sandbox.outbox().contains(where: { $0["status"] as? String != "sent" }) { usleep(200_000) }
        server.send(SIGTERM)
        let stopped = try server.wait(timeout: 60)

        // Then all 60 were sent, each exactly once (60 files, 60 different Message-IDs), shared
        // between the server and cron
        let outbox = try sandbox.outbox()
        #expect(outbox.count == 60 && outbox.allSatisfy { $0["status"] as? String == "sent" }, "\(outbox.map { $0["status"] ?? "" })")
        let delivered = try FileManager.default.contentsOfDirectory(atPath: sink.path).filter { $0.hasSuffix(".eml") }
        #expect(delivered.count == 60, "\(delivered.count) delivered")
        let messageIDs = try Set(delivered.map { name in
            try String(contentsOf: sink.appendingPathComponent(name), encoding: .utf8)
                .split(separator: "\n").first { $0.lowercased().hasPrefix("message-id:") }.map(String.init) ?? name
        })
        #expect(messageIDs.count == 60)
        let serverSent = stopped.err.split(separator: "\n").filter { $0.contains("mail flushed") }.compactMap { line in
            line.firstRange(of: /sent=(\d+)/).flatMap { Int(line[$0].dropFirst(5)) }
        }.reduce(0, +)
        #expect(serverSent > 0, "the server sent some: \(stopped.err.suffix(1500))")
        #expect(serverSent + cronSent == 60, "server \(serverSent) + cron \(cronSent)")
        #expect(stopped.status == 0, "\(stopped)")
    }

    @Test(arguments: Engine.available) func requestLimitsSlowClientsConnectionCapAndSIGTERMWithARequestInFlight(engine: Engine) throws {
        // Given a server with a 2 s idle timeout and room for 4 connections
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", "admin@example.com", "--role", "admin"])
        let token = try sandbox.succeed(["token", "issue", "admin@example.com", "--expires", "1h"]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (server, base, _) = try Self.startServer(sandbox, extra: ["--idle-timeout", "2", "--max-connections", "4"])

        // When the script sends duplicate keys, oversized headers, dribbles headers and a body,
        // opens a fifth connection, and sends SIGTERM with a request half sent
        let result = try Self.runScript(sandbox, "limits_e2e.py", [base, token, String(server.processIdentifier), "2", "4"])
        let stopped = try server.wait(timeout: 60)

        // Then every check passed, the request in flight was answered and stored, and the server
        // exited 0 having closed the database (SQLite: its -wal checkpointed and emptied, the file intact)
        #expect(result.status == 0 && result.out.contains("0 failures"), "\(result.out.suffix(3000)) \(result.err.suffix(2000))")
        #expect(stopped.status == 0 && !stopped.signaled, "\(stopped)")
        if engine == .sqlite {
            let wal = try FileManager.default.attributesOfItem(atPath: sandbox.dbPath + "-wal")[.size] as? Int
            #expect(wal == 0, "the -wal after a clean close: \(wal ?? -1) bytes")
            let integrity = try sandbox.launch(["sqlite3", sandbox.dbPath, "PRAGMA integrity_check"],
                                               executable: URL(fileURLWithPath: "/usr/bin/env")).wait()
            #expect(integrity.out == "ok\n", "\(integrity)")
        }
        let list = try sandbox.succeed(["ticket", "list", "--json"]).json()
        let subjects = (list["tickets"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
        #expect(subjects == ["In flight at SIGTERM"], "\(subjects)")
    }

    /// nginx on this machine, or nil (the test then skips, saying why; CI installs it).
    static let nginx: String? = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(arguments: Engine.available) func readmesNginxConfigServesTheAPIOverTLS(engine: Engine) throws {
        guard let nginx = Self.nginx else {
            print("skipped readmesNginxConfigServesTheAPIOverTLS: nginx is not installed (apt-get install nginx; .ci/run does it)")
            return
        }
        // Given the server behind docs/nginx/support.conf, with a self-signed certificate for 127.0.0.1
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", "admin@example.com", "--role", "admin"])
        let token = try sandbox.succeed(["token", "issue", "admin@example.com", "--expires", "1h"]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (server, base, _) = try Self.startServer(sandbox, extra: ["--trust-proxy"])
        let dir = sandbox.directory.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let made = try sandbox.launchShell("""
            openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
              -keyout \(dir.path)/key.pem -out \(dir.path)/cert.pem 2>/dev/null
            python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
            """).wait()
        let port = try #require(Int(made.out.trimmingCharacters(in: .whitespacesAndNewlines)), "\(made)")
        let site = try String(contentsOf: Self.packageRoot.appendingPathComponent("docs/nginx/support.conf"), encoding: .utf8)
            .replacingOccurrences(of: "listen 443 ssl;", with: "listen 127.0.0.1:\(port) ssl;")
            .replacingOccurrences(of: "/etc/ssl/support/fullchain.pem", with: "\(dir.path)/cert.pem")
            .replacingOccurrences(of: "/etc/ssl/support/privkey.pem", with: "\(dir.path)/key.pem")
            .replacingOccurrences(of: "http://127.0.0.1:8080", with: base)
        #expect(site.contains("\(dir.path)/cert.pem") && site.contains(base), "the test rewrote the shipped config")
        // A root master hands requests to workers as root here: the temporary prefix is not nobody's.
        let conf = """
            \(geteuid() == 0 ? "user root;" : "")
            worker_processes 1;
            pid \(dir.path)/nginx.pid;
            error_log \(dir.path)/logs/error.log;
            events { worker_connections 64; }
            http {
                access_log \(dir.path)/logs/access.log;
                client_body_temp_path \(dir.path)/body; proxy_temp_path \(dir.path)/proxy;
                fastcgi_temp_path \(dir.path)/fastcgi; uwsgi_temp_path \(dir.path)/uwsgi; scgi_temp_path \(dir.path)/scgi;
            \(site)
            }
            """
        try Data(conf.utf8).write(to: dir.appendingPathComponent("nginx.conf"))
        let proxy = try sandbox.launch([nginx, "-p", dir.path, "-c", dir.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"],
                                       executable: URL(fileURLWithPath: "/usr/bin/env"))
        defer { proxy.send(SIGTERM); _ = try? proxy.wait(timeout: 30) }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !FileManager.default.fileExists(atPath: dir.appendingPathComponent("nginx.pid").path) { usleep(100_000) }
        usleep(300_000)

        // When the client talks HTTPS to nginx (and once straight to the server, as nginx does)
        let result = try Self.runScript(sandbox, "nginx_tls.py",
                                        ["https://127.0.0.1:\(port)", "\(dir.path)/cert.pem", token, base])
        server.send(SIGTERM)
        let stopped = try server.wait(timeout: 30)

        // Then every request went through, and the server logged the client nginx saw: the
        // client's own X-Real-IP was replaced by nginx, and one from the local proxy is believed
        let nginxLog = (try? String(contentsOf: dir.appendingPathComponent("logs/error.log"), encoding: .utf8)) ?? ""
        #expect(result.status == 0 && result.out.contains("0 failures"), "\(result.out.suffix(3000)) \(result.err.suffix(1500)) nginx: \(nginxLog.suffix(1500))")
        #expect(stopped.err.contains("client=127.0.0.1") && !stopped.err.contains("203.0.113.9"), "\(stopped.err.suffix(2000))")
        #expect(stopped.err.contains("client=198.51.100.7"), "\(stopped.err.suffix(2000))")
    }

    @Test func readmeShowsTheTestedNginxConfig() throws {
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let site = try String(contentsOf: Self.packageRoot.appendingPathComponent("docs/nginx/support.conf"), encoding: .utf8)
        #expect(readme.contains("```nginx\n" + site + "```"), "README's nginx block must be docs/nginx/support.conf")
    }

    @Test(arguments: Engine.available) func flushEveryRefusesANonsenseInterval(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        for bad in ["0s", "soon", "2d", "90000s"] {
            let result = try sandbox.run(["serve", "--listen", "127.0.0.1:0", "--flush-every", bad])
            #expect(result.status == 65 && result.err.contains("--flush-every"), "\(bad): \(result)")
        }
    }

    @Test(arguments: Engine.available) func serveRefusesABadListenAddressWithUsageCode(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let result = try sandbox.run(["serve", "--listen", "nowhere"])
        #expect(result.status == 65, "\(result)")
        #expect(result.err.contains("--listen"), "\(result)")
    }

    /// A read of a PostgreSQL desk waits for the database's answers (from another host, as long as
    /// a lock lasts). Reads waiting there, more of them than the machine has cores (Swift's
    /// cooperative threads), must leave the server answering what needs no database, and each
    /// read must end with its ticket once the database answers. A database too busy to check a
    /// token is the server's trouble, not the client's: 503, and no failed authentication counted.
    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func readsWaitingOnPostgreSQLLeaveTheServerAnswering() throws {
        // Given a PostgreSQL desk with a ticket, an admin's token and a server that blocks an
        // address after 2 failed authentications
        let sandbox = try Sandbox(engine: .postgresql)
        let database = try #require(sandbox.postgres)
        try sandbox.succeed(["user", "add", "admin@example.com", "--role", "admin"])
        let token = try sandbox.succeed(["token", "issue", "admin@example.com", "--expires", "1h"]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let created = try sandbox.succeed(["ticket", "create", "--requester", "ann@cust.test", "--subject", "Locked away",
                                           "--message", "Read me.", "--category", "bug-report", "--json"]).json()
        let number = try #require((created["ticket"] as? [String: Any])?["ticketNumber"] as? String)
        let (server, base, _) = try Self.startServer(sandbox, extra: ["--auth-failure-limit", "2"])
        defer { server.send(SIGTERM); _ = try? server.wait(timeout: 30) }
        let psql = try #require(["/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql"].first { FileManager.default.isExecutableFile(atPath: $0) })
        /// Another session holding `table` locked for `seconds`, once PostgreSQL has granted it.
        func hold(_ table: String, seconds: Int) throws -> RunningCommand? {
            let holder = try sandbox.launch(["--no-psqlrc", "--dbname=\(database.url(query: "sslmode=disable"))",
                                             "--command=BEGIN; LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(\(seconds)); COMMIT;"],
                                            environment: database.environment, executable: URL(fileURLWithPath: psql))
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if try sandbox.deskCount("""
                    SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                    WHERE c.relname = '\(table)' AND l.mode = 'AccessExclusiveLock' AND l.granted
                    """) == 1 { return holder }
                usleep(20_000)
            }
            Issue.record("the lock on \(table) was not taken: \(try holder.wait(timeout: 30))")
            return nil
        }

        // When another session holds the tickets locked for 4 s (within the server's lock timeout
        // of 5 s) and the script sends more reads than there are cores
        guard let tickets = try hold("ticket", seconds: 4) else { return }
        let reads = ProcessInfo.processInfo.activeProcessorCount + 2
        let waited = try Self.runScript(sandbox, "waiting_reads_e2e.py", ["wait", base, token, number, String(reads)], timeout: 120)

        // Then /openapi.yaml was answered at once while they waited, and every read ended 200
        #expect(waited.status == 0 && waited.out.contains("0 failures"), "\(waited.out.suffix(3000)) \(waited.err.suffix(2000))")
        #expect(try tickets.wait(timeout: 30).status == 0)

        // When the people are locked for 7 s (past the lock timeout) and three reads come at once
        guard let people = try hold(sandbox.userTable, seconds: 7) else { return }
        let busy = try Self.runScript(sandbox, "waiting_reads_e2e.py", ["busy", base, token, number, "3"], timeout: 120)

        // Then each was answered 503 with Retry-After, and the next read after the lock 200 (not 429)
        #expect(busy.status == 0 && busy.out.contains("0 failures"), "\(busy.out.suffix(3000)) \(busy.err.suffix(2000))")
        #expect(try people.wait(timeout: 30).status == 0)
    }

    @Test(arguments: Engine.available) func tokenIssueNeedsAnExistingUserAndAnAdmin(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", "alice@example.com"])
        #expect(try sandbox.run(["token", "issue", "ghost@example.com"]).status == 66)
        #expect(try sandbox.run(["token", "issue", "alice@example.com"], as: "alice@example.com").status == 77)
        #expect(try sandbox.run(["token", "issue", "alice@example.com", "--expires", "400d"]).status == 65)
        let issued = try sandbox.succeed(["token", "issue", "alice@example.com", "--expires", "2h"])
        #expect(issued.out.split(separator: ".").count == 3, "\(issued)")
    }

    @Test func theEmbeddedDocumentIsDocsOpenAPIYAML() throws {
        let source = try String(contentsOf: Self.packageRoot.appendingPathComponent("Sources/SupportServer/OpenAPIDocument.swift"), encoding: .utf8)
        let document = try String(contentsOf: Self.packageRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        #expect(source.contains("#\"\"\"\n" + document + "\n\"\"\"#"), "run scripts/embed-openapi.sh after editing docs/openapi.yaml")
    }
}
