import Foundation
import Testing

/// The details a person or a script meets every day (issue 15): what an empty filtered list
/// says, one wording and exit status for numbers out of range, values that start with `-`,
/// `help` for a command that does not exist, errors of `import --json`, and no-op updates.
@Suite("daily use")
struct DailyUseTests {
    @Test(arguments: Engine.available) func anEmptyFilteredOutboxSaysWhatItLeftOut(engine: Engine) throws {
        // Given mail on and three messages waiting (a new-ticket notice each)
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail()
        for _ in 1...3 { try sandbox.createTicket(extra: ["--requester", "jane@example.test"]) }
        // When the failed ones are listed
        let failed = try sandbox.succeed(["notify", "list", "--status", "failed"])
        // Then the line says there are none of those, and what there is instead
        #expect(failed.out == "No failed messages (3 pending).\n", "\(failed)")
        // And an outbox that is really empty says so
        let empty = try Sandbox(engine: engine)
        #expect(try empty.succeed(["notify", "list", "--status", "failed"]).out == "No failed messages; the outbox is empty.\n")
        #expect(try empty.succeed(["notify", "list"]).out == "The outbox is empty.\n")
    }

    @Test(arguments: Engine.available) func numbersOutOfRangeAreUsageErrorsInOneWording(engine: Engine) throws {
        // Given a database with a ticket
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket()
        let before = try sandbox.storedState()
        let cases: [([String], String)] = [
            (["notify", "flush", "--jobs", "0"], "--jobs must be from 1 to 64 (got 0)"),
            (["notify", "flush", "--timeout", "0"], "--timeout must be from 1 to 3600 seconds (got 0)"),
            (["notify", "flush", "--limit", "0"], "--limit must be from 1 to 10000000 (got 0)"),
            (["ticket", "list", "--limit", "501"], "--limit must be from 1 to 500 (got 501)"),
            (["ticket", "list", "--page", "0"], "--page must be from 1 to 10000000 (got 0)"),
            (["audit", "--limit", "0"], "--limit must be from 1 to 500 (got 0)"),
            (["mail", "list", "--limit", "0"], "--limit must be from 1 to 10000 (got 0)"),
        ]
        for (arguments, says) in cases {
            // When a number is out of its range, with and without --json
            let text = try sandbox.run(arguments)
            let json = try sandbox.run(arguments + ["--json"])
            // Then both are usage errors (64) that say the range the same way, and nothing is printed on stdout
            #expect(text.status == 64 && text.out == "" && text.err.contains(says), "\(arguments): \(text)")
            #expect(json.status == 64 && json.out == "", "\(arguments): \(json)")
            #expect(try json.apiError()["error"] as? String == says, "\(arguments): \(json)")
        }
        // And nothing changed
        #expect(try sandbox.storedState() == before)
    }

    @Test(arguments: Engine.available) func aValueThatStartsWithADashIsTakenAsTheValue(engine: Engine) throws {
        // Given a ticket whose text starts with a dash
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(subject: "-foo in the subject", message: "- item one")
        // When options that need a value get a word starting with "-"
        let found = try sandbox.succeed(["ticket", "list", "--search", "-foo", "--json"]).json()
        let reply = try sandbox.run(["respond", Sandbox.number(1), "--message", "- item two"])
        let setting = try sandbox.run(["settings", "set", "ticket_rate_limit_per_hour", "-1"])
        // Then the word is the value: the search runs, the reply is stored as written
        #expect((found["tickets"] as? [[String: Any]])?.count == 1, "\(found)")
        #expect(reply.status == 0, "\(reply)")
        let responses = try #require(try sandbox.ticket(Sandbox.number(1))["responses"] as? [[String: Any]])
        #expect(responses.last?["message"] as? String == "- item two")
        // And a negative setting reaches the setting's own check (invalid input), not "give a VALUE"
        #expect(setting.status == 65 && !setting.err.contains("give either"), "\(setting)")
        #expect(try sandbox.succeed(["settings", "set", "support_name", "-Desk-"]).status == 0)
        #expect(try sandbox.succeed(["settings", "get", "support_name"]).out == "-Desk-\n")
    }

