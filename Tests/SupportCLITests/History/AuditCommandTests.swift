import Foundation
import Testing

/// `support audit` through the real binary: the whole trail (settings, users, tickets, deleted
/// ones too), newest first, filtered and paged like `ticket list`, for admins only.
@Suite("audit")
struct AuditCommandTests {
    static let sam = "sam@example.test"
    static let ada = "ada@example.test"
    static let jane = "jane@example.test"
    static let op = "operator@localhost"

    /// A summary of one event: action, actor, ticket, field, old → new.
    struct Entry: Equatable, CustomStringConvertible {
        var action: String
        var actor: String
        var ticket: String? = nil
        var field: String? = nil
        var old: String? = nil
        var new: String? = nil

        var description: String {
            "\(action) by \(actor) \(ticket ?? "-") \(field ?? "-"): \(old ?? "nil") -> \(new ?? "nil")"
        }
    }

    static func audit(_ sandbox: Sandbox, _ arguments: [String] = [], as actor: String? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> (entries: [Entry], pagination: [String: Int], raw: [[String: Any]]) {
        let result = try sandbox.succeed(["audit", "--json"] + arguments, as: actor, sourceLocation: sourceLocation)
        #expect(result.err == "", "\(result)", sourceLocation: sourceLocation)
        let root = try result.json(sourceLocation: sourceLocation)
        #expect(Set(root.keys) == ["events", "pagination"], sourceLocation: sourceLocation)
        let raw = try #require(root["events"] as? [[String: Any]], sourceLocation: sourceLocation)
        let pagination = try #require(root["pagination"] as? [String: Int], sourceLocation: sourceLocation)
        let entries = raw.map { e in
            Entry(action: e["action"] as? String ?? "?", actor: (e["actor"] as? [String: Any])?["email"] as? String ?? "?",
                  ticket: e["ticketNumber"] as? String, field: e["field"] as? String,
                  old: e["oldValue"] as? String, new: e["newValue"] as? String)
        }
        return (entries, pagination, raw)
    }

    /// Sam (staff) and Ada (admin) added, the support address set (twice the same), Sam promoted,
    /// a ticket for Jane opened, changed by Sam, then deleted: seven events.
    static func setUp(_ engine: Engine) throws -> (Sandbox, String) {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", sam, "--name", "Sam", "--role", "internal"])
        try sandbox.succeed(["user", "add", ada, "--name", "Ada", "--role", "admin"])
        try sandbox.succeed(["settings", "set", "support_email", "help@example.test"])
        try sandbox.succeed(["settings", "set", "support_email", "help@example.test"], as: ada)
        let ticket = try sandbox.createTicket(subject: "Printer on fire", extra: ["--requester", jane])
        let number = try #require(ticket["ticketNumber"] as? String)
        try sandbox.succeed(["ticket", "update", number, "--status", "in-progress"], as: sam)
        try sandbox.succeed(["user", "update", sam, "--role", "admin"], as: ada)
        try sandbox.succeed(["ticket", "delete", number, "--yes"], as: sam)
        return (sandbox, number)
    }

    @Test(arguments: Engine.available) func peopleAnImportCreatesAreRecordedWithTheirRoles(engine: Engine) throws {
        // Given a file naming a new requester, a new agent and a new admin (and a known person)
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", Self.sam, "--name", "Sam", "--role", "internal"])
        let line = #"{"subject":"Imported","message":"Body","category":"bug-report","submittedBy":{"email":"new.requester@example.test"},"assignedTo":{"email":"boss@example.test","role":"admin"},"responses":[{"message":"Hi","respondedBy":{"email":"agent@example.test","role":"internal"}},{"message":"Me too","respondedBy":{"email":"sam@example.test","role":"internal"}}]}"#
        // When an admin imports it
        try sandbox.succeed(["ticket", "import", "--json"], stdin: Data((line + "\n").utf8))
        // Then each person it created is in the trail, by the importer, with the role given;
        // the known one is not added again
        let added = try Self.audit(sandbox, ["--action", "user.added"]).entries
        #expect(Set(added.map { "\($0.field ?? "?") \($0.new ?? "?") by \($0.actor)" }) == [
            "new.requester@example.test user by \(Self.op)", "boss@example.test admin by \(Self.op)",
            "agent@example.test internal by \(Self.op)", "sam@example.test internal by \(Self.op)",
        ])
        #expect(added.filter { $0.field == Self.sam }.count == 1)
    }

    @Test(arguments: Engine.available) func everyEventNewestFirstWithOldAndNewValues(engine: Engine) throws {
        // Given settings, user and ticket changes (a setting set to the value it had among them)
        let (sandbox, number) = try Self.setUp(engine)
        // When an admin reads the audit trail
        let (entries, pagination, raw) = try Self.audit(sandbox, as: Self.ada)
        // Then every change is there, newest first, with who made it and old → new; the repeated setting once
        #expect(entries == [
            Entry(action: "ticket.deleted", actor: Self.sam, ticket: number, old: "Printer on fire"),
            Entry(action: "user.changed", actor: Self.ada, field: "\(Self.sam) role", old: "internal", new: "admin"),
            Entry(action: "ticket.changed", actor: Self.sam, ticket: number, field: "status", old: "Open", new: "In Progress"),
            Entry(action: "ticket.created", actor: Self.op, ticket: number, new: "Printer on fire"),
            Entry(action: "setting.changed", actor: Self.op, field: "support_email", old: "", new: "help@example.test"),
            Entry(action: "user.added", actor: Self.op, field: Self.ada, new: "admin"),
            Entry(action: "user.added", actor: Self.op, field: Self.sam, new: "internal"),
        ], "\(entries.map(\.description).joined(separator: "\n"))")
        #expect(pagination == ["total": 7, "page": 1, "limit": 25, "pages": 1])
        // And each event has the shape `ticket history --json` gives its entries
        let history = try sandbox.succeed(["ticket", "history", number, "--json"])
        let historyEntry = try #require((try history.json()["history"] as? [[String: Any]])?.first)
        for event in raw {
            #expect(Set(event.keys) == Set(historyEntry.keys), "\(event)")
            #expect(Set(((event["actor"] as? [String: Any]) ?? [:]).keys) == ["email", "name", "role"])
            #expect((event["createdAt"] as? String)?.hasSuffix("Z") == true)
        }
        let ids = raw.compactMap { $0["id"] as? Int }
        #expect(ids == ids.sorted(by: >), "newest first")
    }

    @Test(arguments: Engine.available) func filtersMatchAnyOfTheirValuesAndAllOfEachOther(engine: Engine) throws {
        // Given the seven changes
        let (sandbox, number) = try Self.setUp(engine)
        func actions(_ arguments: [String]) throws -> [String] { try Self.audit(sandbox, arguments).entries.map(\.action) }
        // When filtered by action (repeated, comma-separated, any case), actor, ticket (deleted: kept) and their combinations
        #expect(try actions(["--action", "setting.changed"]) == ["setting.changed"])
        #expect(try actions(["--action", "user.added,USER.changed"]) == ["user.changed", "user.added", "user.added"])
        #expect(try actions(["--action", "user.added", "--action", " setting.changed "]) == ["setting.changed", "user.added", "user.added"])
        #expect(try actions(["--action", "user.added,user.added"]) == ["user.added", "user.added"])
        #expect(try actions(["--actor", Self.sam]) == ["ticket.deleted", "ticket.changed"])
        #expect(try actions(["--actor", "ADA@example.test"]) == ["user.changed"])
        #expect(try actions(["--actor", Self.op, "--action", "user.added,ticket.created"]) == ["ticket.created", "user.added", "user.added"])
        #expect(try actions(["--ticket", number]) == ["ticket.deleted", "ticket.changed", "ticket.created"])
        #expect(try actions(["--ticket", number.lowercased(), "--actor", Self.sam, "--action", "ticket.changed"]) == ["ticket.changed"])
        #expect(try actions(["--ticket", "ST-1999-001"]) == [])
        // Then someone who never did anything, or who does not exist, has an empty page, not an error
        let nobody = try Self.audit(sandbox, ["--actor", "nobody@example.test"])
        #expect(nobody.entries == [] && nobody.pagination == ["total": 0, "page": 1, "limit": 25, "pages": 0])
        #expect(try actions(["--actor", Self.jane]) == [])
    }

    @Test(arguments: Engine.available) func sinceAndUntilBoundTheTimeOfTheChange(engine: Engine) throws {
        // Given the seven changes, and the instant of the ticket's creation
        let (sandbox, _) = try Self.setUp(engine)
        let all = try Self.audit(sandbox).raw
        let created = try #require(all.first { $0["action"] as? String == "ticket.created" }?["createdAt"] as? String)
        let atOrAfter = all.filter { ($0["createdAt"] as? String ?? "") >= created }.count
        // When bounded by that instant, by relative times and by days
        let since = try Self.audit(sandbox, ["--since", created])
        let until = try Self.audit(sandbox, ["--until", created])
        // Then --since includes the change made at that very instant and --until leaves it out
        #expect(since.entries.count == atOrAfter && since.entries.last?.action == "ticket.created", "\(since.entries)")
        #expect(until.entries.count == all.count - atOrAfter && !until.entries.contains { $0.action == "ticket.created" })
        // And relative and day forms are those of `ticket list`
        #expect(try Self.audit(sandbox, ["--since", "1h"]).entries.count == all.count)
        #expect(try Self.audit(sandbox, ["--since", "2w", "--until", "2999-01-01"]).entries.count == all.count)
        #expect(try Self.audit(sandbox, ["--until", "1h"]).entries == [])
        #expect(try Self.audit(sandbox, ["--since", "2999-01-01"]).entries == [])
        #expect(try Self.audit(sandbox, ["--until", "2999-01-01", "--action", "user.added"]).entries.count == 2)
    }

    @Test(arguments: Engine.available) func pagesCoverEveryEventOnce(engine: Engine) throws {
        // Given the seven changes
        let (sandbox, _) = try Self.setUp(engine)
        let whole = try Self.audit(sandbox).raw.compactMap { $0["id"] as? Int }
        // When read three at a time, with and without a filter that merges several actions
        for filter in [[], ["--action", "user.added,ticket.changed,user.changed,ticket.deleted"]] {
            let expected = try Self.audit(sandbox, filter).raw.compactMap { $0["id"] as? Int }
            var seen: [Int] = []
            let pages = (expected.count + 2) / 3
            for page in 1...pages + 1 {
                let part = try Self.audit(sandbox, filter + ["--limit", "3", "--page", String(page)])
                // Then each page has the seed's pagination object, the last the remainder, one past it nothing
                #expect(part.pagination == ["total": expected.count, "page": page, "limit": 3, "pages": pages], "\(filter) \(page)")
                seen += part.raw.compactMap { $0["id"] as? Int }
            }
            // And together they are the one long page
            #expect(seen == expected, "\(filter)")
        }
        #expect(whole.count == 7)
    }

    @Test(arguments: Engine.available) func onlyAnAdminReadsIt(engine: Engine) throws {
        // Given the changes, a requester, staff and an admin
        let (sandbox, _) = try Self.setUp(engine)
        try sandbox.succeed(["user", "add", "lee@example.test", "--role", "internal"])
        for actor in [Self.jane, "lee@example.test"] {
            // When someone else asks, with or without --json
            let text = try sandbox.run(["audit"], as: actor)
            let json = try sandbox.run(["audit", "--json", "--action", "setting.changed"], as: actor)
            // Then it is refused as every admin-only command is: 77, FORBIDDEN, nothing on stdout
            #expect(text.status == 77 && text.out == "", "\(text)")
            #expect(text.err.contains("only an admin"), "\(text)")
            #expect(json.status == 77 && json.out == "", "\(json)")
            #expect(try json.apiError()["code"] as? String == "FORBIDDEN")
        }
        // And --as naming nobody is 67, as everywhere
        #expect(try sandbox.run(["audit"], as: "ghost@example.test").status == 67)
        // And an admin (Ada, and Sam since his promotion) and the local operator may read it
        try sandbox.succeed(["audit"], as: Self.ada)
        try sandbox.succeed(["audit"], as: Self.sam)
        try sandbox.succeed(["audit"])
    }

    @Test(arguments: Engine.available) func badValuesAreRefusedWith65AndAClearMessage(engine: Engine) throws {
        // Given the changes
        let (sandbox, _) = try Self.setUp(engine)
        let huge = String(repeating: "x", count: 100_000)
        let cases: [(arguments: [String], field: String, says: String)] = [
            (["--action", "setting.deleted"], "action", "unknown action 'setting.deleted' (expected one of ticket.created,"),
            (["--action", ""], "action", "unknown action ''"),
            (["--action", "user.added,"], "action", "unknown action ''"),
            (["--action", "user.added\u{1B}[2J"], "action", "unknown action 'user.added\\x1B[2J'"),
            (["--action", "\u{202E}user.added"], "action", "unknown action '\\u{202E}user.added'"),
            (["--action", huge], "action", "unknown action 'xxxx"),
            (["--actor", "not-an-address"], "actor", "is not an email address"),
            (["--actor", "sam@example.test\u{07}\u{1B}]0;pwned\u{07}"], "actor", "is not an email address"),
            (["--actor", huge + "@example.test"], "actor", "longer than 254 bytes"),
            (["--actor", "sam@example.test\nBcc: x@example.test"], "actor", "is not an email address"),
            (["--ticket", "ST-2026"], "ticket", "is not a ticket number"),
            (["--ticket", "'; DROP TABLE audit_event; --"], "ticket", "is not a ticket number"),
            (["--ticket", "ST-2026-001\u{1B}[31m"], "ticket", "'ST-2026-001\\x1B[31m' is not a ticket number"),
            (["--ticket", huge], "ticket", "is not a ticket number"),
            (["--since", "the day before"], "--since", "is not a date"),
            (["--since", "2026-11-01", "--until", "2026-10-01"], "since", "--since must be before --until"),
        ]
        // (--limit and --page out of range are usage errors, 64: DailyUseTests)
        for (arguments, field, says) in cases {
            // When a filter value is not valid, with and without --json
            let json = try sandbox.run(["audit", "--json"] + arguments)
            let text = try sandbox.run(["audit"] + arguments)
            let shown = arguments.map { String($0.prefix(40)) }
            // Then it is invalid input (65), one short line on stderr naming the problem, nothing on stdout
            #expect(json.status == 65 && json.out == "", "\(shown): \(json)")
            #expect(text.status == 65 && text.out == "", "\(shown): \(text)")
            let error = try json.apiError()
            #expect((error["details"] as? [String: Any])?["field"] as? String == field, "\(shown): \(json.err.prefix(300))")
            #expect((error["error"] as? String)?.contains(says) == true, "\(shown): \(json.err.prefix(300))")
            #expect(text.err.contains(says), "\(shown): \(text.err.prefix(300))")
            // And no control character reaches the terminal, and the message stays short however long the input
            #expect(!text.err.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" } && !text.err.contains("\u{202E}"), "\(shown)")
            #expect(text.err.utf8.count < 400 && text.err.split(separator: "\n").count == 1, "\(shown): \(text.err.prefix(300))")
        }
        // And nothing was recorded meanwhile
        #expect(try Self.audit(sandbox).entries.count == 7)
    }

    @Test(arguments: Engine.available) func aTableOnTheTerminal(engine: Engine) throws {
        // Given the changes, the last a template of several lines
        let (sandbox, _) = try Self.setUp(engine)
        try sandbox.succeed(["settings", "set", "support_email_template", "Hello {{requester_name}},\n\nThanks\n"])
        // When an admin lists the trail on a terminal
        let result = try sandbox.succeed(["audit", "--limit", "4"])
        let lines = result.out.split(separator: "\n").map(String.init)
        // Then it is a table, newest first, one line per event, with a page line
        #expect(lines.count == 6, "\(result.out)")
        #expect(lines.first?.hasPrefix("TIME ") == true && lines.first?.contains("ACTOR") == true
                && lines.first?.contains("ACTION") == true && lines.first?.contains("TICKET") == true, "\(result.out)")
        #expect(lines[1].contains("setting.changed") && lines[1].contains("support_email_template: "), "\(lines[1])")
        #expect(lines[1].hasSuffix("→ Hello {{requester_name}},⏎⏎Thanks"), "\(lines[1])")
        #expect(lines[2].contains("ticket.deleted") && lines[2].contains(Self.sam) && lines[2].contains("deleted the ticket"), "\(lines[2])")
        #expect(lines[3].contains("user.changed") && lines[3].contains("changed \(Self.sam) role: internal → admin"), "\(lines[3])")
        #expect(lines[4].contains("ticket.changed") && lines[4].contains("changed status: Open → In Progress"), "\(lines[4])")
        #expect(lines[5] == "Page 1 of 2 · 8 events", "\(result.out)")
        #expect(!result.out.contains("\u{1B}"))
        // And an empty trail or page says so
        #expect(try sandbox.succeed(["audit", "--action", "ticket.noted"]).out == "No audit events.\n")
        #expect(try sandbox.succeed(["audit", "--page", "9"]).out == "No events on page 9 (there are 1 pages).\n")
    }

    @Test(arguments: Engine.available) func userAndSettingChangesRecordOldAndNewValues(engine: Engine) throws {
        // Given a fresh desk
        let sandbox = try Sandbox(engine: engine)
        // When a setting is changed twice (and once to what it is), a staff member added, promoted, demoted and renamed
        try sandbox.succeed(["settings", "set", "ticket_rate_limit_per_hour", "5"])
        try sandbox.succeed(["settings", "set", "ticket_rate_limit_per_hour", "5"])
        try sandbox.succeed(["settings", "set", "ticket_rate_limit_per_hour", "0"])
        // (another admin first: the last admin cannot be demoted, IdentityTests)
        try sandbox.succeed(["user", "add", "ada@example.test", "--name", "Ada", "--role", "admin"])
        try sandbox.succeed(["user", "add", "lee@example.test", "--name", "Lee", "--role", "internal"])
        try sandbox.succeed(["user", "update", "lee@example.test", "--role", "admin"])
        try sandbox.succeed(["user", "update", "LEE@example.test", "--role", "internal", "--name", "Lee Smith"])
        try sandbox.succeed(["user", "update", "lee@example.test", "--role", "internal"])
        // Then each real change is one event, old → new, oldest last; the no-ops are not there
        let (entries, _, _) = try Self.audit(sandbox)
        #expect(entries == [
            Entry(action: "user.changed", actor: Self.op, field: "lee@example.test name", old: "Lee", new: "Lee Smith"),
            Entry(action: "user.changed", actor: Self.op, field: "lee@example.test role", old: "admin", new: "internal"),
            Entry(action: "user.changed", actor: Self.op, field: "lee@example.test role", old: "internal", new: "admin"),
            Entry(action: "user.added", actor: Self.op, field: "lee@example.test", new: "internal"),
            Entry(action: "user.added", actor: Self.op, field: "ada@example.test", new: "admin"),
            Entry(action: "setting.changed", actor: Self.op, field: "ticket_rate_limit_per_hour", old: "5", new: "0"),
            Entry(action: "setting.changed", actor: Self.op, field: "ticket_rate_limit_per_hour", old: "10", new: "5"),
        ], "\(entries.map(\.description).joined(separator: "\n"))")
    }
}
