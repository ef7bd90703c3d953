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
}
