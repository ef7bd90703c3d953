import Foundation
import Testing

/// Without `--message`, on a terminal, the message is written in $VISUAL / $EDITOR. The binary runs
/// under `script(1)`, which gives it a pseudo-terminal as stdin, with a scripted editor.
@Suite("message from the editor")
struct EditorInputTests {
    /// Runs `support ARGS` on a pseudo-terminal with `EDITOR` set.
    static func runOnTerminal(_ sandbox: Sandbox, _ arguments: String, editor: String) throws -> CLIResult {
        try sandbox.launch(["-q", "-e", "-c", "\"$SUPPORT\" \(arguments)", "/dev/null"],
                           environment: ["SUPPORT": sandbox.binary.path, "EDITOR": editor, "VISUAL": nil, "SHELL": "/bin/sh"],
                           executable: URL(fileURLWithPath: "/usr/bin/script")).wait()
    }

    static func editor(_ sandbox: Sandbox, _ body: String) throws -> String {
        let path = sandbox.scratch.appendingPathComponent("editor-\(UUID().uuidString).sh").path
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func theReplyIsWhatWasWrittenInTheEditorWithoutTheCommentLines() throws {
        // Given a ticket and an editor that writes two lines above the hint
        let sandbox = try Sandbox()
        let number = try #require(sandbox.createTicket()["ticketNumber"] as? String)
        let editor = try Self.editor(sandbox, #"{ printf 'Written in the editor\nsecond line\n# a comment of mine\n'; cat "$1"; } > "$1.new" && mv "$1.new" "$1""#)
        // When the admin replies without --message on a terminal
        let result = try Self.runOnTerminal(sandbox, "respond \(number) --no-notify", editor: editor)
        // Then the reply holds exactly the two lines
        #expect(result.status == 0, "\(result)")
        let responses = try #require(try sandbox.ticket(number)["responses"] as? [[String: Any]])
        #expect(responses.compactMap { $0["message"] as? String } == ["Written in the editor\nsecond line"])
    }

    @Test func anEditorThatFailsOrLeavesNothingSavesNothing() throws {
        // Given a ticket
        let sandbox = try Sandbox()
        let number = try #require(sandbox.createTicket()["ticketNumber"] as? String)
        // When the editor exits with an error, or the text is left empty
        let failing = try Self.runOnTerminal(sandbox, "respond \(number)", editor: try Self.editor(sandbox, "exit 3"))
        let empty = try Self.runOnTerminal(sandbox, "respond \(number)", editor: try Self.editor(sandbox, ": > \"$1\""))
        // Then both are refused as invalid input and no reply is stored
        #expect(failing.status == 65, "\(failing)")
        #expect(failing.out.contains("the editor exited with status 3"), "\(failing)")
        #expect(empty.status == 65, "\(empty)")
        let responses = try #require(try sandbox.ticket(number)["responses"] as? [[String: Any]])
        #expect(responses.isEmpty)
    }

    @Test func withoutATerminalTheMessageMustBeGiven() throws {
        // Given a ticket and stdin that is not a terminal
        let sandbox = try Sandbox()
        let number = try #require(sandbox.createTicket()["ticketNumber"] as? String)
        // When no --message is given
        let result = try sandbox.run(["respond", number], environment: ["EDITOR": "/bin/true"])
        // Then no editor is started: the usage is explained, exit 65
        #expect(result.status == 65)
        #expect(result.err.contains("give --message TEXT, or --message - to read it from stdin"), "\(result)")
    }
}
