import Foundation
import Testing

/// Part 3, continued: hostile text that gets past input checks (written into the file by another
/// program, or by an older version) must still never reach a terminal raw; and input that is
/// valid on its own must not be able to break the database for everyone else.
@Suite("reliability: stored hostile text", .enabled(if: ReliabilityTools.hasSQLite3, "needs the sqlite3 shell"))
struct ReliabilityStoredTextTests {
    /// Escape sequences that would retitle, clear or recolour a terminal, a C1 control, a bidi
    /// override and a BEL.
    static let nasty = "\u{1B}]0;pwned\u{7}\u{1B}[2J\u{1B}[31mred\u{9B}1m\u{202E}gnp.exe\u{7}"

    static func sqlQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Bytes that must never appear in what a terminal is sent: C0 controls other than LF and
    /// TAB, DEL, and C1 controls (as UTF-8, C2 80 to C2 9F).
    static func rawControls(_ data: Data) -> Int {
        let bytes = [UInt8](data)
        var count = 0
        for (i, b) in bytes.enumerated() {
            if (b < 0x20 && b != 0x0A && b != 0x09) || b == 0x7F { count += 1 }
            if b == 0xC2, i + 1 < bytes.count, (0x80...0x9F).contains(bytes[i + 1]) { count += 1 }
        }
        return count
    }

