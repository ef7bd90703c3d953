import Foundation
import Testing

/// `ticket delete` asks on a terminal and needs `--yes` elsewhere; the audit trail keeps the whole
/// ticket, and `audit --deleted-tickets | ticket import` restores it with its number (issue 15).
@Suite("ticket delete and restore")
struct DeleteAndRestoreTests {
    static let script = "/usr/bin/script"

    /// `ticket delete` on a pseudo-terminal (util-linux `script`), with `answer` typed at the prompt.
    static func deleteOnTerminal(_ sandbox: Sandbox, _ number: String, answer: String) throws -> CLIResult {
        try sandbox.shell(#"printf '%s\n' "$ANSWER" | exec \#(script) -qec "$SUPPORT ticket delete \#(number)" /dev/null"#,
                          environment: ["ANSWER": answer, "SHELL": "/bin/sh", "TERM": "dumb"])
    }

    /// A ticket with a public reply and an internal note, by two staff members.
    static func ticketWithConversation(_ sandbox: Sandbox) throws -> String {
        try sandbox.succeed(["user", "add", "sam@example.test", "--name", "Sam Agent", "--role", "internal"])
        let number = try #require(sandbox.createTicket(extra: ["--requester", "jane@example.test", "--name", "Jane Doe"])["ticketNumber"] as? String)
        try sandbox.succeed(["respond", number, "--message", "We are on it.", "--no-notify"], as: "sam@example.test")
        try sandbox.succeed(["respond", number, "--message", "Vendor bug, see KB-7.", "--internal"], as: "sam@example.test")
        try sandbox.succeed(["ticket", "update", number, "--status", "in-progress", "--assign", "sam@example.test"])
        return number
    }

    @Test(arguments: Engine.available) func withoutATerminalDeleteNeedsYes(engine: Engine) throws {
        // Given a ticket, and stdin that is not a terminal
        let sandbox = try Sandbox(engine: engine)
        let number = try #require(sandbox.createTicket()["ticketNumber"] as? String)
        let before = try sandbox.storedState()
        // When it is deleted without --yes, as text and as --json
        let text = try sandbox.run(["ticket", "delete", number])
        let json = try sandbox.run(["ticket", "delete", number, "--json"])
        // Then both are usage errors (64) saying what is needed, and nothing is deleted
        #expect(text.status == 64 && text.out == "", "\(text)")
        #expect(text.err.contains("ticket delete needs --yes when stdin is not a terminal; nothing was deleted"), "\(text)")
        #expect(json.status == 64 && json.out == "", "\(json)")
        #expect(try sandbox.storedState() == before)
        #expect(try sandbox.ticket(number)["subject"] as? String == "Printer on fire")
        // And with --yes (or -y) it is deleted without a question
        #expect(try sandbox.succeed(["ticket", "delete", number, "-y"]).out == "Deleted \(number).\n")
        #expect(try sandbox.run(["ticket", "show", number]).status == 66)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux script for a pseudo-terminal"))
    func onATerminalDeleteAsksAndOnlyYesDeletes() throws {
        // Given two tickets
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "Keep me")
        try sandbox.createTicket(subject: "Delete me")
        // When the admin answers "n", then nothing (Enter), on a terminal
        let no = try Self.deleteOnTerminal(sandbox, Sandbox.number(1), answer: "n")
        let enter = try Self.deleteOnTerminal(sandbox, Sandbox.number(1), answer: "")
        // Then the question names the ticket, the default is No: exit 1, the ticket is kept
        #expect(no.out.contains("Delete \(Sandbox.number(1)) \"Keep me\" and its replies? [y/N]"), "\(no)")
        #expect(no.status == 1 && no.out.contains("Nothing deleted."), "\(no)")
        #expect(enter.status == 1, "\(enter)")
        #expect(try sandbox.ticket(Sandbox.number(1))["subject"] as? String == "Keep me")
        // When the admin answers "y" for the other one
        let yes = try Self.deleteOnTerminal(sandbox, Sandbox.number(2), answer: "y")
        // Then it is deleted, and only it
        #expect(yes.status == 0 && yes.out.contains("Deleted \(Sandbox.number(2))."), "\(yes)")
        #expect(try sandbox.run(["ticket", "show", Sandbox.number(2)]).status == 66)
        #expect(try sandbox.run(["ticket", "show", Sandbox.number(1)]).status == 0)
        // And someone who may not delete is refused before being asked
        try sandbox.succeed(["user", "add", "sam@example.test", "--name", "Sam Agent", "--role", "internal"])
        let agent = try sandbox.shell(#"printf 'y\n' | exec \#(Self.script) -qec "$SUPPORT --as sam@example.test ticket delete \#(Sandbox.number(1))" /dev/null"#,
                                      environment: ["SHELL": "/bin/sh", "TERM": "dumb"])
        #expect(agent.status == 77 && !agent.out.contains("[y/N]"), "\(agent)")
    }

