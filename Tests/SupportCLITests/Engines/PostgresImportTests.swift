import Foundation
import Testing

/// `ticket import` on PostgreSQL goes through COPY a batch at a time, and a batch that a line
/// spoils is written again ticket by ticket (issue 17). Either way the desk must end as SQLite's
/// importer leaves it: the same tickets, numbers, replies and their ids, files, history, tally
/// and errors, whatever the text holds.
@Suite("engines: ticket import through COPY")
struct PostgresImportTests {
    static func line(_ fields: [String: Any]) -> String {
        var object: [String: Any] = [
            "subject": "Printer", "message": "It jams.", "category": "technical-issue",
            "submittedBy": ["email": "jane@cust.test"], "createdAt": "2025-03-01T09:00:00.000Z",
        ]
        object.merge(fields) { $1 }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static var agent: [String: Any] { ["email": "agent@desk.test", "name": "Agent", "role": "internal"] }

    /// Lines every pass must take: text with each character COPY's format gives a meaning to,
    /// kept and clashing reply ids, notes, a file, tickets with and without numbers, several years.
    static let cleanLines: [String] = {
        let file = Data("%PDF-1.4 \\N \t bytes\u{0}\u{1}".utf8)
        let sha = "66f32c53101a64b3f2ab3845b249a4aa8c21f262519fa8a070eb3f18820751f8"  // sha256sum of those bytes
        return [
            line(["ticketNumber": "ST-2025-010", "subject": "Numbered ten"]),
            line(["message": "tab\there\nnew line\r\ncarriage \\ backslash \\N not null \\. end 日本語 🎉",
                  "subject": "Backslash \\ and \\N and quotes \"'"]),
            line(["subject": "Kept reply ids", "status": "resolved", "resolvedAt": "2025-03-02T00:00:00.123Z",
                  "assignedTo": agent,
                  "responses": [
                    ["id": 7, "message": "Reply seven", "respondedBy": agent, "createdAt": "2025-03-01T10:00:00.000Z"],
                    ["id": 7, "message": "Seven again", "respondedBy": ["email": "AGENT@desk.test"], "createdAt": "2025-03-01T09:30:00.000Z"],
                    ["message": "Internal: check the fuser", "respondedBy": agent, "isInternal": true, "createdAt": "2025-03-01T11:00:00.000Z"],
                    ["message": "Thanks, works now", "respondedBy": ["email": "jane@cust.test"], "createdAt": "2025-03-01T12:00:00.000Z"],
                  ]]),
            line(["subject": "With a file", "createdAt": "2026-01-05T00:00:00.000Z",
                  "attachments": [["fileName": "scan.pdf", "contentType": "application/pdf", "sha256": sha,
                                   "content": file.base64EncodedString()]]]),
            line(["subject": "Closed long ago", "status": "closed", "closedAt": "2024-12-31T23:59:59.999Z",
                  "createdAt": "2024-12-01T00:00:00.000Z", "submittedBy": ["email": "max@cust.test", "name": "Max Tab"]]),
        ]
    }()

    /// The same, with lines that only the ticket-by-ticket pass can name: the batch is rolled
    /// back and written again.
    static let spoiledLines: [String] = cleanLines + [
        line(["subject": "Assigned to a requester", "assignedTo": ["email": "jane@cust.test"]]),
        line(["ticketNumber": "ST-2025-010", "subject": "Ten again"]),
        line(["subject": "A requester's note",
              "responses": [["message": "secret", "respondedBy": ["email": "bob@cust.test"], "isInternal": true,
                             "createdAt": "2025-03-01T10:00:00.000Z"]]]),
        line(["subject": "After the bad lines"]),
    ]

    /// What a desk shows after importing `lines` twice (the second time every numbered line
    /// exists): the commands' output, the export, stats, the audit trail without its ids and the
    /// people's add times, and the search.
    static func outcome(engine: Engine, lines: [String]) throws -> (views: [String], log: String) {
        let sandbox = try Sandbox(engine: engine)
        let file = sandbox.directory.appendingPathComponent("tickets.ndjson")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        var views: [String] = []
        var log = ""
        for _ in 1...2 {
            let result = try sandbox.run(["--verbose", "ticket", "import", "--file", file.path])
            views.append("\(result.status) \(result.out) \(result.err.split(separator: "\n").filter { $0.hasPrefix("line ") })")
            log += result.err
        }
        views.append(try sandbox.succeed(["ticket", "export"]).out)
        views.append(try sandbox.succeed(["stats", "--json"]).out)
        views.append(try sandbox.succeed(["ticket", "list", "--search", "fuser", "--ids"]).out)
        views.append(try sandbox.succeed(["ticket", "list", "--search", "backslash", "--ids"]).out)
        views.append(try sandbox.succeed(["ticket", "list", "--status", "open", "--sort", "updated", "--json"]).out)
        let audit = try sandbox.succeed(["audit", "--limit", "500", "--json"]).json()
        let events = try #require(audit["events"] as? [[String: Any]]).map { event -> String in
            var event = event
            event["id"] = nil
            if event["action"] as? String == "user.added" { event["createdAt"] = nil }
            let data = try! JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
        views.append(events.sorted().joined(separator: "\n"))
        return (views, log)
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"),
          arguments: [("clean", false), ("spoiled", true)])
    func anImportEndsAsSQLitesDoes(name: String, spoiled: Bool) throws {
        // Given the same file for both engines
        let lines = spoiled ? Self.spoiledLines : Self.cleanLines
        // When each imports it twice
        let sqlite = try Self.outcome(engine: .sqlite, lines: lines)
        let postgres = try Self.outcome(engine: .postgresql, lines: lines)
        // Then every view is the same
        #expect(sqlite.views.count == postgres.views.count)
        for (a, b) in zip(sqlite.views, postgres.views) { #expect(a == b) }
        #expect(sqlite.views[0].hasPrefix(spoiled ? "65 " : "0 "), "\(sqlite.views[0])")
        #expect(sqlite.views[2].contains("Seven again") && sqlite.views[2].contains("scan.pdf"))
        // And PostgreSQL took the path the file calls for: COPY for a clean batch, ticket by
        // ticket once a line spoils it
        #expect(postgres.log.contains("through COPY") == !spoiled, "\(postgres.log)")
        #expect(postgres.log.contains("written ticket by ticket") == spoiled, "\(postgres.log)")
    }
}
