import Foundation
import Testing

/// `ticket import` into a database without tickets takes the bulk path (one transaction; the
/// secondary indexes and full-text triggers dropped, then rebuilt from the SQL they had). Through
/// the real binary: the schema it leaves, and what a SIGKILL in the middle leaves.
@Suite("ticket import: the bulk path through the binary")
struct BulkImportCLITests {
    static func lines(_ count: Int, marker: String = "Bulk") -> Data {
        let at = ImportLine.date("2025-06-01T08:00:00Z")
        let text = (1...count).map { n in
            ImportLine(subject: "\(marker) \(n) printer", message: "Message \(n) about the scanner",
                       requester: .requester("person\(n % 40)@example.test"),
                       replies: [ImportedReply(message: "Reply \(n) about toner", by: .staff("agent\(n % 3)@example.test"), createdAt: at)],
                       createdAt: at.addingTimeInterval(Double(n))).json
        }.joined(separator: "\n") + "\n"
        return Data(text.utf8)
    }

    /// Every schema object without its root page (rebuilt indexes get new pages), sorted.
    static func schema(_ sandbox: Sandbox) throws -> String {
        try sandbox.reliabilitySQL("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
    }

    @Test func leavesTheSchemaOfANewDatabaseAndFindsTheTickets() throws {
        // Given a new database as `support` creates it, and another one filled by a bulk import
        let fresh = try Sandbox()
        try fresh.succeed(["ticket", "list"])
        let sandbox = try Sandbox()
        let result = try sandbox.succeed(["ticket", "import", "--json"], stdin: Self.lines(300))
        // Then both have the very same tables, indexes and triggers
        #expect(try result.json()["imported"] as? Int == 300)
        #expect(try Self.schema(sandbox) == (try Self.schema(fresh)))
        #expect(try sandbox.reliabilityIntegrity() == "ok")
        // And the full-text indexes (built beside the writer, then copied in) agree with the rows:
        // FTS5's own check, which sqlite3 exits non-zero on
        _ = try sandbox.reliabilitySQL("""
            INSERT INTO ticket_fts(ticket_fts, rank) VALUES('integrity-check', 1);
            INSERT INTO response_fts(response_fts, rank) VALUES('integrity-check', 1);
            """)
        // And search, filters and sorts see every ticket
        #expect(try sandbox.list(["--search", "scanner"]).pagination["total"] == 300)
        #expect(try sandbox.list(["--search", "toner"]).pagination["total"] == 300)
        #expect(try sandbox.list(["--status", "open", "--sort", "updated"]).pagination["total"] == 300)
        #expect(try sandbox.list(["--requester", "person7@example.test"]).pagination["total"] == 8)
        // And an ordinary ticket created afterwards is indexed by the triggers put back
        try sandbox.createTicket(subject: "Stapler after import", extra: ["--requester", "late@example.test"])
        #expect(try sandbox.list(["--search", "stapler"]).pagination["total"] == 1)
    }

    @Test func aKillDuringABulkImportLeavesTheDatabaseAsItWas() throws {
        // Given a new database, and a file big enough that the import takes a while
        let input = Self.lines(4000)
        let template = try Sandbox()
        try template.succeed(["ticket", "list"])
        let freshSchema = try Self.schema(template)
        let probe = try Sandbox()
        let started = Date()
        try probe.succeed(["ticket", "import"], stdin: input)
        let duration = Date().timeIntervalSince(started)

        var killed = 0
        for trial in 0..<6 {
            let sandbox = try Sandbox()
            try sandbox.succeed(["ticket", "list"])
            // When the import is killed with SIGKILL somewhere along the way
            let running = try sandbox.launch(["ticket", "import"], stdin: input)
            usleep(UInt32(duration * Double(trial + 1) / 7 * 1_000_000))
            running.send(SIGKILL)
            let result = try running.wait(timeout: 120)
            if result.signaled { killed += 1 }
            // Then the file holds all of the import or none of it, with the schema of a new database
            // (a kill after the commit, while the WAL is copied back, leaves all of it)
            let tickets = try sandbox.reliabilityCount("SELECT count(*) FROM ticket")
            #expect(tickets == 0 || tickets == 4000, "trial \(trial): \(tickets) tickets")
            #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'scanner'") == tickets,
                    "trial \(trial)")
            #expect(try sandbox.reliabilityCount("SELECT count(*) FROM user WHERE email LIKE 'person%'") == (tickets == 0 ? 0 : 40))
            #expect(try Self.schema(sandbox) == freshSchema, "trial \(trial)")
            #expect(try sandbox.reliabilityIntegrity() == "ok", "trial \(trial)")
            // And the next import works, through the bulk path again when nothing was left
            try sandbox.succeed(["ticket", "import"], stdin: Self.lines(20, marker: "After"))
            #expect(try sandbox.list(["--search", "after"]).pagination["total"] == 20)
            #expect(try Self.schema(sandbox) == freshSchema)
        }
        #expect(killed >= 3, "most trials should kill the import before it ends (\(killed) of 6)")
    }
}
