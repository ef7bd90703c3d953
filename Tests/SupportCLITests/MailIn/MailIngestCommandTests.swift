import Foundation
import Testing

extension Sandbox {
    /// The sqlite3 shell holding the database's write lock for `seconds`, started when this
    /// returns (the shell touches a marker once it has the lock). Wait for it to end.
    /// On PostgreSQL, psql holding the desk's tables locked (ACCESS EXCLUSIVE) as long.
    func holdWriteLock(seconds: Int) throws -> RunningCommand {
        let marker = directory.appendingPathComponent("locked").path
        let script = postgres == nil
            ? """
              printf 'BEGIN EXCLUSIVE;\n.shell touch "%s"\n.shell sleep \(seconds)\nCOMMIT;\n' "$MARKER" | /usr/bin/sqlite3 "$SUPPORT_DB"
              """
            : """
              printf '%s\n' 'BEGIN;' 'LOCK TABLE ticket, response, inbound_mail, outbox, audit_event, desk_user, setting IN ACCESS EXCLUSIVE MODE;' \
                  '\\! touch '"$MARKER" 'SELECT pg_sleep(\(seconds));' 'COMMIT;' \
                  | \(PostgresTestDatabase.psql ?? "psql") --no-psqlrc --quiet --set=ON_ERROR_STOP=1 "$SUPPORT_DB?sslmode=disable" >/dev/null
              """
        let holder = try launchShell(script, environment: ["MARKER": marker])
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: marker) && Date() < deadline { usleep(20_000) }
        try #require(FileManager.default.fileExists(atPath: marker), "the lock holder never started")
        return holder
    }
}

/// Messages as a client or an MTA hands them over.
enum InboundFixtures {
    /// A plain message; `envelope` prepends the mbox `From ` line Postfix's local delivery adds.
    static func message(from: String = "Jane Doe <jane@cust.example>", subject: String = "Printer jammed",
                        id: String = UUID().uuidString + "@cust.example", extra: [String] = [],
                        body: String = "Paper is stuck.", envelope: Bool = false) -> String {
        var lines = envelope ? ["From jane@cust.example  Sat Dec  5 08:54:08 2026"] : []
        lines += ["From: \(from)", "To: help@desk.test", "Subject: \(subject)", "Message-ID: <\(id)>"] + extra
        lines += ["Content-Type: text/plain; charset=utf-8", "", body, ""]
        return lines.joined(separator: "\n")
    }
}

/// `support mail ingest`, `mail list` and `mail retry`, run as an MTA or an admin runs them.
@Suite("mail ingest, list and retry (CLI)")
struct MailIngestCommandTests {
    func messages(_ result: CLIResult) throws -> [[String: Any]] {
        try #require(try result.json()["messages"] as? [[String: Any]], "\(result)")
    }

    @Test(arguments: Engine.available) func aMessageOnStdinOpensATicketOnceAndSaysSoInJSON(engine: Engine) throws {
        // Given a desk, and a message as Postfix pipes it (envelope line first)
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        let mail = Data(InboundFixtures.message(envelope: true).utf8)
        // When it is ingested twice (an MTA retry)
        let first = try sandbox.run(["mail", "ingest", "--json"], stdin: mail)
        let second = try sandbox.run(["mail", "ingest", "--json"], stdin: mail)
        // Then both exit 0; the first opened ST-…-001, the second is a duplicate
        #expect(first.status == 0 && second.status == 0, "\(first)\n\(second)")
        let created = try #require(try messages(first).first)
        #expect(created["outcome"] as? String == "created" && created["ticketNumber"] as? String == Sandbox.number(1))
        #expect(created["sender"] as? String == "jane@cust.example" && created["truncated"] as? Bool == false)
        #expect((created["sha256"] as? String)?.count == 64)
        #expect(try messages(second).first?["outcome"] as? String == "duplicate")
        // And the ticket is Jane's, with her name from From:, and the desk has a notice to send
        let ticket = try sandbox.ticket(Sandbox.number(1))
        #expect((ticket["submittedBy"] as? [String: Any])?["name"] as? String == "Jane Doe")
        #expect(ticket["message"] as? String == "Paper is stuck.")
        let list = try messages(sandbox.succeed(["mail", "list", "--json"]))
        #expect(list.compactMap { $0["outcome"] as? String } == ["duplicate", "created"])
        // And `mail show` gives back the bytes exactly as received, envelope line included
        let id = try #require(created["id"] as? Int)
        #expect(try sandbox.succeed(["mail", "show", String(id)]).stdout == mail)
        let shown = try sandbox.succeed(["mail", "show", String(id), "--json"]).json()
        #expect(shown["rawBase64"] as? String == mail.base64EncodedString() && shown["outcome"] as? String == "created")
        #expect(try sandbox.run(["mail", "show", "42"]).status == 66)
        #expect(try sandbox.succeed(["ticket", "list", "--json"]).json()["pagination"].map { ($0 as? [String: Any])?["total"] as? Int } == 1)
    }

