import Foundation
import Testing

/// `ticket export` and `ticket import` through the real binary: the byte-exact round trip, what a
/// requester may export, per-line errors, no half-imported tickets, no mail, and ticket numbers.
@Suite("ticket export and import")
struct ExportImportTests {
    static let jane = "jane@example.test"
    static let sam = "sam@example.test"

    /// A database built the ordinary way (commands, real clock) plus imported history from other years.
    static func populated(_ engine: Engine) throws -> Sandbox {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", sam, "--name", "Sam Staff", "--role", "internal"])
        try sandbox.succeed(["user", "add", "ada@example.test", "--name", "Ada Admin", "--role", "admin"])
        try sandbox.importTickets([
            ImportLine(number: "ST-2023-117", subject: "Old import «ünïcode» \"quoted\" \\ back/slash", message: "Line one\nLine two\ttab 💥",
                       category: "general-inquiry", priority: "low", status: "closed", requester: .requester("legacy@example.test"),
                       assignee: .staff(sam),
                       replies: [ImportedReply(message: "Done.", by: .staff(sam), createdAt: ImportLine.date("2023-06-01T12:00:00.123Z")),
                                 ImportedReply(message: "Note to self", by: .staff(sam), isInternal: true,
                                               createdAt: ImportLine.date("2023-06-01T12:00:00.123Z"))],
                       createdAt: ImportLine.date("2023-06-01T09:30:00.5Z"), updatedAt: ImportLine.date("2023-06-02T10:00:00Z"),
                       resolvedAt: ImportLine.date("2023-06-01T13:00:00Z"), closedAt: ImportLine.date("2023-06-02T10:00:00Z")),
        ])
        let first = try sandbox.createTicket(subject: "Cannot log in", message: "Since Monday.", category: "account-issue",
                                             extra: ["--requester", jane, "--name", "Jane Roe", "--priority", "high"])
        let number = try #require(first["ticketNumber"] as? String)
        try sandbox.succeed(["respond", number, "--message", "Try a reset.", "--no-notify"], as: sam)
        try sandbox.succeed(["respond", number, "--message", "Jane is on the VIP list.", "--internal"], as: sam)
        try sandbox.succeed(["respond", number, "--message", "Reset worked, thanks."], as: jane)
        try sandbox.succeed(["ticket", "update", number, "--assign", sam, "--status", "resolved"], as: sam)
        try sandbox.createTicket(subject: "Feature: dark mode", category: "feature-request", extra: ["--requester", "omar@example.test"])
        let third = try sandbox.createTicket(subject: "Printer", extra: ["--requester", jane])
        try sandbox.succeed(["ticket", "update", try #require(third["ticketNumber"] as? String), "--status", "closed"])
        let gone = try sandbox.createTicket(subject: "To be deleted", extra: ["--requester", jane])
        try sandbox.succeed(["ticket", "delete", try #require(gone["ticketNumber"] as? String), "--yes"])
        return sandbox
    }

    @Test(arguments: Engine.available) func exportImportExportIsByteIdentical(engine: Engine) throws {
        // Given a database with replies, notes, assignments, closed and deleted tickets, and odd text
        let source = try Self.populated(engine)
        let first = try source.export()
        #expect(first.lines.count == 4)
        // When its export is imported into an empty database and exported again
        let target = try Sandbox(engine: engine)
        let imported = try target.succeed(["ticket", "import", "--json"], stdin: first.bytes)
        let second = try target.export()
        // Then the second export is byte for byte the first
        #expect(try imported.json()["imported"] as? Int == 4)
        #expect(second.bytes == first.bytes, "\(second.lines.count) lines\n\(source.directory.path)")
        if second.bytes != first.bytes {
            for (a, b) in zip(first.out.split(separator: "\n"), second.out.split(separator: "\n")) where a != b {
                Issue.record("first difference:\n\(a)\n\(b)")
                break
            }
        }
        // And the people came across with their names and roles
        let users = try target.succeed(["user", "list", "--json"]).out
        #expect(users.contains("Jane Roe") && users.contains("Sam Staff"))
        let sam = try target.succeed(["ticket", "list", "--assignee", Self.sam, "--status", "all", "--json"])
        #expect((try sam.json()["pagination"] as? [String: Int])?["total"] == 2)
    }

    @Test(arguments: Engine.available) func exportIsOneTicketPerLineInTheJSONShapeOldestFirst(engine: Engine) throws {
        // Given the populated database
        let sandbox = try Self.populated(engine)
        // When everything is exported
        let export = try sandbox.export()
        // Then each line is a ticket in the --json shape, with replies and internal notes (staff), in creation order
        #expect(export.bytes.last == UInt8(ascii: "\n"))
        #expect(!export.out.contains("\n\n"))
        let numbers = export.lines.compactMap { $0["ticketNumber"] as? String }
        #expect(numbers == ["ST-2023-117", Sandbox.number(1), Sandbox.number(2), Sandbox.number(3)])
        for line in export.lines {
            #expect(Set(line.keys) == ["ticketNumber", "subject", "message", "category", "priority", "status", "submittedBy",
                                       "assignedTo", "responses", "attachments", "createdAt", "updatedAt", "resolvedAt", "closedAt"])
        }
        let shown = try sandbox.ticket(Sandbox.number(1))
        #expect(NSDictionary(dictionary: shown).isEqual(to: export.lines[1]), "export line = ticket show --json")
        #expect((export.lines[1]["responses"] as? [[String: Any]])?.map { $0["isInternal"] as? Bool } == [false, true, false])
        // And filters apply to export as to list
        let closed = try sandbox.export(["--status", "closed"])
        #expect(closed.lines.compactMap { $0["ticketNumber"] as? String } == ["ST-2023-117", Sandbox.number(3)])
    }

    @Test(arguments: Engine.available) func aRequesterExportsOnlyTheirOwnTicketsWithoutNotes(engine: Engine) throws {
        // Given the populated database (Jane has two tickets, one with an internal note)
        let sandbox = try Self.populated(engine)
        // When Jane exports, even naming someone else
        let export = try sandbox.export(as: Self.jane)
        let others = try sandbox.export(["--requester", "omar@example.test"], as: Self.jane)
        // Then she gets her own tickets only, without internal notes
        #expect(export.lines.compactMap { $0["ticketNumber"] as? String } == [Sandbox.number(1), Sandbox.number(3)])
        for line in export.lines {
            #expect((line["submittedBy"] as? [String: Any])?["email"] as? String == Self.jane)
            #expect((line["responses"] as? [[String: Any]])?.allSatisfy { $0["isInternal"] as? Bool == false } == true)
        }
        #expect((export.lines.first?["responses"] as? [Any])?.count == 2)
        #expect(!export.out.contains("VIP"))
        #expect(others.lines.isEmpty)
    }

    @Test(arguments: Engine.available) func onlyAnAdminImports(engine: Engine) throws {
        // Given staff and a requester
        let sandbox = try Self.populated(engine)
        let line = Data((ImportLine(subject: "x", createdAt: Date()).json + "\n").utf8)
        // When they try to import
        let staff = try sandbox.run(["ticket", "import", "--json"], as: Self.sam, stdin: line)
        let requester = try sandbox.run(["ticket", "import", "--json"], as: Self.jane, stdin: line)
        // Then both are refused (77) and nothing is added
        #expect(staff.status == 77 && requester.status == 77, "\(staff)\n\(requester)")
        #expect(try sandbox.list([]).pagination["total"] == 4)
    }

    @Test(arguments: Engine.available) func badLinesAreReportedWithTheirNumbersAndTheRestImported(engine: Engine) throws {
        // Given an existing ticket ST-2024-001 and a file mixing good lines with every kind of bad one
        let sandbox = try Sandbox(engine: engine)
        try sandbox.importTickets([ImportLine(number: "ST-2024-001", subject: "Existing", createdAt: ImportLine.date("2024-01-01T00:00:00Z"))])
        let good = { (n: String) in ImportLine(number: n, subject: "Good \(n)", createdAt: ImportLine.date("2024-02-01T00:00:00Z")).json }
        let lines = [
            good("ST-2024-010"),                                                                 // 1 ok
            "{\"subject\": \"unterminated",                                                      // 2 bad JSON
            "[1, 2, 3]",                                                                         // 3 not an object
            #"{"message":"m","category":"bug-report","submittedBy":{"email":"a@example.test"}}"#, // 4 no subject
            #"{"subject":"s","message":"m","category":"bug-report"}"#,                           // 5 no submittedBy
            #"{"subject":"s","message":"m","category":"hardware","submittedBy":{"email":"a@example.test"}}"#, // 6 bad category
            #"{"subject":"s","message":"m","category":"bug-report","priority":"urgent","submittedBy":{"email":"a@example.test"}}"#, // 7
            #"{"subject":"s","message":"m","category":"bug-report","status":"pending","submittedBy":{"email":"a@example.test"}}"#, // 8
            #"{"subject":"s","message":"m","category":"bug-report","submittedBy":{"email":"a@example.test"},"createdAt":"yesterday"}"#, // 9
            good("ST-2024-001"),                                                                 // 10 exists already
            "",                                                                                  // 11 blank: skipped
            good("ST-2024-011"),                                                                 // 12 ok
            good("ST-2024-011"),                                                                 // 13 twice in one file
            #"{"ticketNumber":"ST-24-1","subject":"s","message":"m","category":"bug-report","submittedBy":{"email":"a@example.test"}}"#, // 14
            #"{"subject":"s","message":"m","category":"bug-report","submittedBy":{"email":"not an address"}}"#, // 15
            #"{"subject":"","message":"m","category":"bug-report","submittedBy":{"email":"a@example.test"}}"#, // 16 empty subject
            #"{"subject":"s","message":"m","category":"bug-report","submittedBy":{"email":"a@example.test","role":"boss"}}"#, // 17
            #"{"subject":42,"message":"m","category":"bug-report","submittedBy":{"email":"a@example.test"}}"#, // 18 wrong type
            good("ST-2024-012"),                                                                 // 19 ok
        ]
        // When the file is imported
        let result = try sandbox.run(["ticket", "import", "--json"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        // Then the good lines are imported, and the exit status (65) says some were refused
        #expect(result.status == 65, "\(result)")
        let summary = try result.json()
        #expect(summary["imported"] as? Int == 3)
        let errors = try #require(summary["errors"] as? [[String: Any]])
        let refused = errors.compactMap { $0["line"] as? Int }
        #expect(refused == [2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18], "\(errors)")
        // And each error says what is wrong with that line
        let message = Dictionary(errors.map { ($0["line"] as? Int ?? 0, $0["error"] as? String ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(message[4]?.contains("subject") == true)
        #expect(message[5]?.contains("submittedBy") == true)
        #expect(message[6]?.contains("category") == true)
        #expect(message[7]?.contains("priority") == true)
        #expect(message[8]?.contains("status") == true)
        #expect(message[9]?.contains("createdAt") == true)
        #expect(message[10]?.contains("ST-2024-001") == true && message[10]?.contains("exists") == true)
        #expect(message[13]?.contains("ST-2024-011") == true)
        #expect(message[18]?.contains("subject") == true)
        for text in message.values {
            #expect(!text.contains("SQL") && !text.contains("sqlite") && !text.contains("Swift."), "\(text)")
        }
        // And with --json stderr carries them only as one APIError (issue 15), never as text lines
        let stderrError = try JSONSerialization.jsonObject(with: Data(result.err.utf8)) as? [String: Any]
        #expect(stderrError?["code"] as? String == "INVALID_INPUT")
        let stderrLines = ((stderrError?["details"] as? [String: Any])?["lines"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
        #expect(stderrLines == refused)
        for line in refused { #expect(!result.err.contains("line \(line): "), "line \(line)") }
        // And exactly the good tickets are there
        let numbers = try sandbox.list(["--reverse"]).numbers
        #expect(numbers == ["ST-2024-001", "ST-2024-010", "ST-2024-011", "ST-2024-012"])
        #expect(try sandbox.ticket("ST-2024-001")["subject"] as? String == "Existing")
    }

    @Test(arguments: Engine.available) func aTicketIsNeverHalfImported(engine: Engine) throws {
        // Given a line whose second reply is by someone with a bad address, and one whose reply has no text
        let sandbox = try Sandbox(engine: engine)
        let at = ImportLine.date("2024-03-01T10:00:00Z")
        let badAuthor = ImportLine(number: "ST-2024-020", subject: "Half", requester: .requester("newcomer@example.test"),
                                   replies: [ImportedReply(message: "First", by: .staff("helper@example.test"), createdAt: at),
                                             ImportedReply(message: "Second", by: .requester("not an address"), createdAt: at)],
                                   createdAt: at)
        let emptyReply = ImportLine(number: "ST-2024-021", subject: "Empty reply", requester: .requester("other@example.test"),
                                    replies: [ImportedReply(message: "  \n ", by: .staff("helper@example.test"), createdAt: at)],
                                    createdAt: at)
        let fine = ImportLine(number: "ST-2024-022", subject: "Fine", createdAt: at)
        // When the file is imported
        let text = [badAuthor.json, emptyReply.json, fine.json].joined(separator: "\n")
        let result = try sandbox.run(["ticket", "import", "--json"], stdin: Data(text.utf8))
        // Then the two lines are refused whole: no ticket, no reply, nobody they name was created
        #expect(result.status == 65, "\(result)")
        #expect((try result.json()["errors"] as? [[String: Any]])?.compactMap { $0["line"] as? Int } == [1, 2])
        #expect(try sandbox.list([]).numbers == ["ST-2024-022"])
        #expect(try sandbox.run(["ticket", "show", "ST-2024-020"]).status == 66)
        let users = try sandbox.succeed(["user", "list", "--json"]).out
        #expect(!users.contains("newcomer@") && !users.contains("helper@") && !users.contains("other@"), "\(users)")
        #expect(try sandbox.list(["--search", "first"]).numbers == [], "no reply text reached the search index")
    }

    @Test(arguments: Engine.available) func importSendsNoMail(engine: Engine) throws {
        // Given a support address and auto-responses, so that creating a ticket would mail twice
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_email", "help@example.test"])
        try sandbox.succeed(["settings", "set", "support_auto_response", "true"])
        // When tickets with public replies by staff are imported
        let at = ImportLine.date("2024-04-01T10:00:00Z")
        try sandbox.importTickets((1...3).map { n in
            ImportLine(subject: "Imported \(n)", requester: .requester("r\(n)@example.test"),
                       replies: [ImportedReply(message: "Answer", by: .staff(Self.sam), createdAt: at)], createdAt: at)
        })
        // Then the outbox stays empty
        let outbox = try sandbox.succeed(["notify", "list", "--json"])
        #expect((try outbox.json()["messages"] as? [Any])?.isEmpty == true, "\(outbox)")
        // While an ordinary creation does queue its mail (so the settings were live)
        try sandbox.createTicket(extra: ["--requester", "r9@example.test"])
        let after = try sandbox.succeed(["notify", "list", "--json"])
        #expect((try after.json()["messages"] as? [Any])?.count == 2, "\(after)")
    }

    @Test(arguments: Engine.available) func givenNumbersAreKeptAndNewTicketsContinueAfterTheHighest(engine: Engine) throws {
        // Given an empty database
        let sandbox = try Sandbox(engine: engine)
        let year = Sandbox.year
        let at = Date()
        // When tickets of this year are imported out of order, with a gap, and one without a number
        try sandbox.importTickets([
            ImportLine(number: "ST-\(year)-041", subject: "Forty-one", createdAt: at),
            ImportLine(number: "st-\(year)-7", subject: "Seven", createdAt: at),
            ImportLine(subject: "Unnumbered", createdAt: at),
            ImportLine(number: "ST-2019-900", subject: "Another year", createdAt: ImportLine.date("2019-12-31T23:00:00Z")),
        ])
        // Then the given numbers are kept (normalised), the unnumbered one continues after the highest
        #expect(try sandbox.ticket("ST-\(year)-041")["subject"] as? String == "Forty-one")
        #expect(try sandbox.ticket("ST-\(year)-007")["subject"] as? String == "Seven")
        #expect(try sandbox.ticket("ST-\(year)-042")["subject"] as? String == "Unnumbered")
        #expect(try sandbox.ticket("ST-2019-900")["subject"] as? String == "Another year")
        // And the next ticket created continues after the highest number of this year
        let created = try sandbox.createTicket()
        #expect(created["ticketNumber"] as? String == Sandbox.number(43))
        // And a later import of a lower number does not move the sequence back
        try sandbox.importTickets([ImportLine(number: "ST-\(year)-010", subject: "Ten", createdAt: at)])
        #expect(try sandbox.createTicket()["ticketNumber"] as? String == Sandbox.number(44))
    }

    @Test(arguments: Engine.available) func aGivenNumberLaterInTheFileIsNotTakenByAnUnnumberedTicket(engine: Engine) throws {
        // Given an empty database and a file whose first ticket has no number and whose second is ST-<year>-001
        let sandbox = try Sandbox(engine: engine)
        let year = Sandbox.year
        // When it is imported
        try sandbox.importTickets([
            ImportLine(subject: "Unnumbered", createdAt: Date()),
            ImportLine(number: "ST-\(year)-001", subject: "Numbered one", createdAt: Date()),
        ])
        // Then both are imported: the given number is kept and the other gets the next free one
        #expect(try sandbox.ticket("ST-\(year)-001")["subject"] as? String == "Numbered one")
        #expect(try sandbox.ticket("ST-\(year)-002")["subject"] as? String == "Unnumbered")
    }

    @Test(arguments: Engine.available) func importReadsAFileAndKeepsTimestamps(engine: Engine) throws {
        // Given an NDJSON file with explicit times
        let sandbox = try Sandbox(engine: engine)
        let line = ImportLine(number: "ST-2022-005", subject: "Kept times", status: "resolved",
                              createdAt: ImportLine.date("2022-02-02T02:02:02Z"), updatedAt: ImportLine.date("2022-02-03T03:03:03Z"),
                              resolvedAt: ImportLine.date("2022-02-03T03:03:03Z"))
        let path = sandbox.directory.appendingPathComponent("in.ndjson")
        try Data((line.json + "\n").utf8).write(to: path)
        // When it is imported with --file, and a missing file is named
        let result = try sandbox.succeed(["ticket", "import", "--file", path.path])
        let missing = try sandbox.run(["ticket", "import", "--file", sandbox.directory.appendingPathComponent("nope").path])
        // Then the times are kept to the second, and a missing file is "not found"
        #expect(result.out == "Imported 1 ticket.\n")
        let ticket = try sandbox.ticket("ST-2022-005")
        #expect(ticket["createdAt"] as? String == "2022-02-02T02:02:02.000Z")
        #expect(ticket["updatedAt"] as? String == "2022-02-03T03:03:03.000Z")
        #expect(ticket["resolvedAt"] as? String == "2022-02-03T03:03:03.000Z")
        #expect(ticket["status"] as? String == "Resolved")
        #expect(missing.status == 66, "\(missing)")
    }
}
