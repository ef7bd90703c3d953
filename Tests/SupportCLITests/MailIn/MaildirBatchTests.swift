import Foundation
import Testing

/// `mail ingest --maildir` and `--mbox` take their messages in batches, one transaction each
/// (issue 12's speed): what a batch must still guarantee, run on the real binary and real files.
@Suite("mail ingest: Maildir and mbox batches (CLI)")
struct MaildirBatchTests {
    /// The help desk's batch size (`HelpDesk.mailBatchMessages`): a kill can only ever leave
    /// whole batches committed.
    static let batch = 200

    struct Maildir {
        let root: URL
        var new: URL { root.appendingPathComponent("new") }
        var cur: URL { root.appendingPathComponent("cur") }

        init(in sandbox: Sandbox) throws {
            root = sandbox.directory.appendingPathComponent("Maildir")
            for sub in ["new", "cur", "tmp"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
        }

        func put(_ name: String, _ bytes: Data) throws { try bytes.write(to: new.appendingPathComponent(name)) }

        func names(_ directory: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() }
    }

    /// A desk with mail on, Jane's ticket (ST-…-001, made by mail), and no ticket number left
    /// for the year: a new ticket is refused by the rules.
    static func deskWithTicketNumbersUsedUp(_ engine: Engine) throws -> Sandbox {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        try sandbox.succeed(["mail", "ingest"], stdin: Data(InboundFixtures.message(id: "first@cust.example").utf8))
        try sandbox.deskSQL("UPDATE ticket_sequence SET lastNumber = 999999999")
        return sandbox
    }

    func messages(_ result: CLIResult) throws -> [[String: Any]] {
        try #require(try result.json()["messages"] as? [[String: Any]], "\(result)")
    }