    @Test(arguments: Engine.available) func unreadableMailIsQuarantinedWithExit0AndCanBeRetried(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        // When bytes that are no mail arrive
        let result = try sandbox.run(["mail", "ingest"], stdin: Data([0, 1, 2, 0xff, 0x0a, 0x00]))
        // Then the MTA hears 0 (no bounce to the sender) and the admin sees it quarantined
        #expect(result.status == 0, "\(result)")
        #expect(result.out.contains("quarantined"))
        let quarantined = try messages(sandbox.succeed(["mail", "list", "--quarantined", "--json"]))
        let id = try #require(quarantined.first?["id"] as? Int)
        #expect(quarantined.count == 1)
        // And a retry reads it again (still unreadable: still quarantined, nothing else written)
        let retried = try messages(sandbox.succeed(["mail", "retry", String(id), "--json"]))
        #expect(retried.first?["outcome"] as? String == "quarantined" && retried.first?["id"] as? Int == id)
        // And bad ids are refused with the README's codes
        #expect(try sandbox.run(["mail", "retry", "99"]).status == 66)
        #expect(try sandbox.run(["mail", "list", "--outcome", "nonsense"]).status == 65)
        // And a requester may not read the mail list
        try sandbox.succeed(["user", "add", "jo@example.test"])
        #expect(try sandbox.run(["mail", "list"], as: "jo@example.test").status == 77)
    }

