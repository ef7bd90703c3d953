import Foundation
import GRDB
import Testing
@testable import SupportCore

/// The bulk path of `ticket import` (a database without tickets: one transaction, secondary
/// indexes and full-text triggers set aside and rebuilt): it must leave exactly the schema the
/// migrations made, indexes that find the tickets, and, when it fails, the database as it was.
@Suite("ticket import: the bulk path")
struct BulkImportTests {
    /// `sqlite_master` without root pages (they move when an index is rebuilt), and the FTS5
    /// configuration rows, sorted.
    static func schema(_ database: AppDatabase) throws -> [String] {
        try database.writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || coalesce(sql, '') FROM sqlite_master
                UNION ALL SELECT 'config ' || k || '=' || v FROM ticket_search_config
                ORDER BY 1
                """)
        }
    }

    static func count(_ database: AppDatabase, _ sql: String) throws -> Int {
        try database.writer.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    static func line(_ n: Int, number: String? = nil, subject: String? = nil, replyIDs: [Int] = []) -> String {
        var object: [String: Any] = [
            "subject": subject ?? "Printer \(n) jammed", "message": "Body of ticket \(n) about toner", "category": "bug-report",
            "submittedBy": ["email": "user\(n % 5)@example.test"], "createdAt": "2025-05-01T10:00:00.000Z",
            "responses": replyIDs.map { id in
                ["id": id, "message": "Reply \(id) mentions a stapler", "respondedBy": ["email": "helper@example.test", "role": "internal"],
                 "createdAt": "2025-05-01T11:00:00.000Z"]
            },
        ]
        if let number { object["ticketNumber"] = number }
        return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func search(_ fixture: DeskFixture, _ text: String) throws -> Int {
        var query = TicketQuery()
        query.search = text
        return try fixture.operatorDesk.listTickets(query).total
    }

    @Test func leavesTheSchemaTheMigrationsMade() throws {
        // Given a fresh database, as the migrations leave it
        let fixture = try DeskFixture()
        let before = try Self.schema(fixture.database)
        // When tickets are imported in several batches (the bulk path, since it has no ticket)
        let summary = try fixture.operatorDesk.importTickets(lines: (1...25).map { Self.line($0, replyIDs: [$0]) }, batchSize: 10)
        // Then every index, trigger and table is there again with the same SQL
        #expect(summary.imported == 25 && summary.errors.isEmpty)
        #expect(try Self.schema(fixture.database) == before)
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ticket'") == 21)
        // And the indexes and full-text indexes agree with their tables
        #expect(try fixture.database.writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        try fixture.database.writer.write { db in
            try db.execute(sql: "INSERT INTO ticket_search(ticket_search, rank) VALUES('integrity-check', 1)")
            try db.execute(sql: "INSERT INTO ticket_search_reply(ticket_search_reply, rank) VALUES('integrity-check', 1)")
            try db.execute(sql: "INSERT INTO ticket_search_note(ticket_search_note, rank) VALUES('integrity-check', 1)")
        }
    }

    /// The bulk path counts the tally as tickets go in, instead of the set-aside trigger: a
    /// refused line (here a duplicate number, which rolls its batch back and redoes it ticket
    /// by ticket) must not be counted.
    @Test func tallyCountsOnlyTheTicketsThatWentIn() throws {
        // Given a file in which three lines repeat a number given earlier, in varied categories
        let fixture = try DeskFixture()
        let categories = ["bug-report", "technical-issue", "account-issue"]
        var lines: [String] = []
        for n in 1...30 {
            var object = try JSONSerialization.jsonObject(with: Data(Self.line(n, number: "ST-2025-\(String(format: "%03d", n % 27 + 1))").utf8))
                as! [String: Any]
            object["category"] = categories[n % 3]
            object["status"] = ["Open", "Resolved", "Closed", "In Progress"][n % 4]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        // When it is imported in bulk
        let summary = try fixture.operatorDesk.importTickets(lines: lines, batchSize: 8)
        // Then the refused lines are reported and the tally holds exactly the tickets in the table
        #expect(summary.imported == 27 && summary.errors.map(\.line) == [28, 29, 30])
        let grouped = "SELECT category, priority, status, count(*) AS tickets FROM ticket GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        let tally = "SELECT category, priority, status, tickets FROM ticket_tally WHERE tickets > 0 ORDER BY 1, 2, 3"
        let (fromTable, fromTally) = try fixture.database.writer.read { db in (try Row.fetchAll(db, sql: grouped), try Row.fetchAll(db, sql: tally)) }
        #expect(fromTable.count > 3)
        #expect(fromTally == fromTable)
    }

    /// The copy of a shadow table writes `MultiRowInsert.rowsPerStatement` (64) rows per
    /// statement and the rest in one shorter statement: every count around those edges arrives
    /// whole, values as they were.
    @Test(arguments: [0, 1, 63, 64, 65, 128, 200])
    func theShadowTableCopyKeepsEveryRow(count: Int) throws {
        // Given a table of `count` rows of blobs, integers, text and NULL, and an empty twin
        let source = try DatabaseQueue(), target = try DatabaseQueue()
        for queue in [source, target] {
            try queue.write { db in try db.execute(sql: "CREATE TABLE t_data (id INTEGER PRIMARY KEY, block BLOB, note TEXT)") }
        }
        try target.write { db in try db.execute(sql: "INSERT INTO t_data VALUES (999999, x'00', 'stale')") }
        try source.write { db in
            for n in 0..<count {
                try db.execute(sql: "INSERT INTO t_data VALUES (?, ?, ?)",
                               arguments: [n * 7, Data((0..<(n % 50)).map { UInt8(($0 * 31 + n) % 256) }), n % 3 == 0 ? nil : "note \(n)"])
            }
        }
        // When it is copied
        try source.read { sourceDB in try target.write { targetDB in try FullTextBuilder.copy("t_data", from: sourceDB, to: targetDB) } }
        // Then the twin holds exactly its rows, and nothing it had before
        let sql = "SELECT id, block, note, typeof(block), typeof(note) FROM t_data ORDER BY id"
        let copied = try target.read { db in try Row.fetchAll(db, sql: sql) }
        #expect(copied.count == count)
        #expect(copied == (try source.read { db in try Row.fetchAll(db, sql: sql) }))
    }

    @Test func fullTextTablesWithSettingsOfTheirOwnAreRebuiltInstead() throws {
        // Given a fresh database whose ticket index was given a setting of its own
        let fixture = try DeskFixture()
        try fixture.database.writer.write { db in
            try db.execute(sql: "INSERT INTO ticket_search(ticket_search, rank) VALUES('automerge', 2)")
        }
        // Then the builder beside the writer is not used (its tables would have the defaults)
        #expect(try fixture.database.writer.read { db in try FullTextBuilder.start(for: db) } == nil)
        // When tickets are imported in bulk
        let summary = try fixture.operatorDesk.importTickets(lines: (1...25).map { Self.line($0, replyIDs: [$0]) }, batchSize: 10)
        // Then the setting is kept and the full-text indexes, rebuilt, agree with their tables
        #expect(summary.imported == 25)
        #expect(try Self.count(fixture.database, "SELECT v FROM ticket_search_config WHERE k = 'automerge'") == 2)
        try fixture.database.writer.write { db in
            try db.execute(sql: "INSERT INTO ticket_search(ticket_search, rank) VALUES('integrity-check', 1)")
        }
        #expect(try Self.search(fixture, "stapler") == 25)
    }

    @Test func setsAsideEveryPlainIndexAndOnlyTheInsertTriggersOfTheFullTextIndexes() throws {
        // Given the schema of the migrations
        let fixture = try DeskFixture()
        let schema = try #require(try fixture.database.writer.read { db in try BulkImportSchema.read(db) })
        // Then what the bulk path drops is every non-unique index of ticket, response and audit_event...
        #expect(Set(schema.indexes.map(\.name)) == [
            "ticket_on_createdAt", "ticket_on_submittedBy_createdAt", "ticket_on_status_priority_createdAt",
            "ticket_on_priority_createdAt", "ticket_on_category_createdAt", "ticket_on_assignedTo_createdAt",
            "ticket_on_status_createdAtDesc_idDesc", "ticket_on_submittedBy_status_createdAt",
            "ticket_on_firstResponder_seconds", "ticket_on_firstResponseSeconds", "ticket_on_assignedTo_resolutionSeconds",
            "ticket_on_resolutionSeconds", "response_on_ticketId_createdAt", "response_on_respondedBy",
            "audit_event_on_ticketNumber", "audit_event_on_actorID_action_createdAt", "audit_event_on_createdAt",
            "audit_event_on_action_createdAt",
            "ticket_on_status_assignedTo_createdAt", "ticket_on_category_assignedTo_createdAt", "ticket_on_status_updatedAt",
            "ticket_on_assignedTo_updatedAt", "ticket_on_updatedAt_createdAt",
            "ticket_on_submittedBy_updatedAt", "ticket_on_submittedBy_priority_createdAt", "ticket_on_assignedTo_priority_createdAt",
        ])
        // (the lengths' first: put back first, they fire after the search triggers)
        #expect(schema.triggers.map(\.name) == ["search_length_ticket_insert", "search_length_response_insert",
                                                "ticket_search_insert", "response_search_before_insert", "response_search_after_insert",
                                                "ticket_tally_insert",
                                                "ticket_resolution_seconds_insert", "response_first_staff_reply"])
        // ...and these two tables have no trigger it does not know: a new one (say, one that
        // writes elsewhere on insert) would be skipped by a bulk import, so this test must fail
        // and the bulk path learn about it
        let triggers = try fixture.database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('ticket', 'response')")
        }
        #expect(Set(triggers) == ["ticket_search_insert", "ticket_search_before_update", "ticket_search_after_update",
                                  "ticket_search_delete", "response_search_before_insert", "response_search_after_insert",
                                  "response_search_before_delete", "response_search_after_delete",
                                  "response_search_before_update", "response_search_after_update",
                                  "ticket_tally_insert", "ticket_tally_delete", "ticket_tally_update",
                                  "ticket_resolution_seconds_insert", "ticket_resolution_seconds_update",
                                  "response_first_staff_reply",
                                  "search_length_ticket_insert", "search_length_ticket_update", "search_length_ticket_delete",
                                  "search_length_response_insert", "search_length_response_delete", "search_length_response_update"])
    }

    @Test func derivedDataIsWhatTheRowByRowTriggersWrite() throws {
        // Given tickets with requester replies, internal notes and staff replies at varied delays,
        // some resolved, in several categories, priorities and statuses
        var lines: [String] = []
        for n in 1...40 {
            var object: [String: Any] = [
                "subject": "Ticket \(n)", "message": "Body \(n)", "category": ["bug-report", "technical-issue", "account-issue"][n % 3],
                "priority": ["Low", "High", "Critical"][n % 3], "status": ["Open", "Resolved", "Closed", "In Progress"][n % 4],
                "submittedBy": ["email": "user\(n % 4)@example.test"], "createdAt": "2025-05-01T10:00:00.000Z",
                "assignedTo": n % 5 == 0 ? NSNull() : ["email": "agent\(n % 2)@example.test", "role": "internal"] as Any,
                "responses": Array([
                    ["message": "Me again", "respondedBy": ["email": "user\(n % 4)@example.test"], "createdAt": "2025-05-01T10:01:00.000Z"],
                    ["message": "Note", "isInternal": true, "respondedBy": ["email": "agent0@example.test", "role": "internal"],
                     "createdAt": "2025-05-01T10:02:00.000Z"],
                    ["message": "On it", "respondedBy": ["email": "agent\(n % 3 == 0 ? 0 : 1)@example.test", "role": "internal"],
                     "createdAt": "2025-05-01T1\(n % 10):\(10 + n):00.000Z"],
                ].suffix(n % 4 == 3 ? 2 : 3)),
            ]
            if n % 4 == 1 || n % 4 == 2 { object["resolvedAt"] = "2025-05-0\(2 + n % 7)T09:\(10 + n):30.250Z" }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        // When they are imported in bulk (an empty database) and row by row (one that has a ticket)
        let bulk = try DeskFixture()
        _ = try bulk.operatorDesk.importTickets(lines: lines, batchSize: 9)
        let ordinary = try DeskFixture()
        try ordinary.openTicket(by: nil)
        _ = try ordinary.operatorDesk.importTickets(lines: lines, batchSize: 9)
        try ordinary.operatorDesk.deleteTicket(TicketNumber.parse("ST-2026-001"))
        // Then the figures read from the tally and the duration indexes agree with each other and
        // with the raw rows
        let fromBulk = try bulk.database.statistics(since: nil, until: nil)
        let fromRows = try ordinary.database.statistics(since: nil, until: nil)
        #expect(fromBulk.total == 40 && fromBulk.firstResponse?.count == 40 && fromBulk.resolution != nil)
        StatisticsStoreTests.expectSameFigures(fromBulk, fromRows)
        StatisticsStoreTests.expectSameFigures(fromBulk, try StatisticsStoreTests.oracle(bulk.database))
        // And the notes are in staff's documents whichever way they went in (built beside the
        // writer, or by the triggers row by row), and out of the public documents
        for fixture in [bulk, ordinary] {
            try fixture.database.writer.write { db in
                for table in ["ticket_search", "ticket_search_staff", "ticket_search_note"] {
                    try db.execute(sql: "INSERT INTO \(table)(\(table), rank) VALUES('integrity-check', 1)")
                }
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_staff WHERE ticket_search_staff MATCH 'notes : note'") == 40)
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search_staff WHERE ticket_search_staff MATCH 'body'") == 40)
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_search WHERE ticket_search MATCH 'note'") == 0)
            }
        }
    }

    /// The bulk path writes each ticket's first staff reply and durations with the ticket
    /// (the triggers are set aside): the very values the triggers write row by row, ties and
    /// replies listed out of time order included.
    @Test func derivedColumnsAreWhatTheTriggersWriteRowForRow() throws {
        // Given tickets whose staff replies come out of time order, tie at the same millisecond
        // (the first written wins), are internal notes, or are by requesters only
        func reply(_ by: String, _ at: String, note: Bool = false, role: String = "internal") -> [String: Any] {
            ["message": "r", "respondedBy": ["email": by, "role": role], "createdAt": at, "isInternal": note]
        }
        var lines: [String] = []
        for n in 1...30 {
            var replies: [[String: Any]] = []
            switch n % 5 {
            case 0: replies = [reply("agent1@example.test", "2025-05-01T12:00:00.500Z"), reply("agent2@example.test", "2025-05-01T11:00:00.250Z")]
            case 1: replies = [reply("agent1@example.test", "2025-05-01T11:00:00.001Z"), reply("agent2@example.test", "2025-05-01T11:00:00.001Z")]
            case 2: replies = [reply("agent2@example.test", "2025-05-01T10:30:00.000Z", note: true),
                               reply("user\(n)@example.test", "2025-05-01T10:20:00.000Z", role: "user")]
            case 3: replies = [reply("admin\(n % 2)@example.test", "2025-05-03T23:59:59.999Z", role: "admin")]
            default: replies = []
            }
            var object: [String: Any] = [
                "subject": "Ticket \(n)", "message": "Body", "category": "bug-report", "submittedBy": ["email": "user\(n)@example.test"],
                "createdAt": "2025-05-01T10:00:00.\(String(format: "%03d", n * 7))Z", "responses": replies,
            ]
            if n % 3 == 0 { object["resolvedAt"] = "2025-06-0\(1 + n % 8)T08:00:00.\(String(format: "%03d", n))Z"; object["status"] = "Resolved" }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        // When they are imported in bulk (an empty database) and row by row (one that has a ticket)
        let bulk = try DeskFixture()
        #expect(try bulk.operatorDesk.importTickets(lines: lines, batchSize: 7).imported == 30)
        let ordinary = try DeskFixture()
        try ordinary.openTicket(by: nil)
        #expect(try ordinary.operatorDesk.importTickets(lines: lines, batchSize: 7).imported == 30)
        // Then every ticket has the same first reply, responder and durations, to the bit
        let sql = """
            SELECT t.ticketNumber, t.firstResponseAt, u.email, t.firstResponseSeconds, t.resolutionSeconds
            FROM ticket t LEFT JOIN user u ON u.id = t.firstResponderID
            WHERE t.ticketNumber LIKE 'ST-2025-%' ORDER BY t.ticketNumber
            """
        let fromBulk = try bulk.database.writer.read { db in try Row.fetchAll(db, sql: sql) }
        let fromTriggers = try ordinary.database.writer.read { db in try Row.fetchAll(db, sql: sql) }
        #expect(fromBulk.count == 30)
        #expect(fromBulk == fromTriggers)
        // And the cases are there: a tie won by the first written, an earlier reply listed later
        let tie = try #require(fromBulk.first { $0[0] == "ST-2025-001" })
        #expect(tie[2] == "agent1@example.test")
        let outOfOrder = try #require(fromBulk.first { $0[0] == "ST-2025-005" })
        #expect(outOfOrder[2] == "agent2@example.test" && outOfOrder[3] == 3600.215)
        #expect(fromBulk.filter { ($0[4] as Double?) != nil }.count == 10)
        #expect(fromBulk.filter { ($0[1] as String?) == nil }.count == 12)
    }

    @Test func theTicketsAreFoundThroughTheRebuiltIndexes() throws {
        // Given tickets imported in bulk, and one created afterwards the ordinary way
        let fixture = try DeskFixture()
        _ = try fixture.operatorDesk.importTickets(lines: (1...30).map { Self.line($0, replyIDs: [100 + $0]) }, batchSize: 7)
        try fixture.openTicket(by: fixture.requester, subject: "Scanner smoke", message: "Since the toner change.")
        // Then search finds words of subjects, messages and replies, imported or not
        #expect(try Self.search(fixture, "printer") == 30)
        #expect(try Self.search(fixture, "stapler") == 30)
        #expect(try Self.search(fixture, "toner") == 31)
        #expect(try Self.search(fixture, "scanner") == 1)
        // And the lists served by the rebuilt indexes see every ticket
        var query = TicketQuery()
        query.statuses = [.open]
        #expect(try fixture.operatorDesk.listTickets(query).total == 31)
    }

    @Test func aRefusedTicketInTheMiddleIsReportedAndTheOthersGoIn() throws {
        // Given an empty database that refuses any ticket whose subject is "refuse me", a file
        // whose 12th line is such a ticket, whose 15th line repeats the number of the 3rd, whose
        // 18th line gives a reply id already given, and whose 20th line is not JSON
        let fixture = try DeskFixture()
        try fixture.database.writer.write { db in
            try db.execute(sql: """
                CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.ticket WHEN NEW.subject = 'refuse me'
                BEGIN SELECT RAISE(ABORT, 'refused'); END
                """)
        }
        var lines = (1...30).map { Self.line($0, number: "ST-2025-\(String(format: "%03d", $0))", replyIDs: [1000 + $0]) }
        lines[11] = Self.line(12, number: "ST-2025-012", subject: "refuse me")
        lines[14] = Self.line(15, number: "ST-2025-003")
        lines[17] = Self.line(18, number: "ST-2025-018", replyIDs: [1001])
        lines[19] = "{\"subject\": "
        // When it is imported in batches of 8
        let summary = try fixture.operatorDesk.importTickets(lines: lines, batchSize: 8)
        // Then the refused lines are reported with their numbers, and the others are imported
        #expect(summary.errors.map(\.line) == [12, 15, 20])
        #expect(summary.errors[1].message == "ticket ST-2025-003 already exists")
        #expect(summary.errors[2].message == "not a JSON object")
        #expect(summary.imported == 27)
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM ticket") == 27)
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM audit_event WHERE field = 'import'") == 27)
        // And the reply whose id was taken got another one, and nothing of the refused ticket remains
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM response") == 27)
        #expect(try Self.count(fixture.database, "SELECT count(DISTINCT id) FROM response") == 27)
        #expect(try Self.search(fixture, "refuse") == 0)
        #expect(try Self.search(fixture, "stapler") == 27)
        // And the schema is whole again
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM sqlite_master WHERE type IN ('index', 'trigger')") ==
            (try Self.count(try AppDatabase.inMemory(), "SELECT count(*) FROM sqlite_master WHERE type IN ('index', 'trigger')")))
    }

    @Test func aFailureLeavesTheDatabaseAsItWas() throws {
        // Given an empty database on which the 17th ticket of an import fails with an error that
        // is not a refusal (a malformed JSON literal in a trigger: SQLITE_ERROR)
        let fixture = try DeskFixture()
        let before = try Self.schema(fixture.database)
        try fixture.database.writer.write { db in
            try db.execute(sql: """
                CREATE TEMP TRIGGER fail AFTER INSERT ON main.ticket WHEN NEW.subject = 'fail here' BEGIN SELECT json('{'); END
                """)
        }
        var lines = (1...30).map { Self.line($0) }
        lines[16] = Self.line(17, subject: "fail here")
        // When it is imported in batches of 5
        let error = failure { _ = try fixture.operatorDesk.importTickets(lines: lines, batchSize: 5) }
        // Then the import fails, and nothing of it is in the database: no ticket, no user, the schema whole
        #expect(error != nil)
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM ticket") == 0)
        #expect(try Self.count(fixture.database, "SELECT count(*) FROM user WHERE email LIKE 'user%'") == 0)
        #expect(try Self.schema(fixture.database) == before)
        // And the next import takes the bulk path again and succeeds
        try fixture.database.writer.write { db in try db.execute(sql: "DROP TRIGGER temp.fail") }
        #expect(try fixture.operatorDesk.importTickets(lines: lines, batchSize: 5).imported == 30)
        #expect(try Self.schema(fixture.database) == before)
    }

    @Test func intoADatabaseWithTicketsTheImportKeepsTheIndexesInPlace() throws {
        // Given a database with one ticket
        let fixture = try DeskFixture()
        let before = try Self.schema(fixture.database)
        try fixture.openTicket(by: fixture.requester)
        // When tickets are imported, one of them with the number of an existing one
        let existing = try #require(try fixture.operatorDesk.listTickets(TicketQuery()).tickets.first?.ticketNumber)
        var lines = (1...12).map { Self.line($0, replyIDs: [$0]) }
        lines[4] = Self.line(5, number: existing.description)
        let summary = try fixture.operatorDesk.importTickets(lines: lines, batchSize: 4)
        // Then the duplicate is refused, the others imported, and found by search
        #expect(summary.errors.map(\.line) == [5])
        #expect(summary.imported == 11)
        #expect(try Self.search(fixture, "stapler") == 11)
        #expect(try Self.schema(fixture.database) == before)
    }
}
