import Foundation
import Testing

/// The human view: an aligned table, and no escape byte unless colour is wanted on a terminal.
@Suite("terminal output")
struct TerminalOutputTests {
    static let script = "/usr/bin/script"

    /// A sandbox with tickets of different widths and a conversation with an internal note.
    static func populated() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal"])
        try sandbox.createTicket(subject: "Short", category: "bug-report", extra: ["--requester", "a@b.test", "--priority", "low"])
        try sandbox.createTicket(subject: "A much longer subject line — with 日本語", category: "technical-issue",
                                 extra: ["--requester", "someone.with.a.long.address@example.test", "--priority", "critical"])
        try sandbox.succeed(["ticket", "update", Sandbox.number(2), "--status", "in-progress", "--assign", "sam@example.test"])
        try sandbox.succeed(["respond", Sandbox.number(2), "--message", "On it."], as: "sam@example.test")
        try sandbox.succeed(["respond", Sandbox.number(2), "--internal", "--message", "Vendor bug."], as: "sam@example.test")
        return sandbox
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux script for a pseudo-terminal"))
    func listIsAnAlignedTable() throws {
        // Given two tickets whose cells differ in width
        let sandbox = try Self.populated()
        // When listed on a terminal (a pipe gets tab-separated rows: DailyUseTests)
        let result = try Self.onTerminal(sandbox, "ticket list", environment: ["COLUMNS": "300"])
        #expect(result.status == 0, "\(result)")
        let lines = result.out.replacing("\r\n", with: "\n").split(separator: "\n").map(String.init)
        // Then a header, one row per ticket and a footer; every column starts where its header does
        #expect(lines.count == 4, "\(result.out)")
        let header = lines[0]
        #expect(header.hasPrefix("TICKET"))
        let rows = [
            (lines[1], [Sandbox.number(2), "In Progress", "Critical", "Technical Issue", "someone.with.a.long.address@example.test",
                        "sam@example.test", "", "A much longer subject line — with 日本語"]),
            (lines[2], [Sandbox.number(1), "Open", "Low", "Bug Report", "a@b.test", "-", "", "Short"]),
        ]
        let titles = ["TICKET", "STATUS", "PRIORITY", "CATEGORY", "REQUESTER", "ASSIGNEE", "UPDATED", "SUBJECT"]
        for (index, title) in titles.enumerated() {
            let column = try #require(header.range(of: title)).lowerBound.utf16Offset(in: header)
            for (row, cells) in rows {
                let characters = Array(row)
                // All headers and these cells are ASCII up to the subject column, so characters are columns.
                #expect(characters.count > column, "\(title): \(row)")
                guard characters.count > column else { continue }
                if column > 0 { #expect(characters[column - 1] == " ", "\(title): \(row)") }
                #expect(String(characters[column...]).hasPrefix(cells[index]), "\(title): \(row)")
            }
        }
        #expect(lines[3] == "Page 1 of 1 · 2 tickets")
        #expect(!result.stdout.contains(0x1B))
    }

    @Test func noColourWhenPiped() throws {
        let sandbox = try Self.populated()
        for args in [["ticket", "list"], ["ticket", "show", Sandbox.number(2)], ["user", "list"], ["settings", "get"]] {
            let result = try sandbox.run(args, environment: ["NO_COLOR": nil])
            #expect(result.status == 0)
            #expect(!result.stdout.contains(0x1B), "\(args)")
        }
    }

    @Test func showHasBadgesAndTheConversationInOrder() throws {
        let sandbox = try Self.populated()
        let staff = try sandbox.succeed(["ticket", "show", Sandbox.number(2)]).out
        #expect(staff.hasPrefix("\(Sandbox.number(2))  [In Progress] [Critical]  A much longer subject line"))
        let reply = try #require(staff.range(of: "reply by sam <sam@example.test>"))
        let note = try #require(staff.range(of: "internal note by sam <sam@example.test>"))
        #expect(reply.lowerBound < note.lowerBound)
        #expect(staff.contains("Vendor bug."))
        let requester = try sandbox.succeed(["ticket", "show", Sandbox.number(2)], as: "someone.with.a.long.address@example.test").out
        #expect(requester.contains("On it."))
        #expect(!requester.contains("Vendor bug.") && !requester.contains("internal note"))
    }

    /// Runs `support` on a pseudo-terminal (util-linux `script`), where colour is possible.
    static func onTerminal(_ sandbox: Sandbox, _ command: String, environment: [String: String?]) throws -> CLIResult {
        var env = environment
        env["SHELL"] = "/bin/sh"
        env["TERM"] = env["TERM"] ?? "xterm"
        return try sandbox.shell(#"exec \#(script) -qec "$SUPPORT \#(command)" /dev/null"#, environment: env)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux script for a pseudo-terminal"))
    func colourOnlyOnATerminalWithoutNoColor() throws {
        // Given a ticket, shown on a pseudo-terminal
        let sandbox = try Self.populated()
        let command = "ticket show \(Sandbox.number(2))"
        // When NO_COLOR is unset, set, or TERM is dumb
        let colour = try Self.onTerminal(sandbox, command, environment: ["NO_COLOR": nil])
        let noColor = try Self.onTerminal(sandbox, command, environment: ["NO_COLOR": "1"])
        let dumb = try Self.onTerminal(sandbox, command, environment: ["NO_COLOR": nil, "TERM": "dumb"])
        // Then only the first has escape sequences
        #expect(colour.status == 0 && noColor.status == 0 && dumb.status == 0, "\(colour)\n\(noColor)")
        #expect(colour.stdout.contains(0x1B), "a terminal without NO_COLOR gets colour")
        #expect(colour.out.contains("In Progress"))
        #expect(!noColor.stdout.contains(0x1B), "\(noColor.out)")
        #expect(noColor.out.contains("[In Progress] [Critical]"))
        #expect(!dumb.stdout.contains(0x1B))
    }

    // MARK: --color and the width of the window

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux script for a pseudo-terminal"))
    func colorOptionOverridesTheTerminalAndTheEnvironment() throws {
        // Given a ticket with badges to colour
        let sandbox = try Self.populated()
        let show = ["ticket", "show", Sandbox.number(2)]
        // When asked for always into a pipe, never on a terminal, auto with CLICOLOR_FORCE into a
        // pipe, and auto with both NO_COLOR and CLICOLOR_FORCE
        let always = try sandbox.run(show + ["--color", "always"], environment: ["NO_COLOR": "1"])
        let never = try Self.onTerminal(sandbox, "--color never ticket show \(Sandbox.number(2))", environment: ["NO_COLOR": nil])
        let forced = try sandbox.run(show, environment: ["NO_COLOR": nil, "CLICOLOR_FORCE": "1"])
        let forcedOff = try sandbox.run(show, environment: ["NO_COLOR": nil, "CLICOLOR_FORCE": "0"])
        let both = try sandbox.run(show, environment: ["NO_COLOR": "1", "CLICOLOR_FORCE": "1"])
        // Then the option wins over everything, NO_COLOR over CLICOLOR_FORCE, which colours a pipe
        for result in [always, never, forced, forcedOff, both] { #expect(result.status == 0, "\(result)") }
        #expect(always.stdout.contains(0x1B))
        #expect(!never.stdout.contains(0x1B), "\(never.out)")
        #expect(never.out.contains("[In Progress] [Critical]"))
        #expect(forced.stdout.contains(0x1B))
        #expect(!forcedOff.stdout.contains(0x1B))
        #expect(!both.stdout.contains(0x1B))
        // And a word other than auto/always/never is a usage error, before or after the command
        for line in [["--color", "sometimes", "ticket", "list"], ["ticket", "list", "--color=yes"]] {
            let bad = try sandbox.run(line)
            #expect(bad.status == 64, "\(line): \(bad)")
            #expect(bad.err.contains("--color must be auto, always or never"), "\(bad.err)")
        }
        // And it is a global option: given twice it is refused like --db and --as
        #expect(try sandbox.run(["--color", "never", "ticket", "list", "--color", "always"]).status == 64)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux script for a pseudo-terminal"),
          arguments: [60, 80, 100, 120])
    func theListFitsTheWindowAndTheSubjectKeepsItsRoom(columns: Int) throws {
        // Given tickets with a long requester address and a long subject
        let sandbox = try Self.populated()
        try sandbox.createTicket(subject: String(repeating: "Printer on the third floor jams ", count: 3), category: "bug-report",
                                 extra: ["--requester", "a.very.long.customer.address.indeed@subsidiary.example.test"])
        // When listed on a terminal of that width
        let result = try Self.onTerminal(sandbox, "ticket list --status all", environment: ["COLUMNS": String(columns)])
        #expect(result.status == 0, "\(result)")
        let lines = result.out.replacing("\r\n", with: "\n").split(separator: "\n").map(String.init)
        // Then no line is wider than the window (the widest characters here are one column, but
        // 日本語 takes two each)
        for line in lines {
            let width = line.unicodeScalars.reduce(0) { $0 + (($1.value >= 0x3000 && $1.value <= 0x9FFF) ? 2 : 1) }
            #expect(width <= columns, "\(columns) columns: \(line)")
        }
        // And the number, the status and the subject always stay, the subject with room to read
        let header = try #require(lines.first)
        for title in ["TICKET", "STATUS", "SUBJECT"] { #expect(header.contains(title), "\(columns): \(header)") }
        let row = try #require(lines.first { $0.hasPrefix(Sandbox.number(3)) })
        let subject = try #require(row.range(of: "Printer"), "\(row)")
        #expect(row.distance(from: subject.lowerBound, to: row.endIndex) >= 24, "\(row)")
        // And where the requester is shown (a wide window), a long address is shortened keeping
        // the end of its domain rather than taking the subject's room
        if columns >= 100 {
            #expect(header.contains("REQUESTER"), "\(header)")
            #expect(row.contains("…") && row.contains("example.test") && !row.contains("a.very.long.customer.address.indeed"), "\(row)")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux script for a pseudo-terminal"))
    func theFirstRunSaysWhereTheDeskIsOnceAndOnlyToAPerson() throws {
        // Given no database yet
        let sandbox = try Sandbox()
        let note = "created a new help desk at \(sandbox.dbPath)"
        // When the first command runs on a terminal, then a second one
        let first = try Self.onTerminal(sandbox, "ticket list", environment: [:])
        let second = try Self.onTerminal(sandbox, "ticket list", environment: [:])
        // Then only the first says where the new file is
        #expect(first.status == 0 && second.status == 0, "\(first)\n\(second)")
        #expect(first.out.contains(note), "\(first.out)")
        #expect(!second.out.contains("created a new help desk"), "\(second.out)")
        // And a script (stderr not a terminal) or --json gets no such line on a new file
        let other = try Sandbox()
        let piped = try other.run(["ticket", "list"])
        #expect(piped.status == 0 && !piped.err.contains("created a new help desk"), "\(piped)")
        let third = try Sandbox()
        let json = try Self.onTerminal(third, "ticket list --json", environment: [:])
        #expect(json.status == 0 && !json.out.contains("created a new help desk"), "\(json)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux script for a pseudo-terminal"),
          arguments: ["audit", "user list"])
    func everyTableFitsAnEightyColumnWindow(command: String) throws {
        // Given people with long addresses and changes to audit
        let sandbox = try Self.populated()
        try sandbox.succeed(["user", "add", "a.very.long.staff.member.address@subsidiary.example.test", "--name",
                             String(repeating: "Long Name ", count: 6), "--role", "internal"])
        try sandbox.succeed(["settings", "set", "support_email_template", String(repeating: "Hello {{requester_name}}. ", count: 8)])
        // When shown on a terminal of 80 columns
        let result = try Self.onTerminal(sandbox, command, environment: ["COLUMNS": "80"])
        #expect(result.status == 0, "\(result)")
        // Then no line is wider than the window
        for line in result.out.replacing("\r\n", with: "\n").split(separator: "\n") {
            let width = line.unicodeScalars.reduce(0) { $0 + (($1.value >= 0x3000 && $1.value <= 0x9FFF) ? 2 : 1) }
            #expect(width <= 80, "\(command): \(line)")
        }
    }
}
