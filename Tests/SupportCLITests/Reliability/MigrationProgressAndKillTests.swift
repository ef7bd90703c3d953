import Foundation
import Testing
@testable import SupportCore

/// Issue 14, "existing databases migrate in place": the migration that gives staff full-text
/// documents of their own builds an index over the whole file. Killed half way, it must leave
/// the file as it was (usable by the version before); on a terminal it says how far it is; in
/// a script it says nothing.
@Suite("migrating an existing file: kill and progress")
struct MigrationProgressAndKillTests {
    static let migration = "ticket-search-staff-documents"

    /// Makes the sandbox's file one of the schema before `migration`, holding `tickets` tickets,
    /// each with an internal note "customer owes quokka fees N" (in the notes' own index, one
    /// document per note, as that schema indexes notes). Made by this binary, then taken back:
    /// the full-text objects dropped, those of the schema before made again from the very SQL of
    /// the shipped migration, the rows written (no full-text trigger in place), its indexes
    /// rebuilt, the migration's row removed.
    static func fileBeforeTheMigration(_ sandbox: Sandbox, tickets: Int) throws {
        try sandbox.succeed(["ticket", "list"])
        let triggers = try sandbox.reliabilitySQL("""
            SELECT name FROM sqlite_master WHERE type = 'trigger'
            AND (name LIKE 'ticket_search%' OR name LIKE 'response_search%' OR name LIKE 'response_note_search%'
                 OR name LIKE 'search_length%')
            """).split(separator: "\n")
        // (12 of the search documents, 7 of the packed lengths and the one that copies for them)
        #expect(triggers.count == 12 + SearchLengths.triggers.count + 1)
        let before = AppDatabase.ticketSearchNotesSchema
        var sql = "BEGIN;\n"
        sql += triggers.map { "DROP TRIGGER \"\($0)\";\n" }.joined()
        sql += """
            DROP TABLE ticket_search_staff_length; DROP VIEW search_length_of;
            DROP TABLE ticket_search; DROP TABLE ticket_search_reply; DROP TABLE ticket_search_note; DROP TABLE ticket_search_staff;
            DROP VIEW ticket_search_document; DROP VIEW ticket_search_reply_document; DROP VIEW ticket_search_note_document;
            DROP VIEW ticket_search_staff_document;
            INSERT INTO user (id, email, name, role, createdAt) VALUES
                (1001, 'jane@example.test', 'Jane', 'user', '2026-01-01 00:00:00.000'),
                (1002, 'sam@example.test', 'Sam', 'internal', '2026-01-01 00:00:00.000');
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(tickets))
            INSERT INTO ticket (id, ticketNumber, subject, message, category, priority, status, submittedBy, createdAt, updatedAt)
            SELECT i, 'ST-2026-' || printf('%06d', i), 'Printer problem ' || (i % 97),
                   'It prints blank pages since update ' || (i % 53) || ', toner and paper are fine',
                   'bug-report', 1 + i % 4, i % 4, 1001, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000' FROM n;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(tickets))
            INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt)
            SELECT i, 'customer owes quokka fees ' || i, 1002, 1, '2026-01-01 00:01:00.000' FROM n;
            INSERT OR REPLACE INTO ticket_sequence (year, lastNumber) VALUES (2026, \(tickets));

            """
        sql += String(before[before.range(of: "CREATE VIEW ticket_search_document")!.lowerBound...])
        sql += """
            INSERT INTO ticket_search(ticket_search) VALUES('rebuild');
            INSERT INTO ticket_search_reply(ticket_search_reply) VALUES('rebuild');
            INSERT INTO ticket_search_note(ticket_search_note) VALUES('rebuild');
            DELETE FROM grdb_migrations WHERE identifier = '\(migration)';
            -- The migrations after it are taken back too: GRDB refuses (a fatal error) a file
            -- that has a later migration without an earlier one.
            DROP INDEX inbound_mail_on_maildirFile;
            ALTER TABLE inbound_mail DROP COLUMN maildirFile;
            DELETE FROM grdb_migrations WHERE identifier = 'inbound-mail-maildir-file';
            DELETE FROM grdb_migrations WHERE identifier = 'ticket-search-lengths';
            COMMIT;
            PRAGMA wal_checkpoint(TRUNCATE);
            """
        _ = try sandbox.reliabilitySQL(sql)
    }