    func ticketTotal(_ sandbox: Sandbox) throws -> Int? {
        try sandbox.succeed(["ticket", "list", "--status", "all", "--json"]).json()["pagination"]
            .flatMap { ($0 as? [String: Any])?["total"] as? Int }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 shell"), arguments: Engine.available)
    func aRunKilledMidBatchLeavesTheUncommittedInNewAndTheReRunIngestsEachOnce(engine: Engine) throws {
        // Given Jane's ticket, opened by mail, and a Maildir of 600 messages: every other one a
        // new ticket from a stranger, the rest Jane's replies on her ticket
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        try sandbox.succeed(["mail", "ingest"], stdin: Data(InboundFixtures.message(id: "first@cust.example").utf8))
        let maildir = try Maildir(in: sandbox)
        let count = 600
        for i in 0..<count {
            let text = i % 2 == 0
                ? InboundFixtures.message(from: "Customer \(i) <c\(i)@other.example>", subject: "Question \(i)", id: "m\(i)@batch.example",
                                          body: "Question number \(i).")
                : InboundFixtures.message(subject: "Re: [\(Sandbox.number(1))] Printer jammed", id: "m\(i)@batch.example",
                                          body: "Reply number \(i).")
            try maildir.put(String(format: "%04d.batch.host", i), Data(text.utf8))
        }
        // When a run is killed (SIGKILL) once its first batch is in cur/, before the end
        let running = try sandbox.launch(["mail", "ingest", "--maildir", maildir.root.path])
        let deadline = Date().addingTimeInterval(120)
        while try maildir.names(maildir.cur).count < Self.batch, Date() < deadline { usleep(2_000) }
        running.send(SIGKILL)
        let killed = try running.wait()
        try #require(killed.signaled, "the run ended before the kill: \(killed)")
        // Then the file is sound, and only whole batches were committed
        if engine == .sqlite { #expect(try sandbox.reliabilityIntegrity() == "ok") }  // the file's own check
        let committed = try sandbox.deskCount("SELECT count(*) FROM inbound_mail WHERE messageID LIKE '%@batch.example'")
        #expect(committed >= Self.batch && committed < count && committed % Self.batch == 0, "\(committed) committed")
        // And every message in cur/ was committed; the uncommitted are all still in new/
        let inCur = try maildir.names(maildir.cur)
        let inNew = try maildir.names(maildir.new)
        #expect(inCur.count + inNew.count == count)
        #expect(inCur.allSatisfy { $0.hasSuffix(":2,S") })
        let stored = Set(try sandbox.deskColumn("SELECT messageID FROM inbound_mail"))
        func id(_ name: String) -> String { "m\(Int(name.prefix(4))!)@batch.example" }
        #expect(inCur.allSatisfy { stored.contains(id($0)) })
        // (a kill between a commit and its renames leaves at most that batch committed in new/)
        #expect(inNew.filter { stored.contains(id($0)) }.count <= Self.batch)
        #expect(inNew.count >= count - committed)

        // When the run is started again
        let rerun = try sandbox.run(["mail", "ingest", "--maildir", maildir.root.path])
        // Then it ends well, with every file in cur/
        #expect(rerun.status == 0, "\(rerun)")
        #expect(try maildir.names(maildir.new).isEmpty)
        #expect(try maildir.names(maildir.cur).count == count)
        // And every message was ingested exactly once: 300 new tickets, 300 replies on Jane's
        #expect(try ticketTotal(sandbox) == 1 + count / 2)
        // (read from the file: `ticket show` pages its replies)
        let replies = try sandbox.deskColumn("""
            SELECT r.message FROM response r JOIN ticket t ON t.id = r.ticketId WHERE t.ticketNumber = '\(Sandbox.number(1))'
            """)
        #expect(replies.count == count / 2)
        #expect(Set(replies).count == count / 2)
        let list = try messages(sandbox.succeed(["mail", "list", "--json", "--limit", "10000"]))
        let firsts = list.filter { $0["outcome"] as? String != "duplicate" }
        #expect(firsts.count == 1 + count)
        #expect(Set(firsts.compactMap { $0["messageId"] as? String }).count == 1 + count)
        #expect(firsts.filter { $0["outcome"] as? String == "created" }.count == 1 + count / 2)
        #expect(firsts.filter { $0["outcome"] as? String == "replied" }.count == count / 2)
        // And ticket numbers have no gap
        #expect(try sandbox.deskCount("SELECT max(id) - min(id) + 1 - count(*) FROM ticket") == 0)
    }

    /// Starts `mail ingest --maildir` and kills it (SIGKILL) while it moves a committed batch to
    /// cur/: it is stopped (SIGSTOP) each time cur/ grows, and killed once part of a batch is in
    /// cur/ and the rest still in new/; let go (SIGCONT) when a whole batch had been moved.
    /// False when the run ended before such a moment came (the caller tries again).
    func killBetweenACommitAndItsMoves(_ sandbox: Sandbox, _ maildir: Maildir, total: Int) throws -> Bool {
        let running = try sandbox.launch(["mail", "ingest", "--maildir", maildir.root.path])
        var moved = 0
        var caught = false
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let now = (try? FileManager.default.contentsOfDirectory(atPath: maildir.cur.path).count) ?? 0
            if now >= total { break }
            guard now > moved else { continue }
            running.send(SIGSTOP)
            moved = try maildir.names(maildir.cur).count
            if moved % Self.batch != 0 {
                caught = true
                break
            }
            running.send(SIGCONT)
        }
        running.send(SIGKILL)
        running.send(SIGCONT)
        let result = try running.wait()
        try #require(caught ? result.signaled : true, "\(result)")
        return caught
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 shell"), arguments: Engine.available)
    func aRunKilledBetweenACommitAndItsMovesLeavesTheReRunOnlyTheMovesToFinish(engine: Engine) throws {
        // Given a desk with mail on and a Maildir of 600 messages from strangers (three batches)
        let count = 600
        var attempt: (sandbox: Sandbox, maildir: Maildir)?
        for _ in 1...5 {
            let sandbox = try Sandbox(engine: engine)
            try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
            let maildir = try Maildir(in: sandbox)
            for i in 0..<count {
                let text = InboundFixtures.message(from: "Customer \(i) <c\(i)@other.example>", subject: "Question \(i)",
                                                   id: "k\(i)@batch.example", body: "Question number \(i).")
                try maildir.put(String(format: "%04d.kill.host", i), Data(text.utf8))
            }
            // When the run is killed (SIGKILL) after a batch committed, while its files are
            // being moved to cur/ (a run that ends first is tried again on a fresh desk)
            if try killBetweenACommitAndItsMoves(sandbox, maildir, total: count) {
                attempt = (sandbox, maildir)
                break
            }
        }
        let (sandbox, maildir) = try #require(attempt, "no run was caught between a commit and its moves in 5 tries")
        // Then committed messages are left in new/ (the window the re-run must close)
        if engine == .sqlite { #expect(try sandbox.reliabilityIntegrity() == "ok") }  // the file's own check
        let committed = try sandbox.deskCount("SELECT count(*) FROM inbound_mail")
        let inCur = try maildir.names(maildir.cur)
        let inNew = try maildir.names(maildir.new)
        #expect(committed % Self.batch == 0 && inCur.count < committed, "\(committed) committed, \(inCur.count) in cur/")
        let lastID = try sandbox.deskCount("SELECT max(id) FROM inbound_mail")

        // When the run is started again
        let rerun = try sandbox.run(["mail", "ingest", "--maildir", maildir.root.path, "--json"])
        // Then it ends well, every file in cur/, and it reported one record per file it took
        #expect(rerun.status == 0, "\(rerun)")
        #expect(try maildir.names(maildir.new).isEmpty)
        #expect(try maildir.names(maildir.cur).count == count)
        let reported = try messages(rerun)
        #expect(reported.count == inNew.count)
        // And the committed files it found in new/ were only moved: reported as what they
        // became the first time (their own records), no duplicate recorded
        let finished = reported.filter { ($0["id"] as? Int ?? 0) <= lastID }
        #expect(finished.count == committed - inCur.count, "\(finished.count) finished, \(committed - inCur.count) expected")
        #expect(finished.allSatisfy { $0["outcome"] as? String == "created" })
        #expect(try sandbox.deskCount("SELECT count(*) FROM inbound_mail WHERE outcome = 'duplicate'") == 0)
        // And every message was ingested exactly once: 600 records, 600 tickets
        #expect(try sandbox.deskCount("SELECT count(*) FROM inbound_mail") == count)
        #expect(try sandbox.deskCount("SELECT count(DISTINCT messageID) FROM inbound_mail") == count)
        #expect(try ticketTotal(sandbox) == count)
    }

    /// A batch indexes its new tickets for search at its end, and before any reply (HeldBackTicketSearch,
    /// SQLite): a reply to a ticket the same batch opened, or to an older one, must find the index
    /// whole, and every ticket must be found by its words once the batch is committed.
    @Test(arguments: Engine.available) func everyTicketAndReplyOfABatchIsFoundBySearch(engine: Engine) throws {
        // Given Jane's ticket (opened before the batch)
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        try sandbox.succeed(["mail", "ingest"], stdin: Data(InboundFixtures.message(id: "first@cust.example").utf8))
        let schema = "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name"
        let before = engine == .sqlite ? try sandbox.deskSQL(schema) : ""
        // And a Maildir: Bo's new ticket, Bo's reply to it, Cy's new ticket, Jane's reply to hers,
        // Di's new ticket
        let maildir = try Maildir(in: sandbox)
        try maildir.put("1.a.host", Data(InboundFixtures.message(from: "Bo <bo@other.example>", subject: "Scanner", id: "bo1@other.example",
                                                                  body: "quasarword one").utf8))
        try maildir.put("2.b.host", Data(InboundFixtures.message(from: "Bo <bo@other.example>", subject: "Re: Scanner", id: "bo2@other.example",
                                                                  extra: ["In-Reply-To: <bo1@other.example>"], body: "nebulaword two").utf8))
        try maildir.put("3.c.host", Data(InboundFixtures.message(from: "Cy <cy@other.example>", subject: "Printer", body: "pulsarword three").utf8))
        try maildir.put("4.d.host", Data(InboundFixtures.message(subject: "Re: [\(Sandbox.number(1))] Printer jammed", body: "cometword four").utf8))
        try maildir.put("5.e.host", Data(InboundFixtures.message(from: "Di <di@other.example>", subject: "Login", body: "galaxyword five").utf8))
        // When it is ingested
        let run = try sandbox.run(["mail", "ingest", "--maildir", maildir.root.path, "--json"])
        // Then each message became what it says, and each word finds its ticket
        #expect(run.status == 0, "\(run)")
        #expect(try messages(run).compactMap { $0["outcome"] as? String } == ["created", "replied", "created", "replied", "created"])
        func found(_ word: String) throws -> [String] {
            let tickets = try sandbox.succeed(["ticket", "list", "--search", word, "--status", "all", "--json"]).json()["tickets"]
            return (tickets as? [[String: Any]] ?? []).compactMap { $0["ticketNumber"] as? String }
        }
        #expect(try found("quasarword") == [Sandbox.number(2)])
        #expect(try found("nebulaword") == [Sandbox.number(2)])
        #expect(try found("pulsarword") == [Sandbox.number(3)])
        #expect(try found("cometword") == [Sandbox.number(1)])
        #expect(try found("paper") == [Sandbox.number(1)])
        #expect(try found("galaxyword") == [Sandbox.number(4)])
        if engine == .sqlite {
            // And the four indexes are whole (FTS5's check against their views: sqlite3 fails
            // on a missing or stale document), and the schema is as it was
            for table in ["ticket_search", "ticket_search_reply", "ticket_search_staff", "ticket_search_note"] {
                try sandbox.deskSQL("INSERT INTO \(table)(\(table), rank) VALUES('integrity-check', 1)")
            }
            #expect(try sandbox.deskSQL(schema) == before)
        }
    }

    @Test(arguments: Engine.available) func anUnparseableMessageInABatchIsQuarantinedAndTheOthersStored(engine: Engine) throws {
        // Given a Maildir: a message, bytes that are no mail, another message
        let sandbox = try Sandbox(engine: engine)
        let maildir = try Maildir(in: sandbox)
        try maildir.put("1.a.host", Data(InboundFixtures.message(subject: "before").utf8))
        try maildir.put("2.b.host", Data([0, 1, 2, 0xff, 0x0a, 0x00]))
        try maildir.put("3.c.host", Data(InboundFixtures.message(from: "Bo <bo@cust.example>", subject: "after").utf8))
        // When it is ingested
        let run = try sandbox.run(["mail", "ingest", "--maildir", maildir.root.path, "--json"])
        // Then exit 0: the bad one quarantined, the two others opened tickets, all in cur/
        #expect(run.status == 0, "\(run)")
        #expect(try messages(run).compactMap { $0["outcome"] as? String } == ["created", "quarantined", "created"])
        #expect(try ticketTotal(sandbox) == 2)
        #expect(try maildir.names(maildir.cur) == ["1.a.host:2,S", "2.b.host:2,S", "3.c.host:2,S"])
        let quarantined = try messages(sandbox.succeed(["mail", "list", "--quarantined", "--json"]))
        #expect(quarantined.count == 1)
        let id = try #require(quarantined.first?["id"] as? Int)
        #expect(try sandbox.succeed(["mail", "show", String(id)]).stdout == Data([0, 1, 2, 0xff, 0x0a, 0x00]))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 shell"), arguments: Engine.available)
    func aMessageTheRulesRefuseIsQuarantinedAloneAndTheBatchGoesOn(engine: Engine) throws {
        // Given Jane's ticket, and a desk whose ticket numbers for the year are used up
        let sandbox = try Self.deskWithTicketNumbersUsedUp(engine)
        // When a Maildir of Jane's reply, a stranger's new ticket and Jane's next reply is ingested
        let maildir = try Maildir(in: sandbox)
        let reply = "Re: [\(Sandbox.number(1))] Printer jammed"
        try maildir.put("1.a.host", Data(InboundFixtures.message(subject: reply, body: "One.").utf8))
        try maildir.put("2.b.host", Data(InboundFixtures.message(from: "Bo <bo@other.example>", subject: "New one").utf8))
        try maildir.put("3.c.host", Data(InboundFixtures.message(subject: reply, body: "Two.").utf8))
        let run = try sandbox.run(["mail", "ingest", "--maildir", maildir.root.path, "--json"])
        // Then exit 0: both replies are on Jane's ticket, the stranger's message is quarantined
        // with why, and nothing of it was written (no user, no audit record)
        #expect(run.status == 0, "\(run)")
        let records = try messages(run)
        #expect(records.compactMap { $0["outcome"] as? String } == ["replied", "quarantined", "replied"], "\(records)")
        #expect((records[1]["reason"] as? String)?.contains("no ticket numbers are left") == true, "\(records)")
        let replies = try #require(try sandbox.ticket(Sandbox.number(1))["responses"] as? [[String: Any]])
        #expect(replies.compactMap { $0["message"] as? String } == ["One.", "Two."])
        #expect(try sandbox.deskCount("SELECT count(*) FROM \(sandbox.userTable) WHERE email = 'bo@other.example'") == 0)
        #expect(try sandbox.deskCount("SELECT count(*) FROM ticket") == 1)
        #expect(try maildir.names(maildir.new).isEmpty)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 shell"), arguments: Engine.available)
    func aMessageTheRulesRefuseOnStandardInputIsQuarantinedWithExitZero(engine: Engine) throws {
        // Given a desk whose ticket numbers for the year are used up
        let sandbox = try Self.deskWithTicketNumbersUsedUp(engine)
        // When an MTA pipes a stranger's new message in
        let message = Data(InboundFixtures.message(from: "Bo <bo@other.example>", subject: "New one", id: "bo1@other.example").utf8)
        let run = try sandbox.run(["mail", "ingest", "--json"], stdin: message)
        // Then exit 0 (65 would make the MTA bounce it), the message is quarantined with why and
        // kept whole, and nothing else of it was written
        #expect(run.status == 0, "\(run)")
        let record = try #require(try messages(run).first)
        #expect(record["outcome"] as? String == "quarantined", "\(record)")
        #expect((record["reason"] as? String)?.contains("no ticket numbers are left") == true, "\(record)")
        #expect(try sandbox.deskCount("SELECT count(*) FROM \(sandbox.userTable) WHERE email = 'bo@other.example'") == 0)
        #expect(try sandbox.deskCount("SELECT count(*) FROM ticket") == 1)
        #expect(try sandbox.deskCount("SELECT count(*) FROM inbound_mail WHERE outcome = 'quarantined' AND length(raw) > 0") == 1)
    }

    @Test(arguments: Engine.available) func theSameMessageTwiceInOneBatchIsIngestedOnceAndRateLimitsCountInsideIt(engine: Engine) throws {
        // Given auto-responses on, at most two an hour to one address
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail(autoResponse: true, extra: [("mail_auto_responses_per_hour", "2")])
        // And a Maildir (and the same as an mbox) with one message twice (an MTA's retry) and
        // three more new tickets from the same sender
        let maildir = try Maildir(in: sandbox)
        let twice = InboundFixtures.message(subject: "twice", id: "same@cust.example")
        var mbox = ""
        for (index, text) in [twice, twice].enumerated() {
            try maildir.put("\(index).x.host", Data(text.utf8))
        }
        for index in 2..<5 {
            let text = InboundFixtures.message(subject: "more \(index)", id: "more-\(index)@cust.example")
            try maildir.put("\(index).x.host", Data(text.utf8))
        }
        for name in try maildir.names(maildir.new) {
            mbox += "From jane@cust.example  Sat Dec  5 08:54:08 2026\n"
                + (try String(contentsOf: maildir.new.appendingPathComponent(name), encoding: .utf8)) + "\n"
        }
        // When it is ingested
        let run = try sandbox.run(["mail", "ingest", "--maildir", maildir.root.path, "--json"])
        // Then the second copy is a duplicate of the first, and four tickets were opened
        #expect(run.status == 0, "\(run)")
        let records = try messages(run)
        #expect(records.compactMap { $0["outcome"] as? String } == ["created", "duplicate", "created", "created", "created"])
        #expect(records[1]["reason"] as? String == "already ingested as #\(records[0]["id"] as? Int ?? -1)")
        #expect(try ticketTotal(sandbox) == 4)
        // And only two auto-responses went to Jane in the hour: the limit counted the batch's own
        let responses = try sandbox.outbox().filter { $0["kind"] as? String == "auto-response" }
        #expect(responses.count == 2, "\(responses)")
        #expect(responses.allSatisfy { $0["recipient"] as? String == "jane@cust.example" })

        // When the same messages come again as an mbox
        let file = sandbox.directory.appendingPathComponent("inbox.mbox")
        try Data(mbox.utf8).write(to: file)
        let again = try sandbox.run(["mail", "ingest", "--mbox", file.path, "--json"])
        // Then every one is a duplicate and nothing else changed
        #expect(again.status == 0, "\(again)")
        #expect(try messages(again).compactMap { $0["outcome"] as? String } == Array(repeating: "duplicate", count: 5))
        #expect(try ticketTotal(sandbox) == 4)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 shell to hold a lock"), arguments: Engine.available)
    func aLockedDatabaseExits75AndLeavesTheBatchInNew(engine: Engine) throws {
        // Given a Maildir of three messages, and a database whose write lock the sqlite3 shell holds
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        let maildir = try Maildir(in: sandbox)
        for index in 0..<3 {
            try maildir.put("\(index).x.host", Data(InboundFixtures.message(subject: "locked \(index)").utf8))
        }
        let holder = try sandbox.holdWriteLock(seconds: 3)
        // When the Maildir is ingested during the lock
        let during = try sandbox.run(["mail", "ingest", "--maildir", maildir.root.path], environment: ["SUPPORT_BUSY_TIMEOUT": "0.2"])
        // Then it exits 75, and every message is still in new/, none recorded
        #expect(during.status == 75, "\(during)")
        #expect(try holder.wait().status == 0)
        #expect(try maildir.names(maildir.new).count == 3)
        #expect(try maildir.names(maildir.cur).isEmpty)
        #expect(try messages(sandbox.succeed(["mail", "list", "--json"])).isEmpty)
        // And the run after the lock ingests each once
        let after = try sandbox.run(["mail", "ingest", "--maildir", maildir.root.path, "--json"])
        #expect(after.status == 0, "\(after)")
        #expect(try messages(after).compactMap { $0["outcome"] as? String } == ["created", "created", "created"])
        #expect(try maildir.names(maildir.new).isEmpty)
    }
}
