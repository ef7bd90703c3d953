import Foundation
import Testing

/// `--db`, `--as`, `--json` before or after the command, and their environment variables.
@Suite("global options")
struct GlobalOptionTests {
    @Test func jsonBeforeOrAfterTheCommandIsTheSame() throws {
        // Given two tickets
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "one")
        try sandbox.createTicket(subject: "two")
        // When the list is asked for with --json before and after the command
        let before = try sandbox.run(["--json", "ticket", "list"])
        let after = try sandbox.run(["ticket", "list", "--json"])
        // Then both print the same JSON
        #expect(before.status == 0 && after.status == 0)
        #expect(before.out == after.out)
        #expect((try before.json()["tickets"] as? [Any])?.count == 2)
    }

    @Test func dbAndAsBeforeOrAfterTheCommand() throws {
        // Given a database somewhere other than SUPPORT_DB, with a requester's ticket
        let sandbox = try Sandbox()
        let other = sandbox.directory.appendingPathComponent("other.db").path
        try sandbox.succeed(["--db", other, "ticket", "create", "--subject", "elsewhere", "--category", "bug-report",
                             "--message", "m", "--requester", "jane@example.test"])
        // When it is read with the options in either place, and with the = form
        let forms: [[String]] = [
            ["--db", other, "--as", "jane@example.test", "--json", "ticket", "list"],
            ["ticket", "list", "--db", other, "--as", "jane@example.test", "--json"],
            ["--db=\(other)", "ticket", "list", "--as=jane@example.test", "--json"],
            ["--json", "--as", "jane@example.test", "ticket", "list", "--db", other],
        ]
        // Then every form sees Jane's ticket in that file
        for args in forms {
            let result = try sandbox.run(args)
            #expect(result.status == 0, "\(args): \(result)")
            let tickets = try result.json()["tickets"] as? [[String: Any]]
            #expect(tickets?.compactMap { $0["subject"] as? String } == ["elsewhere"], "\(args)")
        }
        // And SUPPORT_DB's file was never touched
        #expect(!FileManager.default.fileExists(atPath: sandbox.dbPath))
    }

    @Test func dbOverridesSupportDB() throws {
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "in SUPPORT_DB")
        let other = sandbox.directory.appendingPathComponent("other.db").path
        let result = try sandbox.run(["ticket", "list", "--json", "--db", other])
        #expect(result.status == 0)
        #expect((try result.json()["tickets"] as? [Any])?.isEmpty == true)
        #expect(FileManager.default.fileExists(atPath: other))
    }

    @Test func supportASActsAsThatPersonAndAsOverridesIt() throws {
        // Given tickets by Jane and by the operator
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "jane's", extra: ["--requester", "jane@example.test"])
        try sandbox.createTicket(subject: "operator's")
        // When listing with SUPPORT_AS, and with --as overriding it
        let asJane = try sandbox.run(["ticket", "list", "--json"], environment: ["SUPPORT_AS": "jane@example.test"])
        let asStaff = try sandbox.run(["ticket", "list", "--json", "--as", "sam@example.test"],
                                      environment: ["SUPPORT_AS": "jane@example.test"])
        // Then Jane sees only hers; --as wins over SUPPORT_AS
        func subjects(_ r: CLIResult) throws -> [String] {
            (try r.json()["tickets"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
        }
        #expect(try subjects(asJane) == ["jane's"])
        #expect(asStaff.status == 67, "sam is not a user of this desk")
        // And an unknown SUPPORT_AS is refused like --as
        let nobody = try sandbox.run(["ticket", "list"], environment: ["SUPPORT_AS": "nobody@example.test"])
        #expect(nobody.status == 67)
    }

    @Test(arguments: [
        ["--as", "nobody@x.test", "ticket", "list"],
        ["ticket", "show", "N", "--as", "nobody@x.test"],
        ["--as", "NOBODY@X.TEST", "respond", "N", "--message", "hi"],
        ["--as", "not an address", "ticket", "list"],
        ["--as", "nobody@x.test", "settings", "get"],
    ])
    func anUnknownActorExits67(_ args: [String]) throws {
        // Given a ticket
        let sandbox = try Sandbox()
        try sandbox.createTicket()
        let before = try sandbox.storedState()
        // When --as names nobody known
        let result = try sandbox.run(args.map { $0 == "N" ? Sandbox.number(1) : $0 } + ["--json"])
        // Then it exits 67 with UNAUTHORIZED and changes nothing
        #expect(result.status == 67, "\(result)")
        #expect(result.out == "")
        #expect(try result.apiError()["code"] as? String == "UNAUTHORIZED")
        #expect(try sandbox.storedState() == before)
    }

    @Test func versionAndHelp() throws {
        let sandbox = try Sandbox()
        let version = try sandbox.run(["--version"])
        #expect(version.status == 0)
        #expect(version.out.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(version)")
        let help = try sandbox.run(["--help"])
        #expect(help.status == 0)
        for word in ["ticket", "respond", "settings", "user", "--db", "--as", "SUPPORT_DB", "SUPPORT_AS"] {
            #expect(help.out.contains(word), "\(word)")
        }
        let sub = try sandbox.run(["ticket", "create", "--help"])
        #expect(sub.status == 0)
        for word in ["--subject", "--category", "--message", "--db", "--as", "--json"] {
            #expect(sub.out.contains(word), "\(word)")
        }
    }

    @Test(arguments: [
        ["frobnicate"], ["ticket", "create", "--category", "bug-report", "--message", "m"], ["ticket", "list", "--bogus"],
        ["ticket", "list", "--limit", "ten"], ["ticket", "show"], ["respond"], ["settings", "set", "support_name"],
        ["user", "add"], ["ticket", "list", "--limit"],
    ])
    func aBadCommandLineExits64WithUsage(_ args: [String]) throws {
        let sandbox = try Sandbox()
        let result = try sandbox.run(args)
        #expect(result.status == 64, "\(args): \(result)")
        #expect(result.out == "")
        #expect(!result.err.isEmpty)
        // Nothing is created for a command line that never ran.
        #expect(!FileManager.default.fileExists(atPath: sandbox.dbPath))
    }

    // Issue 13 (1, 3, 4): a wrapper pins identity by putting options first; nothing later may
    // override them, an empty SUPPORT_AS fails closed, and the operator's placeholder is no name.
    @Test(arguments: [
        ["--db", "X", "ticket", "list", "--db", "X"],
        ["--db=X", "--db", "X", "ticket", "list"],
        ["--as", "jane@example.test", "ticket", "list", "--as", "jane@example.test"],
        ["ticket", "list", "--as=jane@example.test", "--as=jane@example.test"],
        ["--json", "ticket", "list", "--json"],
        ["--verbose", "ticket", "show", "ST-2026-001", "--verbose"],
        ["notify", "flush", "--dry-run", "--json", "--json"],
    ])
    func aGlobalOptionGivenTwiceIsAUsageError(_ arguments: [String]) throws {
        // Given a desk with one ticket
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "pinned", extra: ["--requester", "jane@example.test"])
        let resolved = arguments.map { $0 == "X" ? sandbox.dbPath : $0.replacingOccurrences(of: "=X", with: "=\(sandbox.dbPath)") }
        // When a global option is repeated anywhere on the line
        let result = try sandbox.run(resolved)
        // Then it is refused before anything runs, naming the option
        #expect(result.status == 64)
        #expect(result.err.contains("given more than once"))
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: ["", " ", "operator@localhost", "OPERATOR@LOCALHOST"])
    func anEmptySupportASOrTheOperatorsPlaceholderIsNobody(_ value: String) throws {
        // Given a desk whose operator row exists (created by the first ticket)
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "secret", extra: ["--requester", "jane@example.test"])
        // When acting through SUPPORT_AS or --as with that value
        let viaEnvironment = try sandbox.run(["settings", "get"], environment: ["SUPPORT_AS": value])
        let viaOption = try sandbox.run(["settings", "get", "--as", value])
        // Then both fail closed as an unknown actor, and nothing is shown
        #expect(viaEnvironment.status == 67)
        #expect(viaOption.status == 67)
        #expect(viaEnvironment.stdout.isEmpty && viaOption.stdout.isEmpty)
    }
}