    @Test(arguments: Engine.available) func helpForACommandThatDoesNotExistIsAUsageError(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        // When help is asked for a command that does not exist, at the top or under one
        let top = try sandbox.run(["help", "nonsense"])
        let nested = try sandbox.run(["help", "ticket", "nonsense"])
        let json = try sandbox.run(["help", "nonsense", "--json"])
        let real = try sandbox.run(["help", "ticket", "list"])
        // Then it is a usage error naming the word; help for a real command still works
        #expect(top.status == 64 && top.out == "" && top.err.contains("no command 'nonsense'"), "\(top)")
        #expect(nested.status == 64 && nested.err.contains("'nonsense'"), "\(nested)")
        #expect(json.status == 64, "\(json)")
        #expect(try json.apiError()["code"] as? String == "USAGE_ERROR", "\(json)")
        #expect(real.status == 0 && real.out.contains("--status"), "\(real)")
    }

    @Test(arguments: Engine.available) func importWithJSONWritesErrorsOnlyAsJSONOnStderr(engine: Engine) throws {
        // Given a file with one good line and one bad one
        let sandbox = try Sandbox(engine: engine)
        let good = ImportLine(number: "ST-2024-001", subject: "Fine", createdAt: ImportLine.date("2024-05-01T08:00:00Z")).json
        let input = good + "\n{\"subject\": 42}\n"
        // When it is imported with --json
        let result = try sandbox.run(["ticket", "import", "--json"], stdin: Data(input.utf8))
        // Then stdout has the summary, stderr one APIError that lists the refused line, and no text line
        #expect(result.status == 65, "\(result)")
        let summary = try result.json()
        #expect(summary["imported"] as? Int == 1)
        let error = try result.apiError()
        #expect(error["code"] as? String == "INVALID_INPUT")
        let lines = try #require((error["details"] as? [String: Any])?["lines"] as? [[String: Any]], "\(result)")
        #expect(lines.map { $0["line"] as? Int } == [2])
        #expect(!result.err.contains("line 2:"), "\(result.err)")
        // And without --json the person reads text lines
        let text = try Sandbox(engine: engine).run(["ticket", "import"], stdin: Data(input.utf8))
        #expect(text.status == 65 && text.err.hasPrefix("line 2: "), "\(text)")
    }

    @Test(arguments: Engine.available) func helpShowsEachDefaultOnce(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        for command in [["ticket", "list"], ["audit"]] {
            let help = try sandbox.succeed(["help"] + command).out
            // ArgumentParser adds "(default: 25)"; the text must not say it again
            #expect(!help.contains("(default 25)"), "\(help)")
            #expect(help.components(separatedBy: "default: 25").count == 2, "\(help)")
        }
        // And the sort's default is named once too
        let list = try sandbox.succeed(["help", "ticket", "list"]).out
        // ("(default:" may end a line: ArgumentParser wraps the help at 80 columns)
        #expect(list.components(separatedBy: "default").count == list.components(separatedBy: "(default:").count, "\(list)")
    }

    @Test(arguments: Engine.available) func anUpdateThatChangesNothingSaysSoAndWritesNothing(engine: Engine) throws {
        // Given a ticket of medium priority
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket()
        let number = Sandbox.number(1)
        let before = try sandbox.storedState()
        // When it is "changed" to what it already is
        let same = try sandbox.run(["ticket", "update", number, "--priority", "medium", "--status", "open"])
        // Then it exits 0 and says nothing changed, and the file is as it was (updatedAt, history)
        #expect(same.status == 0 && same.out == "Nothing changed: \(number) already has those values.\n", "\(same)")
        #expect(try sandbox.storedState() == before)
        // And a real change still says Updated
        #expect(try sandbox.succeed(["ticket", "update", number, "--priority", "high"]).out == "Updated \(number).\n")
    }

