import Foundation
import Testing

/// A real MTA: Postfix on loopback delivers to the alias `help@desk.test`, whose pipe runs
/// `support mail ingest`. Needs root and Postfix (`.ci/run` installs it, Local only); skipped with
/// the reason otherwise. Postfix runs an alias command of a root-owned alias file as
/// `default_privs` (nobody), so the desk's database here belongs to nobody, as it would belong
/// to the user the MTA runs the command as.
@Suite("mail in through Postfix", .serialized)
struct PostfixIngestTests {
    static let postfix = "/usr/sbin/postfix"
    static let aliasFile = "/etc/postfix/support-test-aliases"

    static var skipReason: String? {
        if !FileManager.default.isExecutableFile(atPath: postfix) { return "Postfix is not installed (.ci/run installs it)" }
        if geteuid() != 0 { return "configuring Postfix needs root" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") { return "needs the sqlite3 shell to hold a lock" }
        return nil
    }

    static let enabled: Bool = {
        if let reason = skipReason { print("PostfixIngestTests skipped: \(reason)") }
        return skipReason == nil
    }()

    func run(_ sandbox: Sandbox, _ script: String, environment: [String: String?] = [:]) throws -> CLIResult {
        let result = try sandbox.shell(script, environment: environment)
        try #require(result.status == 0, "\(script)\n\(result)")
        return result
    }

    /// The desk's records, newest first, read as root.
    func records(_ sandbox: Sandbox, db: String) throws -> [[String: Any]] {
        let result = try sandbox.run(["--db", db, "mail", "list", "--json"])
        return (try? result.json()["messages"] as? [[String: Any]]) ?? []
    }

    func waitFor(_ what: String, seconds: TimeInterval = 30, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(200_000)
        }
        throw CLIError(description: "timed out waiting for \(what)")
    }

    @Test(.enabled(if: enabled, "Postfix, root and sqlite3 needed"))
    func aMailThroughPostfixOpensATicketAndALockedDatabaseDefersTheReplyUntilItLandsOnce() throws {
        // Given a desk owned by nobody and Postfix delivering help@desk.test to `support mail ingest`
        let sandbox = try Sandbox()
        let desk = sandbox.directory.appendingPathComponent("desk")
        let db = desk.appendingPathComponent("support.db").path
        let marker = sandbox.directory.appendingPathComponent("locked").path
        try run(sandbox, """
            set -e
            mkdir -p "$DESK" && chown nobody "$DESK" && chmod 0700 "$DESK"
            /usr/sbin/runuser -u nobody -- "$SUPPORT" --db "$DB" settings set support_email help@desk.test >/dev/null
            echo "help: \\"|/usr/bin/env SUPPORT_BUSY_TIMEOUT=0.5 $SUPPORT --db $DB mail ingest\\"" > \(Self.aliasFile)
            /usr/sbin/postalias \(Self.aliasFile)
            [ -f /etc/aliases.db ] || /usr/bin/newaliases
            /usr/sbin/postconf -e "inet_interfaces = loopback-only" "myhostname = desk.test" \
                "mydestination = desk.test, localhost" "alias_maps = hash:/etc/aliases, hash:\(Self.aliasFile)" \
                "maillog_file = /var/log/postfix.log"
            /usr/sbin/postfix status >/dev/null 2>&1 || /usr/sbin/postfix start >/dev/null 2>&1
            /usr/sbin/postfix reload >/dev/null 2>&1
            """, environment: ["DESK": desk.path, "DB": db])
        defer { _ = try? sandbox.shell(": > \(Self.aliasFile); /usr/sbin/postalias \(Self.aliasFile)") }

        // When jane writes to the desk through sendmail
        let first = InboundFixtures.message(subject: "Printer jammed", id: "first-\(UUID().uuidString)@cust.example")
        try run(sandbox, "/usr/sbin/sendmail -f jane@cust.example help@desk.test < \"$MSG\"",
                environment: ["MSG": try write(first, "first.eml", in: sandbox)])
        // Then the ticket appears
        try waitFor("the first message to be ingested") { try records(sandbox, db: db).count == 1 }
        let created = try records(sandbox, db: db)[0]
        #expect(created["outcome"] as? String == "created", "\(created)")
        let number = try #require(created["ticketNumber"] as? String)

        // When her reply comes while the sqlite3 shell holds the database's write lock
        let holder = try sandbox.launchShell("""
            printf 'BEGIN EXCLUSIVE;\n.shell touch "%s"\n.shell sleep 6\nCOMMIT;\n' "$MARKER" | /usr/bin/sqlite3 "$DB"
            """, environment: ["MARKER": marker, "DB": db])
        try waitFor("the lock holder", seconds: 10) { FileManager.default.fileExists(atPath: marker) }
        let reply = InboundFixtures.message(subject: "Re: [\(number)] Printer jammed", id: "reply-\(UUID().uuidString)@cust.example",
                                            body: "It works now, thanks.")
        try run(sandbox, "/usr/sbin/sendmail -f jane@cust.example help@desk.test < \"$MSG\"",
                environment: ["MSG": try write(reply, "reply.eml", in: sandbox)])
        // Then Postfix defers it (the command exited 75) and nothing was written
        try waitFor("Postfix to defer the reply", seconds: 20) {
            try sandbox.shell("/usr/sbin/postqueue -j").out.contains("\"queue_name\": \"deferred\"")
        }
        #expect(try records(sandbox, db: db).count == 1)

        // And after the lock is gone and the queue is flushed, the reply lands exactly once
        #expect(try holder.wait().status == 0)
        try run(sandbox, "/usr/sbin/postqueue -f")
        try waitFor("the deferred reply to be delivered") { try records(sandbox, db: db).count >= 2 }
        try waitFor("the queue to empty", seconds: 20) { try sandbox.shell("/usr/sbin/postqueue -j").out.isEmpty }
        let all = try records(sandbox, db: db)
        #expect(all.compactMap { $0["outcome"] as? String } == ["replied", "created"], "\(all)")
        let show = try sandbox.run(["--db", db, "ticket", "show", number, "--json"])
        let responses = try #require((try show.json()["ticket"] as? [String: Any])?["responses"] as? [[String: Any]])
        #expect(responses.compactMap { $0["message"] as? String } == ["It works now, thanks."])
    }

    func write(_ text: String, _ name: String, in sandbox: Sandbox) throws -> String {
        let url = sandbox.directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}