    @Test(arguments: Engine.available) func aMessageOverTheCapIsKeptCutAndQuarantined(engine: Engine) throws {
        // Given a cap of 64 KiB
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "mail_max_bytes", "65536"])
        // When a 200 kB message arrives
        let big = InboundFixtures.message(body: String(repeating: "0123456789\n", count: 200_000 / 11))
        let result = try sandbox.run(["mail", "ingest", "--json"], stdin: Data(big.utf8))
        // Then exit 0, quarantined as too large, with the whole size recorded and no ticket
        #expect(result.status == 0, "\(result)")
        let record = try #require(try messages(result).first)
        #expect(record["outcome"] as? String == "quarantined" && record["truncated"] as? Bool == true)
        #expect(record["size"] as? Int == big.utf8.count)
        #expect((record["reason"] as? String)?.hasPrefix("too large") == true)
        #expect(try sandbox.run(["ticket", "show", Sandbox.number(1)]).status == 66)
        // And a retry cannot make the missing part appear
        #expect(try sandbox.run(["mail", "retry", String(try #require(record["id"] as? Int))]).status == 65)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 shell to hold a lock"), arguments: Engine.available)
    func aLockedDatabaseExits75AndTheRetryLandsOnce(engine: Engine) throws {
        // Given a database whose write lock the sqlite3 shell holds
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        let holder = try sandbox.holdWriteLock(seconds: 3)
        let mail = Data(InboundFixtures.message().utf8)
        // When the MTA delivers during the lock
        let during = try sandbox.run(["mail", "ingest"], stdin: mail, environment: ["SUPPORT_BUSY_TIMEOUT": "0.2"])
        // Then it hears 75 (try again later) and nothing is written
        #expect(during.status == 75, "\(during)")
        #expect(try holder.wait().status == 0)
        #expect(try messages(sandbox.succeed(["mail", "list", "--json"])).isEmpty)
        // And the MTA's retry after the lock lands once
        #expect(try sandbox.run(["mail", "ingest"], stdin: mail).status == 0)
        #expect(try sandbox.run(["mail", "ingest"], stdin: mail).status == 0)
        let list = try messages(sandbox.succeed(["mail", "list", "--json"]))
        #expect(list.compactMap { $0["outcome"] as? String } == ["duplicate", "created"])
    }

    @Test(arguments: Engine.available) func aMaildirIsIngestedOnceAndEachMessageMovedToCurAfterItsCommit(engine: Engine) throws {
        // Given a Maildir: two new messages, one read but not ingested (F), one already done (S)
        let sandbox = try Sandbox(engine: engine)
        let maildir = sandbox.directory.appendingPathComponent("Maildir")
        let fm = FileManager.default
        for sub in ["new", "cur", "tmp"] { try fm.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true) }
        func put(_ path: String, _ subject: String) throws {
            try Data(InboundFixtures.message(subject: subject).utf8).write(to: maildir.appendingPathComponent(path))
        }
        try put("new/1.a.host", "first")
        try put("new/2.b.host", "second")
        try put("cur/3.c.host:2,F", "flagged")
        try put("cur/4.d.host:2,S", "done before")
        // When it is ingested, and again
        let run = try sandbox.run(["mail", "ingest", "--maildir", maildir.path, "--json"])
        let again = try sandbox.run(["mail", "ingest", "--maildir", maildir.path, "--json"])
        // Then three tickets opened, every file is in cur/ with S, and the re-run found nothing
        #expect(run.status == 0 && again.status == 0, "\(run)\n\(again)")
        #expect(try messages(run).compactMap { $0["subject"] as? String } == ["first", "second", "flagged"])
        #expect(try messages(again).isEmpty)
        #expect(try fm.contentsOfDirectory(atPath: maildir.appendingPathComponent("new").path).isEmpty)
        #expect(Set(try fm.contentsOfDirectory(atPath: maildir.appendingPathComponent("cur").path))
            == ["1.a.host:2,S", "2.b.host:2,S", "3.c.host:2,FS", "4.d.host:2,S"])
        // And a path that is no Maildir is refused
        #expect(try sandbox.run(["mail", "ingest", "--maildir", sandbox.directory.path]).status == 66)
    }

    @Test(arguments: Engine.available) func anMboxIsSplitOnFromLinesAndUnescaped(engine: Engine) throws {
        // Given an mbox of two messages, the second with an escaped ">From" line in its body
        let sandbox = try Sandbox(engine: engine)
        let mbox = sandbox.directory.appendingPathComponent("inbox.mbox")
        let text = InboundFixtures.message(subject: "one", envelope: true) + "\n"
            + InboundFixtures.message(subject: "two", body: "Hello\n>From the start it failed.", envelope: true)
        try Data(text.utf8).write(to: mbox)
        // When it is ingested twice
        let run = try sandbox.run(["mail", "ingest", "--mbox", mbox.path, "--json"])
        let again = try sandbox.run(["mail", "ingest", "--mbox", mbox.path, "--json"])
        // Then two tickets, the escape removed, and the re-run only records duplicates
        #expect(run.status == 0 && again.status == 0, "\(run)")
        #expect(try messages(run).compactMap { $0["outcome"] as? String } == ["created", "created"])
        #expect(try messages(again).compactMap { $0["outcome"] as? String } == ["duplicate", "duplicate"])
        #expect(try sandbox.ticket(Sandbox.number(2))["message"] as? String == "Hello\nFrom the start it failed.")
    }
}