    @Test func escapeSequencesWrittenIntoTheFileNeverReachTheTerminal() throws {
        // Given a ticket, a reply, a person, a setting, an audit entry and a mail error that hold
        // escape sequences, written straight into the file (import and every command refuse them)
        let sandbox = try Sandbox()
        try sandbox.reliabilityEnableMail(autoResponse: false)
        try sandbox.succeed(["user", "add", "staff@example.test", "--role", "internal"])
        try sandbox.createTicket(subject: "plain", extra: ["--requester", "jane@example.test"])
        try sandbox.succeed(["respond", Sandbox.number(1), "--message", "plain reply"], as: "staff@example.test")
        try sandbox.succeed(["ticket", "update", Sandbox.number(1), "--status", "resolved", "--assign", "staff@example.test"])
        let n = Self.sqlQuoted(Self.nasty)
        _ = try sandbox.reliabilitySQL("""
            UPDATE ticket SET subject = 'subject ' || \(n), message = 'message ' || \(n) || char(10) || 'line two';
            UPDATE response SET message = 'reply ' || \(n);
            UPDATE user SET name = 'name ' || \(n) WHERE email IN ('jane@example.test', 'staff@example.test');
            INSERT INTO setting (key, value) VALUES ('support_name', 'desk ' || \(n));
            UPDATE audit_event SET oldValue = 'old ' || \(n), newValue = 'new ' || \(n) WHERE field = 'status';
            UPDATE audit_event SET field = 'field ' || \(n), newValue = 'role ' || \(n) WHERE action = 'user.added';
            UPDATE audit_event SET ticketNumber = 'number ' || \(n) WHERE action = 'ticket.replied';
            UPDATE outbox SET lastError = 'error ' || \(n), subject = 'mail ' || \(n);
            """)
        // When every command that shows them runs, as staff and as the requester
        let commands: [([String], String?)] = [
            (["ticket", "show", Sandbox.number(1)], nil), (["ticket", "show", Sandbox.number(1)], "jane@example.test"),
            (["ticket", "list"], nil), (["ticket", "list"], "jane@example.test"), (["ticket", "list", "--search", "plain"], nil),
            (["ticket", "history", Sandbox.number(1)], nil), (["ticket", "history", Sandbox.number(1)], "jane@example.test"),
            (["user", "list"], nil), (["settings", "get"], nil), (["settings", "get", "support_name"], nil),
            (["notify", "list"], nil), (["notify", "flush", "--dry-run"], nil), (["stats"], nil),
            (["audit"], nil), (["audit", "--action", "user.added,ticket.changed,ticket.replied,setting.changed"], nil),
        ]
        var raw = 0
        for (arguments, actor) in commands {
            let result = try sandbox.run(arguments, as: actor)
            // Then each works and sends no control character (colour is off when piped)
            #expect(result.status == 0, "\(arguments): \(result)")
            let found = Self.rawControls(result.stdout) + Self.rawControls(result.stderr)
            raw += found
            #expect(found == 0, "\(arguments) as \(actor ?? "operator"): \(result.out.debugDescription.prefix(600))")
        }
        // And the JSON forms carry the text exactly, escaped
        let json = try sandbox.succeed(["ticket", "show", Sandbox.number(1), "--json"])
        #expect(Self.rawControls(json.stdout) == 0)
        let ticket = try #require(try json.json()["ticket"] as? [String: Any])
        #expect(ticket["subject"] as? String == "subject " + Self.nasty)
        let export = try sandbox.succeed(["ticket", "export"])
        #expect(Self.rawControls(export.stdout) == 0)
        let audit = try sandbox.succeed(["audit", "--json", "--limit", "500"])
        #expect(Self.rawControls(audit.stdout) == 0)
        let events = try #require(try audit.json()["events"] as? [[String: Any]])
        #expect(events.contains { $0["field"] as? String == "field " + Self.nasty }, "\(audit.out.prefix(600))")

        // And on a real terminal, where colour is on, none of the stored sequences gets through
        var onTerminal = 0
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/script") {
            for arguments in [["ticket", "show", Sandbox.number(1)], ["ticket", "list"], ["ticket", "history", Sandbox.number(1)], ["audit"]] {
                let result = try sandbox.shell(#"exec /usr/bin/script -qec "$SUPPORT \#(arguments.joined(separator: " "))" /dev/null"#,
                                               environment: ["SHELL": "/bin/sh", "TERM": "xterm", "NO_COLOR": nil])
                #expect(result.status == 0, "\(result)")
                for sequence in ["\u{1B}]0;", "\u{1B}[2J", "\u{202E}", "\u{7}", "\u{C2}\u{9B}"] {
                    #expect(!result.out.contains(sequence), "\(arguments) on a terminal passed \(sequence.debugDescription)")
                }
                onTerminal += 1
            }
        }
        ReliabilityFigures.report("stored-escapes", ["commands": commands.count + 2 + onTerminal, "raw-controls": raw])
    }

    @Test func anImportedLastNumberCannotBreakTheListForEveryone() throws {
        // Given an import that takes the year's last possible number, ST-YYYY-999999999
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "before")
        let year = Sandbox.year
        let line = #"{"ticketNumber":"ST-\#(year)-999999999","subject":"last","message":"m","category":"bug-report","submittedBy":{"email":"i@example.test"}}"#
        try sandbox.succeed(["ticket", "import"], stdin: Data((line + "\n").utf8))
        // When a ticket is opened, and another imported without a number
        let create = try sandbox.run(["ticket", "create", "--subject", "next", "--category", "bug-report", "--message", "m"])
        let unnumbered = #"{"subject":"unnumbered","message":"m","category":"bug-report","submittedBy":{"email":"i@example.test"},"createdAt":"\#(year)-06-01T00:00:00Z"}"#
        let importing = try sandbox.run(["ticket", "import"], stdin: Data((unnumbered + "\n").utf8))
        // Then both are refused with a clear line (there is no ten-digit number to give)...
        #expect(create.status == 65, "\(create)")
        #expect(create.err.contains("no ticket numbers are left"), "\(create.err)")
        #expect(importing.status == 65, "\(importing)")
        #expect(importing.err.contains("no ticket numbers are left"), "\(importing.err)")
        // ...and every ticket can still be listed, exported and shown
        let list = try sandbox.run(["ticket", "list", "--json"])
        #expect(list.status == 0, "\(list)")
        #expect((try list.json()["pagination"] as? [String: Int])?["total"] == 2)
        #expect(try sandbox.run(["ticket", "export"]).status == 0)
        #expect(try sandbox.run(["ticket", "show", "ST-\(year)-999999999"]).status == 0)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket WHERE length(ticketNumber) > 17") == 0)
        ReliabilityFigures.report("number-exhaustion", ["create-exit": Int(create.status), "import-exit": Int(importing.status),
                                                        "list-exit": Int(list.status)])
    }

    @Test func aTemplateCannotBlowUpOneTicketIntoAHugeMail() throws {
        // Given mail on with auto-responses
        let sandbox = try Sandbox()
        try sandbox.reliabilityEnableMail()
        let repeated = String(repeating: "{{message}}", count: 5_000)
        // When an admin sets a template that repeats the requester's message 5,000 times
        let set = try sandbox.run(["settings", "set", "support_email_template", "-"], stdin: Data(repeated.utf8))
        // Then it is refused at once, saying why
        #expect(set.status == 65, "\(set)")
        #expect(set.err.contains("use {{message}} fewer times"), "\(set.err)")
        // And a template that uses it a few times is fine
        #expect(try sandbox.run(["settings", "set", "support_email_template", "You wrote:\n{{message}}\n\nAgain: {{message}}"]).status == 0)

        // Given the same template written straight into the file (around the check)
        _ = try sandbox.reliabilitySQL("UPDATE setting SET value = \(Self.sqlQuoted(repeated)) WHERE key = 'support_email_template'")
        // When a requester opens a ticket with a 64 KiB message
        let started = Date()
        let create = try sandbox.run(["ticket", "create", "--subject", "big", "--category", "bug-report", "--message", "-",
                                      "--requester", "jane@example.test"], stdin: Data(String(repeating: "=", count: 65_536).utf8))
        let elapsed = Date().timeIntervalSince(started)
        // Then the ticket is created quickly, its auto-response queued as failed with the reason (issue 13: not silently
        // replaced by the default letter), never a huge mail
        #expect(create.status == 0, "\(create)")
        #expect(elapsed < 10, "took \(elapsed) s")
        let largest = try sandbox.reliabilityCount("SELECT max(length(message)) FROM outbox")
        #expect(largest < 1_000_000, "a \(largest)-byte mail")
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM outbox WHERE kind = 'auto-response'") == 1)
        ReliabilityFigures.report("template-amplification", ["set-exit": Int(set.status), "create-ms": Int(elapsed * 1000),
                                                              "largest-mail-bytes": largest])
    }
}