    /// Four tickets: 1 open, 2 in progress, 3 resolved, 4 closed.
    static func fourStatuses(_ engine: Engine) throws -> Sandbox {
        let sandbox = try Sandbox(engine: engine)
        for subject in ["open one", "busy one", "solved one", "closed one"] {
            try sandbox.createTicket(subject: subject, extra: ["--requester", "jane@example.test"])
        }
        try sandbox.succeed(["ticket", "update", Sandbox.number(2), "--status", "in-progress"])
        try sandbox.succeed(["ticket", "update", Sandbox.number(3), "--status", "resolved"])
        try sandbox.succeed(["ticket", "update", Sandbox.number(4), "--status", "closed"])
        return sandbox
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: TerminalOutputTests.script), "needs script(1)"), arguments: Engine.available)
    func listShowsOpenAndInProgressByDefaultAndSaysWhatItLeftOut(engine: Engine) throws {
        // Given a ticket in each status
        let sandbox = try Self.fourStatuses(engine)
        // When listed without --status, with --status all, and with a status of their own
        let byDefault = try sandbox.succeed(["ticket", "list", "--json"]).json()
        let all = try sandbox.succeed(["ticket", "list", "--json", "--status", "all"]).json()
        let closed = try sandbox.succeed(["ticket", "list", "--json", "--status", "closed"]).json()
        func numbers(_ root: [String: Any]) -> [String] {
            (root["tickets"] as? [[String: Any]] ?? []).compactMap { $0["ticketNumber"] as? String }
        }
        // Then the default is open and in progress (as gh shows open issues), all is all
        #expect(numbers(byDefault) == [Sandbox.number(2), Sandbox.number(1)])
        #expect(numbers(all) == (1...4).reversed().map(Sandbox.number))
        #expect(numbers(closed) == [Sandbox.number(4)])
        // And on a terminal the footer says how many were left out and how to see them; `ls` is the same command
        let table = try TerminalOutputTests.onTerminal(sandbox, "ticket ls", environment: [:]).out.replacing("\r\n", with: "\n")
        #expect(table.hasSuffix("Page 1 of 1 · 2 tickets · 2 resolved or closed not shown (--status all)\n"), "\(table)")
        let everything = try TerminalOutputTests.onTerminal(sandbox, "ticket list --status all", environment: [:]).out
        #expect(everything.contains("Page 1 of 1 · 4 tickets\r\n") && !everything.contains("not shown"), "\(everything)")
        // And a default list with nothing in it still says what it hid
        let none = try TerminalOutputTests.onTerminal(sandbox, "ticket list --search nothingmatches", environment: [:]).out
        #expect(none == "No tickets.\r\n", "\(none)")
        let onlyHidden = try TerminalOutputTests.onTerminal(sandbox, "ticket list --search solved", environment: [:]).out
        #expect(onlyHidden == "No tickets; 1 resolved or closed not shown (--status all).\r\n", "\(onlyHidden)")
    }

    @Test(arguments: Engine.available) func pipedListIsTabSeparatedRowsAndIdsAreJustNumbers(engine: Engine) throws {
        // Given a ticket in each status
        let sandbox = try Self.fourStatuses(engine)
        // When listed into a pipe (the test reads a file, not a terminal)
        let rows = try sandbox.succeed(["ticket", "list", "--status", "all"]).out
        let ids = try sandbox.succeed(["ticket", "list", "--ids"]).out
        let none = try sandbox.succeed(["ticket", "list", "--status", "closed", "--search", "nothingmatches"]).out
        // Then there is one line per ticket, eight tab-separated fields, no header and no footer
        let lines = rows.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(rows.hasSuffix("\n") && lines.count == 4, "\(rows)")
        let fields = lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(fields.allSatisfy { $0.count == 8 }, "\(fields)")
        #expect(fields.map { $0[0] } == (1...4).reversed().map(Sandbox.number))
        #expect(fields.map { $0[1] } == ["closed", "resolved", "in-progress", "open"])
        #expect(fields[3][4] == "jane@example.test" && fields[3][7] == "open one", "\(fields[3])")
        #expect(fields[0][6].hasSuffix("Z") && fields[0][6].contains("T"), "an ISO 8601 time: \(fields[0][6])")
        #expect(!rows.contains("TICKET") && !rows.contains("Page "))
        // And --ids prints the numbers only (of the default list); nothing matching prints nothing
        #expect(ids == "\(Sandbox.number(2))\n\(Sandbox.number(1))\n", "\(ids)")
        #expect(none == "")
        // And --ids with --json is a usage error
        #expect(try sandbox.run(["ticket", "list", "--ids", "--json"]).status == 64)
    }

    @Test(arguments: Engine.available) func ticketsAreNamedByTheirShortNumber(engine: Engine) throws {
        // Given this year's first two tickets, and imported ones numbered 2 and 7 of earlier years
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(subject: "first", extra: ["--requester", "jane@example.test"])
        try sandbox.createTicket(subject: "second", extra: ["--requester", "omar@example.test"])
        try sandbox.importTickets([
            ImportLine(number: "ST-2023-002", subject: "old two", createdAt: ImportLine.date("2023-05-01T08:00:00Z")),
            ImportLine(number: "ST-2023-007", subject: "old seven", createdAt: ImportLine.date("2023-05-01T08:00:00Z")),
            ImportLine(number: "ST-2024-007", subject: "newer seven", requester: .requester("omar@example.test"),
                       createdAt: ImportLine.date("2024-05-01T08:00:00Z")),
        ])
        func subject(_ reference: String, as actor: String? = nil) throws -> String? {
            try sandbox.succeed(["ticket", "show", reference, "--json"], as: actor).json()["ticket"]
                .flatMap { ($0 as? [String: Any])?["subject"] as? String }
        }
        // When tickets are named by 2, #2, the whole number, or a short number of another year
        // Then 2 is this year's second (not 2023's), and the whole number still works in any case
        #expect(try subject("2") == "second")
        #expect(try subject("#2") == "second")
        #expect(try subject("st-2023-002") == "old two")
        #expect(try subject("ST-2023-2") == "old two")
        // And a number only one ticket of any year has is that ticket
        let jane = "jane@example.test"
        #expect(try subject("1", as: jane) == "first")
        // And a number several earlier years share lists them and is refused as invalid input (65)
        let ambiguous = try sandbox.run(["ticket", "show", "#7"])
        #expect(ambiguous.status == 65 && ambiguous.out == "", "\(ambiguous)")
        #expect(ambiguous.err.contains("'#7' could be ST-2023-007 or ST-2024-007; give the whole number"), "\(ambiguous)")
        // But a requester only ever hears of their own tickets: for Omar, 7 is his 2024 ticket
        #expect(try subject("7", as: "omar@example.test") == "newer seven")
        // And a number nobody has is not found (66); garbage is invalid input (65)
        let missing = try sandbox.run(["ticket", "show", "99"])
        #expect(missing.status == 66 && missing.err.contains("no ticket 99"), "\(missing)")
        #expect(try sandbox.run(["ticket", "show", "#x"]).status == 65)
        // And every command that takes a ticket takes the short forms: respond, update, history, audit, view, close, reopen, delete
        try sandbox.succeed(["respond", "#1", "--message", "hello", "--no-notify"])
        try sandbox.succeed(["ticket", "update", "1", "--priority", "high"])
        let history = try sandbox.succeed(["ticket", "history", "#1", "--json"]).json()
        #expect((history["history"] as? [Any])?.count == 3, "\(history)")
        let audit = try sandbox.succeed(["audit", "--ticket", "1", "--json"]).json()
        #expect((audit["events"] as? [Any])?.count == 3, "\(audit)")
        #expect(try sandbox.succeed(["ticket", "view", "1"]).out.contains("hello"))
        #expect(try sandbox.succeed(["ticket", "close", "1"]).out == "Closed \(Sandbox.number(1)).\n")
        #expect(try sandbox.ticket(Sandbox.number(1))["status"] as? String == "Closed")
        #expect(try sandbox.succeed(["ticket", "close", "1"]).out == "Nothing changed: \(Sandbox.number(1)) is already closed.\n")
        #expect(try sandbox.succeed(["ticket", "reopen", "#1"]).out == "Reopened \(Sandbox.number(1)).\n")
        let reopened = try sandbox.ticket(Sandbox.number(1))
        #expect(reopened["status"] as? String == "Open" && reopened["closedAt"] is NSNull)
        #expect(try sandbox.run(["ticket", "close", "1"], as: jane).status == 77)
        try sandbox.succeed(["ticket", "delete", "#2", "--yes"])
        #expect(try sandbox.run(["ticket", "show", Sandbox.number(2)]).status == 66)
    }

    @Test(arguments: Engine.available) func everyEventListIsUnderEventsAndHistoryStaysForOldScripts(engine: Engine) throws {
        // Given a ticket with a change
        let sandbox = try Sandbox(engine: engine)
        let number = try #require(sandbox.createTicket()["ticketNumber"] as? String)
        try sandbox.succeed(["ticket", "update", number, "--priority", "high"])
        // When its history and the audit trail are read as JSON
        let history = try sandbox.succeed(["ticket", "history", number, "--json"]).json()
        let audit = try sandbox.succeed(["audit", "--ticket", number, "--json"]).json()
        // Then both lists are under `events`; `history` still holds the same list (CHANGELOG 0.3.0)
        let events = try #require(history["events"] as? [[String: Any]])
        #expect(events.map { $0["action"] as? String } == ["ticket.created", "ticket.changed"])
        #expect(NSArray(array: events).isEqual(to: try #require(history["history"] as? [Any])))
        #expect(Set(history.keys) == ["events", "history"])
        #expect((audit["events"] as? [Any])?.count == 2)
        // And the version says which shape this is
        #expect(try sandbox.succeed(["--version"]).out == "0.3.0\n")
    }

    @Test(arguments: Engine.available) func everyReplyObjectSaysWhichTicketItBelongsTo(engine: Engine) throws {
        // Given a ticket with a reply and a note
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal"])
        let number = try #require(try sandbox.createTicket(extra: ["--requester", "jane@example.test"])["ticketNumber"] as? String)
        let reply = try sandbox.succeed(["respond", number, "--message", "On it.", "--json"], as: "sam@example.test")
        try sandbox.succeed(["respond", number, "--internal", "--message", "Vendor bug."], as: "sam@example.test")
        // When the reply is read on its own, in the ticket, and in an export line
        let alone = try #require(try reply.json()["response"] as? [String: Any])
        let shown = try #require(try sandbox.ticket(number)["responses"] as? [[String: Any]])
        let line = try sandbox.succeed(["ticket", "export"]).out.split(separator: "\n").first.map(String.init) ?? ""
        let exported = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["responses"] as? [[String: Any]])
        // Then each names the ticket
        #expect(alone["ticketNumber"] as? String == number)
        #expect(shown.count == 2 && shown.allSatisfy { $0["ticketNumber"] as? String == number }, "\(shown)")
        #expect(exported.count == 2 && exported.allSatisfy { $0["ticketNumber"] as? String == number }, "\(exported)")
        // And an export line with it still imports into a new desk
        let other = try Sandbox(engine: engine)
        let imported = try other.run(["ticket", "import"], stdin: Data((line + "\n").utf8))
        #expect(imported.status == 0, "\(imported)")
    }
}
