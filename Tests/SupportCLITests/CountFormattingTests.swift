import Foundation
import Testing

/// Counts in what people read get thousands separators (issue 15): `ticket list`'s footer on a
/// terminal, and `stats`; `--json` and piped output keep plain numbers.
@Suite("counts with thousands separators")
struct CountFormattingTests {
    static let script = "/usr/bin/script"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux script for a pseudo-terminal"))
    func footersAndStatsGroupThousands() throws {
        // Given 1,234 open tickets and 1,001 closed ones
        let sandbox = try Sandbox()
        let created = ImportLine.now.addingTimeInterval(-3600)
        let lines = (0..<1234).map { ImportLine(subject: "Open \($0)", createdAt: created) }
            + (0..<1001).map { ImportLine(subject: "Closed \($0)", status: "closed", createdAt: created, closedAt: created) }
        let imported = try sandbox.importTickets(lines)
        try #require(imported.status == 0, "\(imported)")
        // When the list is shown on a pseudo-terminal, and piped, and stats are printed
        let terminal = try sandbox.shell(#"exec \#(Self.script) -qec "$SUPPORT ticket list --limit 500" /dev/null"#,
                                         environment: ["SHELL": "/bin/sh", "TERM": "dumb", "COLUMNS": "200"])
        let piped = try sandbox.succeed(["ticket", "list", "--limit", "1", "--json"]).json()
        let stats = try sandbox.succeed(["stats"]).out
        let statsJSON = try sandbox.succeed(["stats", "--json"]).json()
        // Then the terminal footer groups the thousands, in the total and in what was left out
        #expect(terminal.status == 0, "\(terminal)")
        #expect(terminal.out.contains("Page 1 of 3 · 1,234 tickets · 1,001 resolved or closed not shown (--status all)"), "\(terminal.out.suffix(300))")
        // And stats do too, in the total and in the bars
        #expect(stats.hasPrefix("2,235 tickets"), "\(stats.prefix(200))")
        #expect(stats.contains("1,234") && stats.contains("1,001"), "\(stats)")
        // And JSON keeps numbers
        #expect((piped["pagination"] as? [String: Any])?["total"] as? Int == 1234)
        #expect(statsJSON["total"] as? Int == 2235)
    }
}
