import Foundation
import Testing

/// `ticket list` and `ticket show` are parsed without swift-argument-parser when their line is
/// plain (start-up: docs/benchmarks.md "Start-up"). A debug build (the one tested) parses each
/// such line with ArgumentParser as well and crashes when the two values differ; with
/// `SUPPORT_DEBUG_PARSER=trace` it says on stderr which parser took the line, and with
/// `SUPPORT_DEBUG_PARSER=library` it leaves every line to ArgumentParser.
@Suite("hot command parser")
struct HotCommandParserTests {
    /// Given a desk with a requester's ticket and an agent, the same line run both ways.
    private func bothWays(_ sandbox: Sandbox, _ arguments: [String]) throws -> (hot: CLIResult, library: CLIResult) {
        let hot = try sandbox.run(arguments, environment: ["SUPPORT_DEBUG_PARSER": "trace"])
        let library = try sandbox.run(arguments, environment: ["SUPPORT_DEBUG_PARSER": "library"])
        return (hot, library)
    }

    private func desk() throws -> (Sandbox, String) {
        let sandbox = try Sandbox()
        try sandbox.succeed(["user", "add", "agent@example.test", "--name", "Agent", "--role", "internal"])
        let ticket = try sandbox.createTicket(subject: "Printer jams on -h pages", extra: ["--requester", "jane@example.test"])
        try sandbox.createTicket(subject: "Invoice missing", category: "account-issue")
        let number = try #require(ticket["ticketNumber"] as? String)
        try sandbox.succeed(["respond", number, "--message", "Which tray?"])
        return (sandbox, number)
    }

    static let plainLists: [[String]] = [
        ["ticket", "list"],
        ["ticket", "ls", "--json"],
        ["--json", "ticket", "list", "--status", "all"],
        ["ticket", "list", "--status", "open,in-progress", "--status=resolved", "--priority", "medium", "--category", "technical-issue"],
        ["ticket", "list", "--search", "printer", "--status", "all", "--json"],
        ["ticket", "list", "--search=printer jams", "--sort", "relevance", "--reverse"],
        ["ticket", "list", "--search", "--json"],
        ["ticket", "list", "--assignee", "none", "--status", "open", "--json"],
        ["ticket", "list", "--assignee", "me", "--as", "agent@example.test"],
        ["ticket", "list", "--requester", "jane@example.test", "--sort", "updated", "--json"],
        ["--as", "jane@example.test", "ticket", "list", "--search", "printer", "--json"],
        ["ticket", "list", "--since", "2020-01-01", "--until", "2999-12-31", "--page", "1", "--limit", "5"],
        ["ticket", "list", "--ids", "--limit=+2", "--verbose"],
        ["ticket", "list", "--color", "never", "--db", "support.db"],
    ]

    @Test(arguments: plainLists)
    func aPlainListIsParsedByHandAsArgumentParserParsesIt(_ arguments: [String]) throws {
        // Given a desk
        let (sandbox, _) = try desk()
        // When a plain `ticket list` line runs by the hot path and by ArgumentParser
        let (hot, library) = try bothWays(sandbox, arguments)
        // Then the hot path took it (and, in this debug build, ArgumentParser agreed on its value)
        #expect(hot.err.hasPrefix("parser: hot\n"), "\(arguments): \(hot)")
        #expect(library.err.hasPrefix("parser: library\n"), "\(arguments): \(library)")
        // And the two runs printed the same and exited the same
        #expect(hot.status == 0, "\(arguments): \(hot)")
        #expect(hot.status == library.status && hot.out == library.out, "\(arguments)")
        #expect(hot.err.dropFirst("parser: hot\n".count) == library.err.dropFirst("parser: library\n".count), "\(arguments)")
    }

    @Test func aPlainShowIsParsedByHand() throws {
        // Given a desk and its ticket
        let (sandbox, number) = try desk()
        for arguments in [["ticket", "show", number], ["ticket", "view", number, "--json"], ["ticket", "show", "--all", number],
                          ["ticket", "show", number, "--replies=1", "--color", "always"], ["--json", "ticket", "show", "1"]] {
            // When it is shown both ways
            let (hot, library) = try bothWays(sandbox, arguments)
            // Then the hot path took it and printed what ArgumentParser's run printed
            #expect(hot.err.hasPrefix("parser: hot\n"), "\(arguments): \(hot)")
            #expect(hot.status == 0 && hot.status == library.status && hot.out == library.out, "\(arguments): \(hot)")
        }
    }

    static let libraryLines: [[String]] = [
        ["ticket", "list", "--help"],
        ["ticket", "list", "-h"],
        ["ticket", "list", "--search", "-h"],
        ["ticket", "list", "--version"],
        ["ticket", "list", "--limit", "0"],
        ["ticket", "list", "--limit", "x"],
        ["ticket", "list", "--page"],
        ["ticket", "list", "--bogus"],
        ["ticket", "list", "--json", "--ids"],
        ["ticket", "list", "--limit", "2", "--limit", "3"],
        ["ticket", "list", "--reverse", "--reverse"],
        ["ticket", "list", "--json=yes"],
        ["ticket", "list", "--color", "purple"],
        ["ticket", "list", "--search="],
        ["ticket", "list", "--", "--json"],
        ["ticket", "list", "extra"],
        ["ticket", "list", "-x"],
        ["ticket", "show"],
        ["ticket", "show", "1", "2"],
        ["ticket", "show", "1", "--all", "--replies", "3"],
        ["ticket", "show", "1", "--replies", "0"],
        ["ticket", "show", "-1"],
        ["ticket", "show", ""],
        ["ticket", "list", "--generate-completion-script", "bash"],
        ["ticket", "list", "--experimental-dump-help"],
        ["help", "ticket", "list"],
    ]

    @Test(arguments: libraryLines)
    func anythingElseIsLeftToArgumentParser(_ arguments: [String]) throws {
        // Given a desk
        let (sandbox, _) = try desk()
        // When a line that is not plain runs
        let (hot, library) = try bothWays(sandbox, arguments)
        // Then ArgumentParser parsed it, and it printed and exited as it does without the hot path
        #expect(hot.err.hasPrefix("parser: library\n"), "\(arguments): \(hot)")
        #expect(hot.status == library.status && hot.out == library.out && hot.err == library.err, "\(arguments)")
    }
}
