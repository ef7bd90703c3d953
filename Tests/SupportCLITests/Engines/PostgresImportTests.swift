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
            // (a new id for the first reply, then the id the next one gives is that new id: SQLite
            // numbers replies one after the other, so the second gets the next one)
            line(["subject": "Mixed reply ids",
                  "responses": [
                    ["message": "New id first", "respondedBy": agent, "createdAt": "2025-03-02T10:00:00.000Z"],
                    ["id": 11, "message": "Eleven unless taken", "respondedBy": agent, "createdAt": "2025-03-02T11:00:00.000Z"],
                    ["id": 40, "message": "Forty", "respondedBy": agent, "createdAt": "2025-03-02T12:00:00.000Z"],
                    ["message": "New id after forty", "respondedBy": agent, "createdAt": "2025-03-02T13:00:00.000Z"],
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
        let file = try Self.importFile(sandbox, lines)
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

    // MARK: Into an empty desk: indexes and foreign keys set aside for the import

    /// Lines enough for the empty-desk path (`PostgresStore.emptyDeskImportMinimum`), one in ten
    /// with a staff reply and one in seven resolved, so the copied replies, first responses and
    /// durations are compared too.
    static func filler(_ count: Int, from start: Int = 0) -> [String] {
        (start..<(start + count)).map { i in
            var fields: [String: Any] = ["subject": "Filler \(i)", "message": "Paper tray \(i) jams.",
                                         "submittedBy": ["email": "user\(i % 37)@cust.test"]]
            if i % 10 == 0 {
                fields["responses"] = [["message": "Try tray \(i + 1)", "respondedBy": agent, "createdAt": "2025-03-01T09:00:01.2345Z"]]
            }
            if i % 7 == 0 { fields["status"] = "resolved"; fields["resolvedAt"] = "2025-03-03T17:42:09.9995Z" }
            return line(fields)
        }
    }

    /// `lines` as the NDJSON file `ticket import --file` reads, in the sandbox's directory.
    static func importFile(_ sandbox: Sandbox, _ lines: [String]) throws -> URL {
        let file = sandbox.directory.appendingPathComponent("tickets.ndjson")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        return file
    }

    /// An empty PostgreSQL desk (its schema made) and a file of `count` filler lines; the desk's
    /// indexes and foreign keys as defined before any import (`structure`).
    static func emptyDesk(filler count: Int) throws -> (sandbox: Sandbox, file: URL, structure: String) {
        let sandbox = try Sandbox(engine: .postgresql)
        let file = try importFile(sandbox, filler(count))
        try sandbox.succeed(["settings", "get"])
        return (sandbox, file, try structure(sandbox))
    }

    /// The desk's indexes and foreign keys, as PostgreSQL defines them.
    static func structure(_ sandbox: Sandbox) throws -> String {
        try sandbox.deskSQL("""
            SELECT (SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = current_schema())
                || E'\\n' || (SELECT string_agg(conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid), E'\\n' ORDER BY conname)
                                FROM pg_constraint WHERE contype = 'f')
            """)
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"),
          arguments: [("clean", false), ("spoiled", true)])
    func anImportIntoAnEmptyDeskEndsAsSQLitesDoes(name: String, spoiled: Bool) throws {
        // Given a file of 1,200 lines or more, the spoiling ones (if any) among them (first: a
        // reply id the file gives after replies without one in the same batch is numbered
        // otherwise than SQLite numbers it, on either path of a batch through COPY)
        let lines = (spoiled ? Self.spoiledLines : Self.cleanLines) + Self.filler(1_200)
        // When each engine imports it twice (the first time into an empty desk)
        let sqlite = try Self.outcome(engine: .sqlite, lines: lines)
        let postgres = try Self.outcome(engine: .postgresql, lines: lines)
        // Then every view is the same
        #expect(sqlite.views.count == postgres.views.count)
        for (a, b) in zip(sqlite.views, postgres.views) { #expect(a == b) }
        #expect(sqlite.views[0].hasPrefix(spoiled ? "65 " : "0 "), "\(sqlite.views[0])")
        // And PostgreSQL set the indexes aside the first time only (the second desk has tickets)
        #expect(postgres.log.components(separatedBy: "an empty desk:").count == 2, "\(postgres.log)")
        #expect(postgres.log.contains("written ticket by ticket") == spoiled, "\(postgres.log)")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func theEmptyDeskKeepsItsIndexesAndForeignKeysAndTheDatabasesDurations() throws {
        // Given an empty PostgreSQL desk
        let (sandbox, file, before) = try Self.emptyDesk(filler: 1_500)
        #expect(before.contains("ticket_on_search_public") && before.contains("FOREIGN KEY (submittedby)"), "\(before)")
        // When 1,500 tickets are imported
        let result = try sandbox.run(["--verbose", "ticket", "import", "--file", file.path])
        #expect(result.status == 0 && result.out.contains("1500"), "\(result)")
        #expect(result.err.contains("an empty desk:"), "\(result.err)")
        // Then every index and foreign key is there again, as it was defined
        #expect(try Self.structure(sandbox) == before)
        // And the durations, first responses and tally are what the database's own rules give
        #expect(try sandbox.deskCount("""
            SELECT count(*) FROM ticket WHERE firstResponseSeconds IS DISTINCT FROM support_seconds(firstResponseAt, createdAt)
                OR resolutionSeconds IS DISTINCT FROM support_seconds(resolvedAt, createdAt)
            """) == 0)
        #expect(try sandbox.deskCount("SELECT count(*) FROM ticket WHERE firstResponseSeconds IS NOT NULL") == 150)
        #expect(try sandbox.deskCount("SELECT count(*) FROM ticket WHERE resolutionSeconds IS NOT NULL") == 215)
        #expect(try sandbox.deskCount("SELECT sum(tickets) FROM ticket_tally") == 1_500)
        // And the identities stand at the last ids taken (the import drew them as blocks)
        #expect(try sandbox.deskCount("SELECT (SELECT last_value FROM ticket_id_seq) - max(id) FROM ticket") == 0)
        #expect(try sandbox.deskCount("SELECT (SELECT last_value FROM response_id_seq) - max(id) FROM response") == 0)
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func aLineThatFailsInALaterBatchIsNamedAndTheRestGoIn() throws {
        // Given 5,600 lines (two batches), the 5,301st assigning a ticket to a requester
        var lines = Self.filler(5_600)
        lines[5_300] = Self.line(["subject": "Assigned to a requester", "assignedTo": ["email": "jane@cust.test"]])
        var outcomes: [String] = []
        var logs: [String] = []
        for engine in [Engine.sqlite, .postgresql] {
            let sandbox = try Sandbox(engine: engine)
            let file = try Self.importFile(sandbox, lines)
            // When it is imported into an empty desk
            let result = try sandbox.run(["--verbose", "ticket", "import", "--file", file.path, "--json"])
            outcomes.append("\(result.status) \(result.out)")
            outcomes.append(try sandbox.succeed(["ticket", "list", "--status", "all", "--sort", "updated", "--json"]).out)
            outcomes.append(try sandbox.succeed(["stats", "--json"]).out)
            logs.append(result.err)
        }
        // Then both engines name that line alone and import the other 5,599 alike
        #expect(outcomes[0] == outcomes[3])
        #expect(outcomes[1] == outcomes[4])
        #expect(outcomes[2] == outcomes[5])
        #expect(outcomes[0].contains("5599") && outcomes[0].contains("5301"), "\(outcomes[0])")
        // And PostgreSQL wrote the first batch through COPY and the second ticket by ticket, in one transaction
        #expect(logs[1].contains("an empty desk:") && logs[1].contains("5000 lines through COPY"), "\(logs[1])")
        #expect(logs[1].contains("written ticket by ticket"), "\(logs[1])")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func aKilledImportIntoAnEmptyDeskLeavesItEmptyWithItsIndexes() throws {
        // Given an empty PostgreSQL desk and a file of 12,000 lines
        let (sandbox, file, before) = try Self.emptyDesk(filler: 12_000)
        // When the import is killed (SIGKILL) once its second batch is on its way
        let running = try sandbox.launch(["ticket", "import", "--file", file.path])
        let started = Date()
        // (the ids of a batch are drawn as one block, and a sequence is seen outside the transaction)
        while try sandbox.deskCount("SELECT last_value FROM ticket_id_seq") < 10_000, Date().timeIntervalSince(started) < 120 {
            usleep(20_000)
        }
        running.send(SIGKILL)
        let killed = try running.wait(timeout: 60)
        try #require(killed.signaled, "the import ended before the kill: \(killed)")
        // Then, once the server has seen the client go, the desk is as it was: no ticket, no
        // reply, no imported history, every index and foreign key
        while try sandbox.deskCount("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") > 0,
              Date().timeIntervalSince(started) < 180 {
            usleep(50_000)
        }
        #expect(try sandbox.deskCount("SELECT count(*) FROM ticket") == 0)
        #expect(try sandbox.deskCount("SELECT count(*) FROM response") == 0)
        #expect(try sandbox.deskCount("SELECT count(*) FROM audit_event WHERE action LIKE 'ticket.%'") == 0)
        #expect(try Self.structure(sandbox) == before)
        // And the same file imported again goes in whole
        let again = try sandbox.run(["--verbose", "ticket", "import", "--file", file.path])
        #expect(again.status == 0 && again.out.contains("12000"), "\(again)")
        #expect(again.err.contains("an empty desk:"), "\(again.err)")
        #expect(try sandbox.deskCount("SELECT count(*) FROM ticket") == 12_000)
        #expect(try Self.structure(sandbox) == before)
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func anEmptyDeskAnotherSessionReadsIsImportedBatchByBatch() throws {
        // Given an empty PostgreSQL desk whose tickets another session holds (a reader's lock,
        // which an insert does not wait for but the empty-desk path's exclusive lock does)
        let sandbox = try Sandbox(engine: .postgresql)
        let database = try #require(sandbox.postgres)
        let psql = try #require(PostgresTestDatabase.psql)
        let file = try Self.importFile(sandbox, Self.filler(1_200))
        try sandbox.succeed(["settings", "get"])
        let reader = try sandbox.launch(["--no-psqlrc", "-d", database.url(),
                                         "-c", "BEGIN; LOCK TABLE ticket IN ACCESS SHARE MODE; SELECT pg_sleep(12); COMMIT"],
                                        environment: ["PGPASSWORD": database.server.password],
                                        executable: URL(fileURLWithPath: psql))
        let started = Date()
        while try sandbox.deskCount("""
            SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'ticket' AND l.mode = 'AccessShareLock' AND l.granted AND l.pid <> pg_backend_pid()
            """) == 0, Date().timeIntervalSince(started) < 30 {
            usleep(20_000)
        }
        // When 1,200 tickets are imported (the lock timeout is 5 s)
        let result = try sandbox.run(["--verbose", "ticket", "import", "--file", file.path])
        // Then the empty-desk path gave up before writing anything and every batch went the usual way
        #expect(result.status == 0 && result.out.contains("1200"), "\(result)")
        #expect(result.err.contains("the empty desk could not be taken"), "\(result.err)")
        #expect(result.err.contains("1200 lines through COPY") && !result.err.contains("an empty desk:"), "\(result.err)")
        #expect(try sandbox.deskCount("SELECT count(*) FROM ticket") == 1_200)
        reader.send(SIGTERM)
        _ = try? reader.wait(timeout: 30)
    }
}
