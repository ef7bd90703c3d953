import Foundation
import Testing

@Suite("settings and user commands")
struct SettingsAndUserCommandTests {
    @Test(arguments: Engine.available) func settingsGetPrintsEveryKeyTyped(engine: Engine) throws {
        // Given a fresh database
        let sandbox = try Sandbox(engine: engine)
        // When the settings are read as JSON
        let result = try sandbox.run(["settings", "get", "--json"])
        // Then it is one object with every setting, booleans and numbers typed
        #expect(result.status == 0 && result.err == "", "\(result)")
        let settings = try result.json()
        for key in ["support_email", "support_auto_response", "support_email_template", "ticket_rate_limit_per_hour"] {
            #expect(settings.keys.contains(key), "\(key)")
        }
        #expect(settings["support_email"] as? String == "")
        #expect(settings["support_auto_response"] as? Bool == false)
        #expect(result.out.contains(#""support_auto_response": false"#))
        #expect(settings["ticket_rate_limit_per_hour"] as? Int == 10)
        #expect((settings["support_email_template"] as? String)?.contains("{{ticket_number}}") == true)
        // And one key alone prints just its value in text, or a one-key object in JSON
        #expect(try sandbox.succeed(["settings", "get", "ticket_rate_limit_per_hour"]).out == "10\n")
        let one = try sandbox.succeed(["settings", "get", "SUPPORT-EMAIL", "--json"]).json()
        #expect(Array(one.keys) == ["support_email"])
    }

    @Test(arguments: Engine.available) func settingsSetNormalisesAndStores(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let set = try sandbox.run(["settings", "set", "support_auto_response", "YES", "--json"])
        #expect(set.status == 0, "\(set)")
        #expect(try set.json()["support_auto_response"] as? Bool == true)
        #expect(try sandbox.succeed(["settings", "set", "support_email", "Help@Example.TEST"]).out == "support_email is set.\n")
        try sandbox.succeed(["settings", "set", "ticket_rate_limit_per_hour", " 3 "])
        let template = "Hello {{requester_name}},\nwe opened {{ticket_number}}.\n"
        try sandbox.succeed(["settings", "set", "support_email_template", "-"], stdin: Data(template.utf8))
        let settings = try sandbox.succeed(["settings", "get", "--json"]).json()
        #expect(settings["support_auto_response"] as? Bool == true)
        #expect(settings["support_email"] as? String == "help@example.test")
        #expect(settings["ticket_rate_limit_per_hour"] as? Int == 3)
        #expect(settings["support_email_template"] as? String == "Hello {{requester_name}},\nwe opened {{ticket_number}}.")
    }

    @Test(arguments: [
        ["settings", "set", "no_such_key", "1"], ["settings", "get", "no_such_key"],
        ["settings", "set", "support_auto_response", "maybe"], ["settings", "set", "ticket_rate_limit_per_hour", "--", "-1"],
        ["settings", "set", "ticket_rate_limit_per_hour", "lots"], ["settings", "set", "support_email", "not an address"],
        ["settings", "set", "support_email_template", "{{#unclosed}}"], ["settings", "set", "support_name", "two\nlines"],
    ], Engine.available)
    func invalidSettingsChangeNothing(_ args: [String], engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_name", "Helpdesk"])
        let before = try sandbox.storedState()
        // (--json first: a negative value needs "--" before it, and the global option is moved before that.)
        let result = try sandbox.run(["--json"] + args)
        #expect(result.status == 65, "\(args): \(result)")
        #expect(result.out == "")
        #expect(try result.apiError()["code"] as? String == "INVALID_INPUT")
        #expect(try sandbox.storedState() == before)
    }

