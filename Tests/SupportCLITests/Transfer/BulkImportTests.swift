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
        let result = try sandbox.succeed(["ticket", "import", "--json", "--verbose"], stdin: Self.lines(300))
        // Then it wrote through a rollback journal, and left the file in WAL mode
        #expect(result.err.contains("rollback journal for the import"), "\(result.err)")
        #expect(try sandbox.reliabilitySQL("PRAGMA journal_mode").trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        #expect(fileSize(sandbox.dbPath + "-journal") == -1)
        // And both have the very same tables, indexes and triggers
        #expect(try result.json()["imported"] as? Int == 300)
        #expect(try Self.schema(sandbox) == (try Self.schema(fresh)))
        #expect(try sandbox.reliabilityIntegrity() == "ok")
        // And the full-text indexes (built beside the writer, then copied in) agree with the rows:
        // FTS5's own check, which sqlite3 exits non-zero on
        _ = try sandbox.reliabilitySQL("""
            INSERT INTO ticket_search(ticket_search, rank) VALUES('integrity-check', 1);
            INSERT INTO ticket_search_note(ticket_search_note, rank) VALUES('integrity-check', 1);
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
            // Then the next command sees all of the import or none of it, and the file is back in WAL mode
            let listed = try sandbox.list([]).pagination["total"]
            #expect(listed == 0 || listed == 4000, "trial \(trial): \(listed ?? -1) tickets listed")
            #expect(try sandbox.reliabilitySQL("PRAGMA journal_mode").trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
            // And the file holds all of it or none of it, with the schema of a new database
            // (a kill after the commit, while the file is switched back to WAL, leaves all of it)
            let tickets = try sandbox.reliabilityCount("SELECT count(*) FROM ticket")
            #expect(tickets == listed)
            #expect(tickets == 0 || tickets == 4000, "trial \(trial): \(tickets) tickets")
            #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket_search WHERE ticket_search MATCH 'scanner'") == tickets,
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

    /// A writer in rollback-journal mode (as a bulk import is) killed after it wrote pages into
    /// the file leaves a hot journal. The next `support` must roll it back before its read-only
    /// look at the file (which cannot, and failed), and put the file back in WAL mode.
    @Test func aHotJournalIsRolledBackByTheNextCommand() throws {
        // Given a database with one ticket, and a writer in rollback mode that spilled pages of a
        // large change into the file and was killed before its commit (the shell kills itself)
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "Kept printer", extra: ["--requester", "kept@example.test"])
        let before = try Self.schema(sandbox)
        let script = """
            PRAGMA journal_mode = DELETE;
            PRAGMA cache_size = 5;
            BEGIN;
            UPDATE ticket SET subject = 'Changed';
            CREATE TABLE junk (x);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO junk SELECT randomblob(3000) FROM n;
            .shell kill -9 $PPID
            """
        let killed = try sandbox.launch(["-batch", sandbox.dbPath], stdin: Data(script.utf8),
                                        executable: URL(fileURLWithPath: ReliabilityTools.sqlite3)).wait()
        #expect(killed.signaled)
        let journal = try #require(FileManager.default.contents(atPath: sandbox.dbPath + "-journal"))
        #expect(journal.prefix(8) == Data([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]), "the journal is hot (its magic is written)")
        // When the next command runs
        let listed = try sandbox.list(["--search", "printer"])
        // Then it sees the database as it was, and leaves it in WAL mode with the schema it had
        #expect(listed.pagination["total"] == 1)
        #expect(try sandbox.reliabilitySQL("PRAGMA journal_mode").trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        #expect(try Self.schema(sandbox) == before)
        #expect(try sandbox.reliabilityIntegrity() == "ok")
    }

    /// A writer in rollback-journal mode killed in its commit, after it wrote page 1 (whose
    /// header counts the pages the transaction added) and before the pages that extend the file,
    /// leaves a file shorter than its header says beside a hot journal. That is not damage: the
    /// journal puts the file back. (`support` called such a desk corrupt, exit 74, when a release
    /// build's bulk import was killed at that moment: aKillDuringABulkImportLeavesTheDatabaseAsItWas.)
    /// The moment is made exactly: the journal SQLite writes (its header, then page 1 as it was,
    /// with its checksum), and page 1 as the killed commit wrote it.
    @Test func aFileShortOfItsHeaderBesideAHotJournalIsRolledBackNotRefused() throws {
        // Given a desk of 300 tickets in one file, in rollback-journal mode as a bulk import leaves it
        let sandbox = try Sandbox()
        try sandbox.succeed(["ticket", "import"], stdin: Self.lines(300))
        _ = try sandbox.reliabilitySQL("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        let before = try Self.schema(sandbox)
        var file = try #require(FileManager.default.contents(atPath: sandbox.dbPath))
        func word(_ at: Int) -> UInt32 { file[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        let pageSize = Int(file[16]) << 8 | Int(file[17])
        let pages = UInt32(file.count / pageSize)
        #expect(word(28) == pages)
        // And the hot journal of a transaction that grew the file by 200 pages: one record, page 1 as it was
        let pageOne = [UInt8](file.prefix(pageSize))
        let nonce: UInt32 = 0x5EED_1234
        var checksum = nonce
        for offset in stride(from: pageSize - 200, to: 0, by: -200) { checksum &+= UInt32(pageOne[offset]) }
        let sector = 4096
        var header: [UInt8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]
        header += bigEndian(1) + bigEndian(nonce) + bigEndian(pages) + bigEndian(UInt32(sector)) + bigEndian(UInt32(pageSize))
        header += [UInt8](repeating: 0, count: sector - header.count)
        let journal = header + bigEndian(1) + pageOne + bigEndian(checksum)
        try Data(journal).write(to: URL(fileURLWithPath: sandbox.dbPath + "-journal"))
        // And page 1 as the killed commit wrote it: 200 more pages, a new change counter
        file.replaceSubrange(28..<32, with: bigEndian(pages + 200))
        file.replaceSubrange(24..<28, with: bigEndian(word(24) + 1))
        file.replaceSubrange(92..<96, with: file[24..<28])
        try file.write(to: URL(fileURLWithPath: sandbox.dbPath))
        #expect(word(28) > UInt32(file.count / pageSize), "the file is shorter than its header says")

        // When the next command runs
        let listed = try sandbox.list(["--search", "printer"])

        // Then the journal was rolled back: every ticket, the schema it had, WAL mode, a sound file
        #expect(listed.pagination["total"] == 300)
        #expect(fileSize(sandbox.dbPath + "-journal") == -1)
        #expect(try sandbox.reliabilitySQL("PRAGMA journal_mode").trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        #expect(try Self.schema(sandbox) == before)
        #expect(try sandbox.reliabilityIntegrity() == "ok")
    }

    /// SQLite leaves WAL mode only when no other connection has the file open. When one has,
    /// the bulk import writes through the WAL as before, and the other connection is untouched.
    @Test func anotherOpenConnectionKeepsTheImportInWALMode() throws {
        // Given a database that the sqlite3 shell has open (it read, and waits)
        let sandbox = try Sandbox()
        try sandbox.succeed(["ticket", "list"])
        let marker = sandbox.directory.appendingPathComponent("shell-has-read").path
        let imported = sandbox.directory.appendingPathComponent("imported").path
        let shell = try sandbox.launch(["-batch", sandbox.dbPath], stdin: Data("""
            SELECT count(*) FROM user;
            .shell touch '\(marker)'; while [ ! -e '\(imported)' ]; do sleep 0.05; done
            SELECT count(*) FROM ticket;
            """.utf8), executable: URL(fileURLWithPath: ReliabilityTools.sqlite3))
        // Whatever happens below, the shell is let go
        defer { FileManager.default.createFile(atPath: imported, contents: nil) }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: marker) { usleep(20_000) }
        #expect(FileManager.default.fileExists(atPath: marker))
        // When tickets are imported in bulk meanwhile
        let result = try sandbox.succeed(["ticket", "import", "--json", "--verbose"], stdin: Self.lines(300))
        // Then the import says why it kept the WAL, and everything went in
        #expect(result.err.contains("another connection has the database open"), "\(result.err)")
        #expect(try result.json()["imported"] as? Int == 300)
        // And the shell, open all along, then reads the imported tickets
        FileManager.default.createFile(atPath: imported, contents: nil)
        let shellResult = try shell.wait(timeout: 30)
        #expect(shellResult.status == 0, "\(shellResult)")
        #expect(shellResult.out.split(separator: "\n").last == "300")
        #expect(try sandbox.reliabilitySQL("PRAGMA journal_mode").trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        #expect(try sandbox.reliabilityIntegrity() == "ok")
    }

    /// While a bulk import writes through its rollback journal, a command that starts then
    /// waits for it (the `.lock` file, or SQLite's busy timeout) and sees all of it or none.
    @Test func aReaderDuringTheImportSeesAllOrNothing() throws {
        // Given an import of 4,000 tickets under way in a new database
        let sandbox = try Sandbox()
        try sandbox.succeed(["ticket", "list"])
        let running = try sandbox.launch(["ticket", "import"], stdin: Self.lines(4000))
        // When other commands list the tickets meanwhile
        var totals: [Int] = []
        for _ in 0..<5 {
            usleep(150_000)
            let listed = try sandbox.run(["ticket", "list", "--json"])
            #expect(listed.status == 0, "\(listed)")
            if let total = (try? listed.json())?["pagination"].flatMap({ ($0 as? [String: Any])?["total"] as? Int }) { totals.append(total) }
        }
        // Then each saw none of the import or all of it, and the import went through
        #expect(try running.wait(timeout: 120).status == 0)
        #expect(totals.count == 5 && totals.allSatisfy { $0 == 0 || $0 == 4000 }, "\(totals)")
        #expect(try sandbox.list([]).pagination["total"] == 4000)
        #expect(try sandbox.reliabilitySQL("PRAGMA journal_mode").trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
    }
}
