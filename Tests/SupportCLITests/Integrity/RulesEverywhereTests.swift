import Foundation
import Testing

/// Every way into the database keeps the rules the commands keep (issue 13, item 7), templates
/// are judged at `settings set` and again at send time (item 14), and a requester never sees a
/// row id (item 15).
@Suite("integrity: the same rules on every path")
struct RulesEverywhereTests {
    static let staff = #"{"email":"sam@example.test","role":"internal"}"#
    static let requester = #"{"email":"jane@example.test"}"#

    static func line(assignee: String? = nil, replies: [(author: String, internal: Bool)] = []) -> String {
        let responses = replies.map { r in
            #"{"message":"r","respondedBy":\#(r.author),"isInternal":\#(r.internal),"createdAt":"2026-03-01T10:00:00.000Z"}"#
        }
        let assigned = assignee.map { #""assignedTo":\#($0),"# } ?? ""
        return #"{"subject":"s","message":"m","category":"bug-report","submittedBy":\#(requester),\#(assigned)"responses":[\#(responses.joined(separator: ","))],"createdAt":"2026-03-01T09:00:00.000Z"}"#
    }

    @Test(arguments: [
        // (what the line does, the line): each breaks a rule `ticket update --assign` or `respond --internal` keeps
        ("a requester named in the file as assignee", line(assignee: #"{"email":"other@example.test"}"#)),
        ("a requester as assignee, given the role user", line(assignee: #"{"email":"other@example.test","role":"user"}"#)),
        ("the ticket's own requester as assignee", line(assignee: requester)),
        ("an internal note by a requester", line(replies: [(requester, true)])),
        ("an internal note by a new requester", line(replies: [(#"{"email":"x@example.test","role":"user"}"#, true)])),
    ], Engine.available)
    func importRefusesWhatTheCommandsRefuse(_ c: (what: String, bad: String), engine: Engine) throws {
        let (what, bad) = c
        // Given a database with a requester who exists already (so the file cannot promote them)
        for intoExisting in [false, true] {
            let sandbox = try Sandbox(engine: engine)
            if intoExisting { try sandbox.createTicket(extra: ["--requester", "other@example.test"]) }
            let good = Self.line(assignee: Self.staff, replies: [(Self.staff, true), (Self.requester, false)])
            // When a file with a good line and the bad one is imported
            let result = try sandbox.run(["ticket", "import", "--json"], stdin: Data((good + "\n" + bad + "\n").utf8))
            // Then the bad line is refused with its number (65), the good one imported
            #expect(result.status == 65, "\(what): \(result)")
            let errors = try #require(try result.json()["errors"] as? [[String: Any]], "\(what)")
            #expect(errors.compactMap { $0["line"] as? Int } == [2], "\(what): \(result.out)")
            #expect(try result.json()["imported"] as? Int == 1, "\(what)")
            // And no requester ended up assigned or the author of a note
            let assigned = try sandbox.list(["--assignee", "other@example.test"])
            #expect(assigned.numbers.isEmpty, "\(what)")
            for line in try sandbox.export().lines {
                for reply in line["responses"] as? [[String: Any]] ?? [] where reply["isInternal"] as? Bool == true {
                    #expect((reply["respondedBy"] as? [String: Any])?["role"] as? String != "user", "\(what)")
                }
                #expect((line["assignedTo"] as? [String: Any])?["role"] as? String != "user", "\(what)")
            }
        }
    }

    @Test(arguments: ["user"], Engine.available)
    func demotingAnAssignedStaffMemberUnassignsThemAndTheyAreNotMailed(to role: String, engine: Engine) throws {
        // Given a staff member assigned to two tickets, with mail on and a requester's reply waiting to be mailed to them
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail()
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal"])
        let first = try #require(try sandbox.createTicket(extra: ["--requester", "jane@example.test"])["ticketNumber"] as? String)
        let second = try #require(try sandbox.createTicket(extra: ["--requester", "jane@example.test"])["ticketNumber"] as? String)
        for number in [first, second] { try sandbox.succeed(["ticket", "update", number, "--assign", "sam@example.test"]) }
        try sandbox.succeed(["respond", first, "--message", "any news?"], as: "jane@example.test")
        #expect(try sandbox.outbox(status: "pending").contains { $0["recipient"] as? String == "sam@example.test" })
        // When they are demoted to a requester
        try sandbox.succeed(["user", "update", "sam@example.test", "--role", role])
        // Then no ticket is assigned to them, each change is in the ticket's history
        #expect(try sandbox.list(["--assignee", "sam@example.test"]).numbers.isEmpty)
        for number in [first, second] {
            #expect(try sandbox.ticket(number)["assignedTo"] is NSNull)
            let history = try sandbox.succeed(["ticket", "history", number, "--json"]).json()["history"] as? [[String: Any]] ?? []
            #expect(history.contains { $0["field"] as? String == "assignedTo" && $0["oldValue"] as? String == "sam@example.test"
                    && $0["newValue"] is NSNull }, "\(history)")
        }
        // And the mail waiting for them is not sent; a new reply goes to the desk instead
        #expect(try !sandbox.outbox(status: "pending").contains { $0["recipient"] as? String == "sam@example.test" })
        try sandbox.succeed(["respond", second, "--message", "hello?"], as: "jane@example.test")
        let pending = try sandbox.outbox(status: "pending").compactMap { $0["recipient"] as? String }
        #expect(!pending.contains("sam@example.test"), "\(pending)")
        #expect(pending.contains(Sandbox.supportAddress), "\(pending)")
    }

    // MARK: Templates (item 14)

    @Test(arguments: [
        // (template, what the message must say)
        ("Hello {{requester_nmae}}", "unknown variable 'requester_nmae' (known: category, created_at, message"),
        ("{{uppercased(message)}}", "unknown variable 'uppercased(message)'"),
        ("{{#message}}{{.}}{{/message}}", "unknown variable '.'"),
        ("{{subject.count}}", "unknown variable 'subject.count'"),
        ("{{> partial}}", "unknown variable '> partial'"),
        ("{{=<% %>=}}<% message %>", "unknown variable"),
        ("   \n  ", "empty"),
        ("{{! only a comment }}", "renders an empty letter"),
        ("{{^message}}never{{/message}}", "renders an empty letter"),
        ("{{#subject}}open", "is never closed"),
        ("{{#subject}}x{{/message}}", "does not match"),
        ("Hi {{subject", "never closed"),
    ], Engine.available)
    func templatesAreJudgedAtSettingsSet(_ c: (template: String, mentions: String), engine: Engine) throws {
        let (template, mentions) = c
        let sandbox = try Sandbox(engine: engine)
        // When an admin sets the template
        let result = try sandbox.run(["settings", "set", "support_email_template", "-"], stdin: Data(template.utf8))
        // Then it is refused (65) with a message that says why in words
        #expect(result.status == 65, "\(template): \(result)")
        #expect(result.err.contains(mentions), "\(template): \(result.err)")
        for identifier in ["unfinishedName", "sectionCloseNameIncorrect", "expectedSectionEnd", "MustacheTemplate", "ParserError"] {
            #expect(!result.err.contains(identifier), "\(template): \(result.err)")
        }
        // And the setting is unchanged
        #expect(try sandbox.succeed(["settings", "get", "support_email_template"]).out.contains("Thank you for contacting"))
    }

    @Test(arguments: [
        // Templates written into the file around `settings set`: each fails visibly at send time
        ("{{uppercased(message)}}", "unknown variable"),
        (String(repeating: "{{message}}", count: 5_000), "KiB"),
        ("{{^message}}never{{/message}}", "empty letter"),
    ], Engine.available)
    func aTemplateThatCannotBeSentFailsTheMessageVisibly(_ c: (template: String, mentions: String), engine: Engine) throws {
        let (template, mentions) = c
        // Given auto-responses on, and a template put straight into the file
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail(autoResponse: true)
        let quoted = "'" + template.replacingOccurrences(of: "'", with: "''") + "'"
        if let postgres = sandbox.postgres {
            try postgres.sql("INSERT INTO setting (key, value) VALUES ('support_email_template', \(quoted)) "
                             + "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        } else {
            _ = try sandbox.reliabilitySQL("INSERT OR REPLACE INTO setting (key, value) VALUES ('support_email_template', \(quoted))")
        }
        // When a requester opens a ticket
        try sandbox.createTicket(extra: ["--requester", "jane@example.test"])
        // Then the auto-response is in the outbox as failed, with the reason, not replaced by the default letter
        let auto = try #require(try sandbox.outbox().first { $0["kind"] as? String == "auto-response" })
        #expect(auto["status"] as? String == "failed", "\(auto)")
        #expect((auto["lastError"] as? String)?.contains(mentions) == true, "\(auto)")
        let listed = try sandbox.succeed(["notify", "list", "--status", "failed"])
        #expect(listed.out.contains("jane@example.test"), "\(listed)")
        // And the desk's own notice still goes out
        #expect(try sandbox.outbox(status: "pending").contains { $0["kind"] as? String == "new-ticket" })
    }

    @Test(arguments: Engine.available) func aGoodTemplateStillRenders(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail(autoResponse: true)
        try sandbox.succeed(["settings", "set", "support_email_template",
                             "Hi {{requester_name}}, {{#message}}you wrote: {{message}}{{/message}}{{! note }} {{{subject}}} {{&category}}"])
        try sandbox.createTicket(subject: "Printer", extra: ["--requester", "jane@example.test"])
        let auto = try #require(try sandbox.outbox().first { $0["kind"] as? String == "auto-response" })
        #expect(auto["status"] as? String == "pending", "\(auto)")
    }

    // MARK: Ids a requester sees (item 15)

    @Test(arguments: Engine.available) func aRequesterSeesRepliesAndHistoryNumberedWithoutGaps(engine: Engine) throws {
        // Given a ticket where internal notes sit between public replies, on a desk with other activity
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(subject: "someone else's", extra: ["--requester", "bob@example.test"])
        let number = try #require(try sandbox.createTicket(extra: ["--requester", "jane@example.test"])["ticketNumber"] as? String)
        try sandbox.succeed(["respond", number, "--message", "first", "--no-notify"])
        try sandbox.succeed(["respond", number, "--message", "note", "--internal"])
        try sandbox.succeed(["respond", number, "--message", "note 2", "--internal"])
        let reply = try sandbox.succeed(["respond", number, "--message", "mine", "--json"], as: "jane@example.test")
        try sandbox.succeed(["respond", number, "--message", "note 3", "--internal"])
        try sandbox.succeed(["respond", number, "--message", "last", "--no-notify"])
        // Then every id the requester is shown counts 1, 2, 3 … over what they can see
        #expect((try reply.json()["response"] as? [String: Any])?["id"] as? Int == 2, "\(reply.out)")
        let shown = try sandbox.succeed(["ticket", "show", number, "--json"], as: "jane@example.test").json()
        let replies = (shown["ticket"] as? [String: Any])?["responses"] as? [[String: Any]] ?? []
        #expect(replies.compactMap { $0["id"] as? Int } == [1, 2, 3])
        #expect(replies.compactMap { $0["message"] as? String } == ["first", "mine", "last"])
        let exported = try sandbox.export(as: "jane@example.test").lines
        #expect((exported.first?["responses"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [1, 2, 3])
        let history = try sandbox.succeed(["ticket", "history", number, "--json"], as: "jane@example.test").json()["history"] as? [[String: Any]] ?? []
        #expect(history.compactMap { $0["id"] as? Int } == Array(1...max(1, history.count)), "\(history)")
        #expect(!history.isEmpty)
        // And staff still see every row, with its own id
        let staff = try sandbox.ticket(number)["responses"] as? [[String: Any]] ?? []
        #expect(staff.count == 6)
    }

    // MARK: Replies streamed (item 12)

    @Test(arguments: Engine.available) func showShowsTheNewestRepliesAndSaysWhatIsLeftOut(engine: Engine) throws {
        // Given a ticket with 60 replies
        let sandbox = try Sandbox(engine: engine)
        let number = try #require(try sandbox.createTicket()["ticketNumber"] as? String)
        let script = (1...60).map { "\"$SUPPORT\" respond \(number) --message 'reply \($0)' --no-notify >/dev/null || exit 1" }
        try #require(try sandbox.shell(script.joined(separator: "\n")).status == 0)
        // When it is shown by default, with --replies 5 and with --all
        let text = try sandbox.succeed(["ticket", "show", number])
        let shownFive = try sandbox.succeed(["ticket", "show", number, "--json", "--replies", "5"])
        let json = try shownFive.json()
        let all = try sandbox.succeed(["ticket", "show", number, "--json", "--all"]).json()
        // Then the default shows the newest 50 and says 10 were left out
        #expect(text.out.contains("reply 60") && text.out.contains("reply 11") && !text.out.contains("reply 10\n"), "\(text.out.suffix(300))")
        #expect(text.out.contains("10 earlier"), "\(text.out.prefix(600))")
        let five = (json["ticket"] as? [String: Any])?["responses"] as? [[String: Any]] ?? []
        #expect(five.compactMap { $0["message"] as? String } == (56...60).map { "reply \($0)" })
        #expect(Array(json.keys) == ["ticket"])
        #expect(shownFive.err.contains("showing the newest 5 of 60 replies"), "\(shownFive.err)")
        #expect(((all["ticket"] as? [String: Any])?["responses"] as? [Any])?.count == 60)
        // And a list carries no replies
        #expect(try sandbox.list([]).tickets.allSatisfy { ($0["responses"] as? [Any])?.isEmpty == true })
        // And the export has every reply, its bytes read back by the import
        let export = try sandbox.export()
        #expect((export.lines.first?["responses"] as? [Any])?.count == 60)
        let fresh = try Sandbox(engine: engine)
        try fresh.succeed(["ticket", "import"], stdin: export.bytes)
        #expect(try fresh.export().bytes == export.bytes)
    }

    @Test(arguments: Engine.available) func aRequesterCannotShowAnotherRequestersTicket(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let number = try #require(try sandbox.createTicket(extra: ["--requester", "bob@example.test"])["ticketNumber"] as? String)
        try sandbox.createTicket(extra: ["--requester", "jane@example.test"])
        let result = try sandbox.run(["ticket", "show", number], as: "jane@example.test")
        #expect(result.status == 66, "\(result)")
        #expect(result.out.isEmpty)
    }
}
