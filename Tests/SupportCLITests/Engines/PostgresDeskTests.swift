import Foundation
import Testing

/// Issue 17: what a desk on PostgreSQL must hold that SQLite's single file gives for free, with
/// several processes (standing in for several hosts: each connects over TCP on its own) at once.
@Suite("engines: PostgreSQL under several processes")
struct PostgresDeskTests {
    static let agent = "sam@desk.test"

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func eightCreatorsAtOnceGetGapFreeNumbersAndEveryMailIsSentOnceByTwoFlushes() throws {
        // Given a PostgreSQL desk whose mail goes to a fake sendmail
        let sandbox = try Sandbox(engine: .postgresql)
        let sent = sandbox.directory.appendingPathComponent("sent")
        try FileManager.default.createDirectory(at: sent, withIntermediateDirectories: true)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        try sandbox.succeed(["settings", "set", "sendmail_command", "\(MailTools.fakeSendmail) --out \(sent.path) --sleep 0.02"])
        try sandbox.succeed(["settings", "set", "ticket_rate_limit_per_hour", "0"])
        try sandbox.succeed(["user", "add", Self.agent, "--name", "Sam Staff", "--role", "internal"])

        // When 8 processes create 10 tickets each at once, and two flushes run while they do
        let creators = try (0..<8).map { creator in
            try sandbox.launchShell("""
                i=0; while [ $i -lt 10 ]; do
                  "$SUPPORT" ticket create --requester c\(creator)-$i@cust.test --subject "Creator \(creator) ticket $i" \
                    --message "Text $i" --category general-inquiry || exit 1
                  i=$((i+1))
                done
                """)
        }
        let flushes = try (0..<2).map { _ in try sandbox.launch(["notify", "flush", "--json"]) }
        for creator in creators { let result = try creator.wait(); #expect(result.status == 0, "\(result)") }
        for flush in flushes { let result = try flush.wait(); #expect([0, 75].contains(result.status), "\(result)") }
        let last = try sandbox.run(["notify", "flush", "--json"])
        #expect(last.status == 0, "\(last)")

        // Then the numbers are 1...80 with no gap and no repeat
        let list = try sandbox.succeed(["ticket", "list", "--json", "--limit", "500"]).json()
        let numbers = try #require(list["tickets"] as? [[String: Any]]).compactMap { $0["ticketNumber"] as? String }
        #expect(Set(numbers) == Set((1...80).map { Sandbox.number($0) }), "\(numbers.sorted())")
        // And every queued mail was handed to sendmail exactly once
        let outbox = try sandbox.succeed(["notify", "list", "--json"]).json()
        let messages = try #require(outbox["messages"] as? [[String: Any]])
        #expect(!messages.isEmpty)
        #expect(messages.allSatisfy { $0["status"] as? String == "sent" }, "\(messages.filter { $0["status"] as? String != "sent" })")
        let delivered = try FileManager.default.contentsOfDirectory(atPath: sent.path).filter { $0.hasSuffix(".eml") }
        let ids = try delivered.map { name -> String in
            let text = try String(contentsOf: sent.appendingPathComponent(name), encoding: .utf8)
            return try #require(text.split(separator: "\n").first { $0.lowercased().hasPrefix("message-id:") }.map(String.init))
        }
        #expect(ids.count == messages.count, "\(ids.count) delivered for \(messages.count) messages")
        #expect(Set(ids).count == ids.count, "a message was sent twice")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func oneMessageDeliveredByTwoMTAsAtOnceMakesOneTicketAndOneDuplicate() throws {
        // Given a PostgreSQL desk
        let sandbox = try Sandbox(engine: .postgresql)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        let message = Data(InboundFixtures.message(id: "same@cust.example").utf8)

        // When the same message is handed to four ingests at once, three times over
        for round in 0..<3 {
            let again = round == 0 ? message : Data(InboundFixtures.message(subject: "Round \(round)", id: "same\(round)@cust.example").utf8)
            let runs = try (0..<4).map { _ in try sandbox.launch(["mail", "ingest"], stdin: again) }
            for run in runs { let result = try run.wait(); #expect(result.status == 0, "\(result)") }
        }

        // Then each message made one ticket, and the other copies are recorded as duplicates
        let list = try sandbox.succeed(["ticket", "list", "--json"]).json()
        #expect((list["pagination"] as? [String: Any])?["total"] as? Int == 3, "\(list)")
        let records = try #require(try sandbox.succeed(["mail", "list", "--json", "--limit", "100"]).json()["messages"] as? [[String: Any]])
        #expect(records.filter { $0["outcome"] as? String == "created" }.count == 3, "\(records)")
        #expect(records.filter { $0["outcome"] as? String == "duplicate" }.count == 9, "\(records)")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func aDatabaseOfANewerSchemaIsRefusedAndLeftAsItIs() throws {
        // Given a PostgreSQL desk that a newer support has migrated further
        let sandbox = try Sandbox(engine: .postgresql)
        let database = try #require(sandbox.postgres)
        try sandbox.succeed(["user", "add", "ada@desk.test", "--role", "admin"])
        let applied = try #require(Int(try database.sql("SELECT count(*) FROM support_migrations")))
        #expect(applied >= 2, "this version's migrations are all applied")
        try database.sql("INSERT INTO support_migrations (identifier, appliedAt) VALUES ('pg-v99-from-the-future', now())")

        // When this version opens it
        let result = try sandbox.run(["ticket", "list", "--json"])

        // Then it refuses (74) and says to upgrade, and the database is unchanged
        #expect(result.status == 74, "\(result)")
        #expect(result.err.contains("newer version of support"), "\(result)")
        #expect(try database.sql("SELECT count(*) FROM support_migrations") == String(applied + 1))
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func theDatabaseHoldsTheRulesWhoeverWrites() throws {
        // Given a PostgreSQL desk with a ticket
        let sandbox = try Sandbox(engine: .postgresql)
        let database = try #require(sandbox.postgres)
        try sandbox.succeed(["ticket", "create", "--requester", "carla@cust.test", "--subject", "Printer", "--message", "Jammed.",
                             "--category", "technical-issue"])

        // Then what a hand-written statement would break is refused by the database itself
        for statement in [
            "UPDATE ticket SET status = 9",
            "UPDATE ticket SET ticketNumber = 'ST-26-1'",
            "UPDATE ticket SET submittedBy = 9999",
            "INSERT INTO desk_user (email, name, role, createdAt) VALUES ('CARLA@cust.test', 'Twin', 'user', now())",
            "INSERT INTO outbox (ticketNumber, kind, sender, recipient, subject, messageID, message, status, nextAttemptAt, createdAt) VALUES ('x', 'new-ticket', 'a@b.c', 'd@e.f', 's', 'm', '', 'sending', now(), now())",
            "DELETE FROM desk_user",
        ] {
            #expect(throws: (any Error).self, "\(statement)") { try database.sql(statement) }
        }
        // And the counts kept by triggers agree with the rows
        #expect(try database.sql("SELECT sum(tickets) FROM ticket_tally") == "1")
        #expect(try database.sql("SELECT count(*) FROM ticket WHERE search_public @@ plainto_tsquery('support_search', 'printers jam')") == "1")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func anSQLiteDeskCopiedToPostgreSQLAnswersTheSame() throws {
        // Given an SQLite desk with people, tickets, replies, a note, a file, settings, mail and history
        let source = try Sandbox()
        let target = try Sandbox(engine: .postgresql)
        let file = source.directory.appendingPathComponent("screenshot.png")
        try Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) }).write(to: file)
        try source.succeed(["settings", "set", "support_email", "help@desk.test"])
        try source.succeed(["user", "add", Self.agent, "--name", "Sam Staff", "--role", "internal"])
        try source.succeed(["ticket", "create", "--requester", "carla@cust.test", "--subject", "Printer jams", "--message", "Every invoice.",
                            "--category", "technical-issue", "--attach", file.path])
        try source.succeed(["ticket", "create", "--requester", "otto@cust.test", "--subject", "Dark mode", "--message", "Please.",
                            "--category", "feature-request"])
        try source.succeed(["respond", Sandbox.number(1), "--message", "New toner is on its way."], as: Self.agent)
        try source.succeed(["respond", Sandbox.number(1), "--internal", "--message", "Warranty ends in May."], as: Self.agent)
        try source.succeed(["ticket", "update", Sandbox.number(2), "--status", "resolved"], as: Self.agent)
        let before = try Self.views(of: source)

        // When it is copied into an empty PostgreSQL desk
        let copy = try source.run(["db", "copy", "--to", target.desk, "--json"], environment: target.postgresEnvironment)
        #expect(copy.status == 0, "\(copy)")
        let counts = try copy.json()["copied"] as? [String: Any]
        #expect(counts?["ticket"] as? Int == 2 && counts?["response"] as? Int == 2 && counts?["attachment"] as? Int == 1, "\(copy)")

        // Then the PostgreSQL desk answers every view as the SQLite desk did
        for (copied, original) in zip(try Self.views(of: target), before) {
            #expect(copied == original)
        }
        // And it goes on from there: the next ticket is number 3, search finds the note for staff only
        let next = try target.succeed(["ticket", "create", "--requester", "carla@cust.test", "--subject", "Another", "--message", "x",
                                       "--category", "bug-report", "--json"]).json()
        #expect((next["ticket"] as? [String: Any])?["ticketNumber"] as? String == Sandbox.number(3))
        #expect((try target.succeed(["ticket", "list", "--search", "warranty", "--json"], as: Self.agent).json()["pagination"] as? [String: Any])?["total"] as? Int == 1)
        #expect((try target.succeed(["ticket", "list", "--search", "warranty", "--json"], as: "carla@cust.test").json()["pagination"] as? [String: Any])?["total"] as? Int == 0)
        // And a second copy into the now non-empty desk is refused, changing nothing
        let again = try source.run(["db", "copy", "--to", target.desk], environment: target.postgresEnvironment)
        #expect(again.status == 65, "\(again)")
    }

    /// What people see of a desk: each ticket whole (as staff and as its requester), lists,
    /// history, audit, stats, users and the outbox, times kept (a copy keeps them exactly).
    static func views(of sandbox: Sandbox) throws -> [String] {
        var views: [String] = []
        for arguments in [["ticket", "list", "--json"], ["ticket", "export"], ["audit", "--json", "--limit", "500"], ["stats", "--json"],
                          ["user", "list", "--json"], ["notify", "list", "--json"], ["settings", "get", "--json"],
                          ["ticket", "history", Sandbox.number(1), "--json"], ["attachment", "get", "1"]] {
            let result = try sandbox.run(arguments)
            views.append("\(arguments) \(result.status)\n\(result.out)\n\(result.err)")
        }
        views.append(try sandbox.run(["ticket", "show", Sandbox.number(1), "--json"], as: "carla@cust.test").out)
        return views
    }
}