    static func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    @Test func aKillDuringTheMigrationLeavesTheOldFileUsableAndTheNextRunCompletesIt() throws {
        // Given a file of the schema before, big enough that the migration takes seconds
        let sandbox = try Sandbox()
        let tickets = 150_000
        try Self.fileBeforeTheMigration(sandbox, tickets: tickets)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket_search_note WHERE ticket_search_note MATCH 'quokka'") == tickets)
        // When a command starts migrating it and is killed (SIGKILL) once the migration has
        // written a few megabytes to the WAL
        let started = Date()
        let running = try sandbox.launch(["ticket", "list"])
        while Self.fileSize(sandbox.dbPath + "-wal") < 2 << 20, Date().timeIntervalSince(started) < 120 {
            usleep(5_000)
        }
        running.send(SIGKILL)
        let killed = try running.wait(timeout: 120)
        try #require(killed.signaled, "the migration ended before the kill: \(killed)")
        // Then the file is sound and as it was: the old schema and its indexes, every row
        #expect(try sandbox.reliabilityIntegrity() == "ok")
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM grdb_migrations WHERE identifier = '\(Self.migration)'") == 0)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM sqlite_master WHERE name = 'ticket_search_staff'") == 0)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket") == tickets)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket_search_note WHERE ticket_search_note MATCH 'quokka'") == tickets)
        _ = try sandbox.reliabilitySQL("""
            INSERT INTO ticket_search(ticket_search, rank) VALUES('integrity-check', 1);
            INSERT INTO ticket_search_note(ticket_search_note, rank) VALUES('integrity-check', 1);
            """)
        // And the next run migrates it and works, saying nothing about it (stderr is no terminal)
        let next = try sandbox.succeed(["--as", "sam@example.test", "ticket", "list", "--search", "quokka", "--status", "all", "--json"])
        #expect(!next.err.contains("updating the database"), "\(next.err)")
        #expect(try next.json()["pagination"].flatMap { ($0 as? [String: Any])?["total"] as? Int } == tickets)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM grdb_migrations WHERE identifier = '\(Self.migration)'") == 1)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket_search WHERE ticket_search MATCH 'quokka'") == 0)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket_search_staff WHERE ticket_search_staff MATCH 'quokka'") == tickets)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket_search_note") == 0)
        // (the packed lengths filled by the last migration: a row for each 128 ids, 1 ... tickets)
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket_search_staff_length") == tickets / 128 + 1)
        _ = try sandbox.reliabilitySQL("""
            INSERT INTO ticket_search(ticket_search, rank) VALUES('integrity-check', 1);
            INSERT INTO ticket_search_reply(ticket_search_reply, rank) VALUES('integrity-check', 1);
            INSERT INTO ticket_search_staff(ticket_search_staff, rank) VALUES('integrity-check', 1);
            INSERT INTO ticket_search_note(ticket_search_note, rank) VALUES('integrity-check', 1);
            """)
        #expect(try sandbox.reliabilityIntegrity() == "ok")
    }

    @Test func onATerminalTheMigrationSaysWhichStepRunsAndHowFarItIs() throws {
        // Given a file of the schema before
        let sandbox = try Sandbox()
        try Self.fileBeforeTheMigration(sandbox, tickets: 60_000)
        // When a command opens it with stderr (and stdout) on a terminal (`script` gives it one)
        let result = try sandbox.shell(#"script -qec "$SUPPORT ticket list --status all >/dev/null" /dev/null"#)
        #expect(result.status == 0, "\(result)")
        // Then one line, rewritten in place, names the step and counts the rows, and ends with the time
        let screen = result.out
        #expect(screen.contains("support: updating the database, step 1 of 3 (\(Self.migration))"), "\(screen)")
        #expect(screen.contains(": 33% (20000 of 60000 rows)"), "\(screen)")
        #expect(screen.contains(": 100% (60000 of 60000 rows)"), "\(screen)")
        #expect(screen.contains("support: database updated in "), "\(screen)")
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM grdb_migrations WHERE identifier = '\(Self.migration)'") == 1)
        // And a second run, with nothing to migrate, says nothing
        let again = try sandbox.shell(#"script -qec "$SUPPORT ticket list --status all >/dev/null" /dev/null"#)
        #expect(!again.out.contains("updating the database"), "\(again.out)")
    }
}