    @Test(arguments: Engine.available) func settingsResetPutsTheDefaultBackAndIsAudited(engine: Engine) throws {
        // Given two settings changed from their defaults, and someone who is not an admin
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "ticket_rate_limit_per_hour", "3"])
        try sandbox.succeed(["settings", "set", "support_name", "Acme Help"])
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal"])
        // When one is reset as text and the other with --json
        let text = try sandbox.run(["settings", "reset", "ticket_rate_limit_per_hour"])
        let json = try sandbox.run(["settings", "reset", "SUPPORT-NAME", "--json"])
        // Then each is back to its default, and --json prints the key as `settings set` does (typed)
        #expect(text.status == 0 && text.out == "ticket_rate_limit_per_hour is back to its default.\n", "\(text)")
        #expect(json.status == 0, "\(json)")
        #expect(try json.json().count == 1 && json.json()["support_name"] as? String == "Support", "\(json)")
        #expect(try sandbox.succeed(["settings", "reset", "ticket_rate_limit_per_hour", "--json"]).json()["ticket_rate_limit_per_hour"] as? Int == 10)
        let settings = try sandbox.succeed(["settings", "get", "--json"]).json()
        #expect(settings["ticket_rate_limit_per_hour"] as? Int == 10 && settings["support_name"] as? String == "Support")
        // And the audit trail says old → default, once per real change (the second reset changed nothing)
        let events = try #require(try sandbox.succeed(["audit", "--action", "setting.changed", "--json"]).json()["events"] as? [[String: Any]])
        let resets = events.filter { $0["newValue"] as? String == "10" || $0["newValue"] as? String == "Support" }
        #expect(resets.map { "\($0["field"] ?? ""): \($0["oldValue"] ?? "") → \($0["newValue"] ?? "")" }
                == ["support_name: Acme Help → Support", "ticket_rate_limit_per_hour: 3 → 10"])
        #expect(try sandbox.succeed(["settings", "reset", "support_name"]).out == "Nothing changed: support_name already has its default.\n")
        // And an unknown key (65), a missing key (64) and a non-admin (77) change nothing
        let before = try sandbox.storedState()
        #expect(try sandbox.run(["settings", "reset", "no_such_key"]).status == 65)
        #expect(try sandbox.run(["settings", "reset"]).status == 64)
        try sandbox.succeed(["settings", "set", "support_name", "Acme Help"])
        let afterSet = try sandbox.storedState()
        #expect(afterSet != before)
        #expect(try sandbox.run(["settings", "reset", "support_name"], as: "sam@example.test").status == 77)
        #expect(try sandbox.storedState() == afterSet)
    }

    @Test(arguments: Engine.available) func usersAreAddedListedAndUpdated(engine: Engine) throws {
        // Given an empty database
        let sandbox = try Sandbox(engine: engine)
        // When an admin adds staff and a requester
        let added = try sandbox.run(["user", "add", "Sam@Example.test", "--name", "Sam Lee", "--role", "internal", "--json"])
        #expect(added.status == 0, "\(added)")
        let user = try #require(try added.json()["user"] as? [String: Any])
        #expect(Set(user.keys) == ["email", "name", "role", "createdAt", "login"])
        #expect(user["login"] is NSNull)
        #expect(user["email"] as? String == "sam@example.test")
        #expect(user["name"] as? String == "Sam Lee")
        #expect(user["role"] as? String == "internal")
        let plain = try sandbox.succeed(["user", "add", "jane@example.test"])
        #expect(plain.out == "Added jane <jane@example.test>  role: user\n")
        // Then the list has them by email, and filters by role
        let list = try sandbox.succeed(["user", "list", "--json"]).json()
        let emails = (list["users"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
        #expect(emails.filter { $0 != "operator@localhost" } == ["jane@example.test", "sam@example.test"])
        let staff = try sandbox.succeed(["user", "list", "--role", "INTERNAL", "--json"]).json()
        #expect((staff["users"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["sam@example.test"])
        // When one is promoted and renamed
        let updated = try sandbox.succeed(["user", "update", "sam@example.test", "--role", "admin", "--name", "Samantha", "--json"]).json()
        #expect((updated["user"] as? [String: Any])?["role"] as? String == "admin")
        // Then they can do admin things as themselves
        #expect(try sandbox.run(["settings", "get"], as: "sam@example.test").status == 0)
        let table = try sandbox.succeed(["user", "list"]).out
        #expect(table.hasPrefix("EMAIL"))
        #expect(table.contains("Samantha"))
    }

    static let invalidUserCommands: [([String], Int32)] = [
        (["user", "add", "not-an-address"], 65), (["user", "add", "a@b.test", "--role", "superuser"], 65),
        (["user", "add", "jane@example.test"], 65), (["user", "add", "x@example.test", "--name", "esc\u{1B}[2J"], 65),
        (["user", "update", "ghost@example.test", "--name", "Ghost"], 66), (["user", "update", "jane@example.test"], 65),
        (["user", "update", "jane@example.test", "--role", "root"], 65), (["user", "list", "--role", "boss"], 65),
    ]

    @Test(arguments: invalidUserCommands, Engine.available)
    func invalidUserCommandsChangeNothing(_ command: ([String], Int32), engine: Engine) throws {
        let (args, status) = command
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", "jane@example.test"])
        let before = try sandbox.storedState()
        let result = try sandbox.run(args + ["--json"])
        #expect(result.status == status, "\(args): \(result)")
        #expect(result.out == "")
        _ = try result.apiError()
        #expect(try sandbox.storedState() == before)
    }
}