    @Test(arguments: Engine.available) func theAuditKeepsTheExportLineAndImportRestoresIt(engine: Engine) throws {
        // Given a ticket with a reply, an internal note, an assignee and a status change, and its export line
        let sandbox = try Sandbox(engine: engine)
        let number = try Self.ticketWithConversation(sandbox)
        let exported = try sandbox.succeed(["ticket", "export", "--status", "all"]).out
        let exportLine = try #require(exported.split(separator: "\n").map(String.init).first { $0.contains(number) })
        try sandbox.createTicket(subject: "Another one")
        // When the ticket is deleted
        try sandbox.succeed(["ticket", "delete", number, "--yes"])
        // Then the audit trail gives back exactly the line export wrote, and only that ticket
        let kept = try sandbox.succeed(["audit", "--ticket", number, "--deleted-tickets"]).out
        #expect(kept == exportLine + "\n")
        let everything = try sandbox.succeed(["audit", "--deleted-tickets"]).out
        #expect(everything == exportLine + "\n")
        // When it is piped back into ticket import, in one pipeline
        let restore = try sandbox.shell(#""$SUPPORT" audit --ticket \#(number) --deleted-tickets | "$SUPPORT" ticket import"#)
        // Then the ticket is back with its number, replies, note, assignee and status, and exports the same
        #expect(restore.status == 0 && restore.out == "Imported 1 ticket.\n", "\(restore)")
        let back = try sandbox.ticket(number)
        #expect(back["status"] as? String == "In Progress")
        #expect((back["assignedTo"] as? [String: Any])?["email"] as? String == "sam@example.test")
        let replies = try #require(back["responses"] as? [[String: Any]])
        #expect(replies.map { $0["message"] as? String } == ["We are on it.", "Vendor bug, see KB-7."])
        #expect(replies.map { $0["isInternal"] as? Bool } == [false, true])
        let again = try sandbox.succeed(["ticket", "export", "--status", "all"]).out
        let againLine = try #require(again.split(separator: "\n").map(String.init).first { $0.contains(number) })
        #expect(try JSON.object(Data(againLine.utf8))["createdAt"] as? String
                == JSON.object(Data(exportLine.utf8))["createdAt"] as? String)
        #expect(try JSON.object(Data(againLine.utf8))["submittedBy"] as? [String: String]
                == JSON.object(Data(exportLine.utf8))["submittedBy"] as? [String: String])
    }

    @Test(arguments: Engine.available) func restoringWhatIsNotDeletedFailsClearly(engine: Engine) throws {
        // Given a ticket that was never deleted
        let sandbox = try Sandbox(engine: engine)
        let number = try #require(sandbox.createTicket()["ticketNumber"] as? String)
        try sandbox.succeed(["user", "add", "sam@example.test", "--name", "Sam Agent", "--role", "internal"])
        // When its deleted copy is asked for, or by someone who may not read the audit trail, or with --action
        let none = try sandbox.run(["audit", "--ticket", number, "--deleted-tickets"])
        let agent = try sandbox.run(["audit", "--deleted-tickets"], as: "sam@example.test")
        let action = try sandbox.run(["audit", "--deleted-tickets", "--action", "ticket.created"])
        // Then: not found (66) so that a pipeline with pipefail stops, not allowed (77), usage (64); nothing on stdout
        #expect(none.status == 66 && none.out == "" && none.err.contains("no deleted ticket matches"), "\(none)")
        #expect(agent.status == 77 && agent.out == "", "\(agent)")
        #expect(action.status == 64 && action.out == "", "\(action)")
        // And a restore of a ticket that exists again is refused by import (its number is taken)
        try sandbox.succeed(["ticket", "delete", number, "--yes"])
        let line = try sandbox.succeed(["audit", "--deleted-tickets"]).out
        try sandbox.succeed(["ticket", "import"], stdin: Data(line.utf8))
        let twice = try sandbox.run(["ticket", "import"], stdin: Data(line.utf8))
        #expect(twice.status == 65, "\(twice)")
    }

    @Test(arguments: Engine.available) func aRestoredTicketGetsItsFilesBackByteForByte(engine: Engine) throws {
        // Given a ticket with a file on its first message and one on an internal note
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal"])
        let first = sandbox.directory.appendingPathComponent("report.pdf")
        let second = sandbox.directory.appendingPathComponent("trace.log")
        let firstBytes = Data((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 5) })
        try firstBytes.write(to: first)
        try Data("vendor trace\n".utf8).write(to: second)
        try sandbox.succeed(["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m",
                             "--requester", "jane@example.test", "--attach", first.path])
        try sandbox.succeed(["respond", Sandbox.number(1), "--internal", "--message", "n", "--attach", second.path], as: "sam@example.test")
        // When it is deleted and restored from the audit trail
        try sandbox.succeed(["ticket", "delete", Sandbox.number(1), "--yes"])
        let line = try sandbox.succeed(["audit", "--ticket", Sandbox.number(1), "--deleted-tickets"]).out
        let restored = try sandbox.run(["ticket", "import"], stdin: Data(line.utf8))
        #expect(restored.status == 0, "\(restored)")
        // Then both files are back, the note's on the note, with their bytes
        let files = try #require(try sandbox.ticket(Sandbox.number(1))["attachments"] as? [[String: Any]])
        #expect(files.map { $0["fileName"] as? String } == ["report.pdf", "trace.log"], "\(files)")
        #expect(files[0]["responseId"] is NSNull && !(files[1]["responseId"] is NSNull), "\(files)")
        for (file, bytes) in zip(files, [firstBytes, Data("vendor trace\n".utf8)]) {
            let id = try #require(file["id"] as? Int)
            let out = sandbox.directory.appendingPathComponent("got-\(id)")
            try sandbox.succeed(["attachment", "get", String(id), "--output", out.path])
            #expect(try Data(contentsOf: out) == bytes)
        }
    }
}
