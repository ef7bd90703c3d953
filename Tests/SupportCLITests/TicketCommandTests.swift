import Foundation
import Testing

/// `ticket create|list|show|update|delete` and `respond` through the real binary.
@Suite("ticket and respond commands")
struct TicketCommandTests {
    static let ticketKeys: Set<String> = [
        "ticketNumber", "subject", "message", "category", "priority", "status", "submittedBy", "assignedTo",
        "responses", "attachments", "createdAt", "updatedAt", "resolvedAt", "closedAt",
    ]
    static let personKeys: Set<String> = ["email", "name", "role"]
    static let responseKeys: Set<String> = ["id", "ticketNumber", "message", "respondedBy", "isInternal", "createdAt"]

    static func isISODate(_ value: Any?) -> Bool {
        guard let text = value as? String, text.hasSuffix("Z") else { return false }
        return (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) != nil
    }

    static func keys(_ value: Any?) -> Set<String> {
        Set((value as? [String: Any])?.keys.map { $0 } ?? [])
    }

    /// Asserts the seed's ticket shape: every key present, nulls as NSNull, people as objects.
    static func expectTicketShape(_ ticket: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(ticket.keys) == ticketKeys, sourceLocation: sourceLocation)
        #expect(keys(ticket["submittedBy"]) == personKeys, sourceLocation: sourceLocation)
        #expect(ticket["assignedTo"] is NSNull || keys(ticket["assignedTo"]) == personKeys, sourceLocation: sourceLocation)
        #expect(ticket["responses"] is [Any] && ticket["attachments"] is [Any], sourceLocation: sourceLocation)
        for response in ticket["responses"] as? [[String: Any]] ?? [] {
            #expect(Set(response.keys) == responseKeys, sourceLocation: sourceLocation)
            #expect(keys(response["respondedBy"]) == personKeys, sourceLocation: sourceLocation)
            #expect(isISODate(response["createdAt"]), sourceLocation: sourceLocation)
        }
        #expect(isISODate(ticket["createdAt"]) && isISODate(ticket["updatedAt"]), sourceLocation: sourceLocation)
        for key in ["resolvedAt", "closedAt"] {
            #expect(ticket[key] is NSNull || isISODate(ticket[key]), "\(key)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Engine.available) func createPrintsTheSeedShape(engine: Engine) throws {
        // Given an empty database
        let sandbox = try Sandbox(engine: engine)
        // When the operator opens a ticket for a new requester with --json
        let result = try sandbox.run([
            "ticket", "create", "--subject", "Cannot log in", "--category", "account-issue", "--message", "Since today.",
            "--requester", "Jane@Example.test", "--name", "Jane Roe", "--json",
        ])
        // Then stdout is {"ticket": {...}} with every key, nulls included, and stderr is empty
        #expect(result.status == 0, "\(result)")
        #expect(result.err == "")
        let root = try result.json()
        #expect(Array(root.keys) == ["ticket"])
        let ticket = try #require(root["ticket"] as? [String: Any])
        Self.expectTicketShape(ticket)
        #expect(ticket["ticketNumber"] as? String == Sandbox.number(1))
        #expect(ticket["subject"] as? String == "Cannot log in")
        #expect(ticket["message"] as? String == "Since today.")
        #expect(ticket["category"] as? String == "Account Issue")
        #expect(ticket["priority"] as? String == "Medium")
        #expect(ticket["status"] as? String == "Open")
        #expect(ticket["submittedBy"] as? [String: String] == ["email": "jane@example.test", "name": "Jane Roe", "role": "user"])
        #expect(ticket["assignedTo"] is NSNull && ticket["resolvedAt"] is NSNull && ticket["closedAt"] is NSNull)
        #expect((ticket["responses"] as? [Any])?.isEmpty == true && (ticket["attachments"] as? [Any])?.isEmpty == true)
        #expect(ticket["createdAt"] as? String == ticket["updatedAt"] as? String)
        // And the JSON keeps the seed's key order
        let order = Self.ticketKeys.sorted { result.out.range(of: "\"\($0)\"")!.lowerBound < result.out.range(of: "\"\($1)\"")!.lowerBound }
        #expect(order == ["ticketNumber", "subject", "message", "category", "priority", "status", "submittedBy", "assignedTo",
                          "responses", "attachments", "createdAt", "updatedAt", "resolvedAt", "closedAt"])
    }

    @Test(arguments: Engine.available) func createWithoutJSONSaysWhatItDid(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let result = try sandbox.run(["ticket", "create", "--subject", "Hi", "--category", "bug-report", "--message", "m"])
        #expect(result.status == 0)
        #expect(result.out == "Created \(Sandbox.number(1)).\n")
        #expect(result.err == "")
    }

    @Test(arguments: Engine.available) func numbersCountUpFromOne(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let numbers = try (1...3).map { _ in try sandbox.createTicket()["ticketNumber"] as? String }
        #expect(numbers == [Sandbox.number(1), Sandbox.number(2), Sandbox.number(3)])
        #expect(Sandbox.number(1) == "ST-\(Sandbox.year)-001")
    }

    @Test(arguments: Engine.available) func theMessageCanComeFromStdin(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let text = "First line\r\nSecond line ✓\n\tindented\n"
        let result = try sandbox.run(["ticket", "create", "--subject", "From stdin", "--category", "general-inquiry", "--message", "-", "--json"],
                                     stdin: Data(text.utf8))
        #expect(result.status == 0, "\(result)")
        let ticket = try #require(try result.json()["ticket"] as? [String: Any])
        #expect(ticket["message"] as? String == "First line\nSecond line ✓\n\tindented")
    }

    @Test(arguments: Engine.available) func withoutAMessageOrATerminalItExplains(engine: Engine) throws {
        // Given stdin that is not a terminal (so no $EDITOR) and no --message
        let sandbox = try Sandbox(engine: engine)
        let result = try sandbox.run(["ticket", "create", "--subject", "s", "--category", "bug-report"])
        // Then it is refused with a hint, and nothing is created
        #expect(result.status == 65)
        #expect(result.err.contains("--message"))
        #expect(result.out == "")
    }

    @Test(arguments: [
        ("technical-issue", "Technical Issue"), ("Technical Issue", "Technical Issue"), ("TECHNICAL_ISSUE", "Technical Issue"),
        ("account issue", "Account Issue"), ("Feature-Request", "Feature Request"), ("GENERAL_INQUIRY", "General Inquiry"),
        ("bug-report", "Bug Report"),
    ])
    func categoriesInEverySpelling(_ given: String, _ printed: String) throws {
        let sandbox = try Sandbox()
        let ticket = try sandbox.createTicket(category: given)
        #expect(ticket["category"] as? String == printed)
    }

    @Test(arguments: [("low", "Low"), ("MEDIUM", "Medium"), ("High", "High"), ("critical", "Critical")])
    func prioritiesInEverySpelling(_ given: String, _ printed: String) throws {
        let sandbox = try Sandbox()
        let ticket = try sandbox.createTicket(extra: ["--priority", given])
        #expect(ticket["priority"] as? String == printed)
    }

    // MARK: list

    @Test(arguments: Engine.available) func listIsNewestFirstAndPaginated(engine: Engine) throws {
        // Given three tickets
        let sandbox = try Sandbox(engine: engine)
        for subject in ["one", "two", "three"] { try sandbox.createTicket(subject: subject) }
        // When listed two per page
        let first = try sandbox.run(["ticket", "list", "--json", "--limit", "2"])
        let second = try sandbox.run(["ticket", "list", "--json", "--limit", "2", "--page", "2"])
        let beyond = try sandbox.run(["ticket", "list", "--json", "--limit", "2", "--page", "3"])
        // Then the shape is {"tickets": [...], "pagination": {...}} and pages split newest first
        for result in [first, second, beyond] { #expect(result.status == 0 && result.err == "", "\(result)") }
        let root = try first.json()
        #expect(Set(root.keys) == ["tickets", "pagination"])
        #expect(root["pagination"] as? [String: Int] == ["total": 3, "page": 1, "limit": 2, "pages": 2])
        let tickets = try #require(root["tickets"] as? [[String: Any]])
        tickets.forEach { Self.expectTicketShape($0) }
        #expect(tickets.map { $0["subject"] as? String } == ["three", "two"])
        #expect((try second.json()["tickets"] as? [[String: Any]])?.map { $0["subject"] as? String } == ["one"])
        #expect(try second.json()["pagination"] as? [String: Int] == ["total": 3, "page": 2, "limit": 2, "pages": 2])
        #expect((try beyond.json()["tickets"] as? [Any])?.isEmpty == true)
    }

    @Test(arguments: Engine.available) func listDefaultsToTwentyFive(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let root = try sandbox.succeed(["ticket", "list", "--json"]).json()
        #expect(root["pagination"] as? [String: Int] == ["total": 0, "page": 1, "limit": 25, "pages": 0])
        #expect((root["tickets"] as? [Any])?.isEmpty == true)
        // A pipe gets rows only, so none at all here (the terminal's "No tickets.": DailyUseTests)
        #expect(try sandbox.succeed(["ticket", "list"]).out == "")
    }

    @Test(arguments: Engine.available) func listFilters(engine: Engine) throws {
        // Given tickets differing in status, priority, category, requester and assignee
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal"])
        try sandbox.createTicket(subject: "a", category: "bug-report", extra: ["--requester", "jane@example.test", "--priority", "high"])
        try sandbox.createTicket(subject: "b", category: "feature-request", extra: ["--requester", "omar@example.test"])
        try sandbox.createTicket(subject: "c", category: "bug-report")
        try sandbox.succeed(["ticket", "update", Sandbox.number(1), "--status", "in-progress", "--assign", "sam@example.test"])
        func subjects(_ filter: [String]) throws -> [String] {
            let result = try sandbox.succeed(["ticket", "list", "--json"] + filter)
            return (try result.json()["tickets"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
        }
        // Then each filter narrows the list, several values of one filter match any
        #expect(try subjects(["--status", "IN_PROGRESS"]) == ["a"])
        #expect(try subjects(["--status", "open,In Progress"]) == ["c", "b", "a"])
        #expect(try subjects(["--status", "open", "--status", "resolved"]) == ["c", "b"])
        #expect(try subjects(["--priority", "high"]) == ["a"])
        #expect(try subjects(["--category", "Bug Report"]) == ["c", "a"])
        #expect(try subjects(["--requester", "OMAR@example.test"]) == ["b"])
        #expect(try subjects(["--assignee", "sam@example.test"]) == ["a"])
        #expect(try subjects(["--assignee", "none"]) == ["c", "b"])
        #expect(try subjects(["--assignee", "me"]) == [])
        #expect(try subjects(["--since", "1d"]) == ["c", "b", "a"])
        #expect(try subjects(["--until", "2000-01-01"]) == [])
        #expect(try subjects(["--sort", "priority"]).first == "a")
        #expect(try subjects(["--reverse"]) == ["a", "b", "c"])
        let sams = try sandbox.succeed(["ticket", "list", "--json", "--assignee", "me"], as: "sam@example.test").json()
        #expect((sams["tickets"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } == ["a"])
    }

    @Test(arguments: Engine.available) func searchFindsWordsAndNeverShowsRequestersInternalNotes(engine: Engine) throws {
        // Given Jane's ticket about a printer, with an internal note that mentions "zanzibar"
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(subject: "printer jams", extra: ["--requester", "jane@example.test"])
        try sandbox.createTicket(subject: "laptop")
        try sandbox.succeed(["respond", Sandbox.number(1), "--internal", "--message", "Supplier is in zanzibar."])
        func total(_ words: String, as actor: String? = nil) throws -> Int? {
            let result = try sandbox.succeed(["ticket", "list", "--json", "--search", words], as: actor)
            return (try result.json()["pagination"] as? [String: Int])?["total"]
        }
        // Then a search finds only matching tickets; FTS syntax in the text is harmless
        #expect(try total("zebra") == 0)
        #expect(try total("printer") == 1)
        #expect(try total("\"printer (") == 1)
        #expect(try total("*") == 0)
        // And staff find the note's words, while the requester does not
        #expect(try total("zanzibar") == 1)
        #expect(try total("zanzibar", as: "jane@example.test") == 0)
        #expect(try total("printer", as: "jane@example.test") == 1)
    }

    // MARK: show

    @Test(arguments: Engine.available) func showPrintsTheTicketAndItsConversation(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(subject: "Wi-Fi drops", message: "Every hour on the hour.")
        try sandbox.succeed(["respond", Sandbox.number(1), "--message", "Have you tried turning it off?"])
        let text = try sandbox.succeed(["ticket", "show", Sandbox.number(1).lowercased()])
        #expect(text.err == "")
        let lines = text.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(Sandbox.number(1))  [Open] [Medium]  Wi-Fi drops")
        #expect(lines.contains("    Every hour on the hour."))
        #expect(lines.contains { $0.hasPrefix("── reply by Local operator <operator@localhost>") })
        #expect(lines.contains("    Have you tried turning it off?"))
        let json = try sandbox.succeed(["ticket", "show", Sandbox.number(1), "--json"]).json()
        #expect(Array(json.keys) == ["ticket"])
        let ticket = try #require(json["ticket"] as? [String: Any])
        Self.expectTicketShape(ticket)
        let responses = try #require(ticket["responses"] as? [[String: Any]])
        #expect(responses.count == 1)
        #expect(responses[0]["isInternal"] as? Bool == false)
        #expect(responses[0]["respondedBy"] as? [String: String] == ["email": "operator@localhost", "name": "Local operator", "role": "admin"])
    }

    @Test(arguments: [
        ["ticket", "show", "N"], ["ticket", "delete", "N", "--yes"], ["ticket", "update", "N", "--priority", "low"],
        ["respond", "N", "--message", "hi"],
    ])
    func anUnknownTicketIsNotFound(_ command: [String]) throws {
        // Given one ticket
        let sandbox = try Sandbox()
        try sandbox.createTicket()
        // When a command names a number that was never used
        let result = try sandbox.run(command.map { $0 == "N" ? Sandbox.number(2) : $0 } + ["--json"])
        // Then it exits 66 with NOT_FOUND on stderr and nothing on stdout
        #expect(result.status == 66, "\(result)")
        #expect(result.out == "")
        let error = try result.apiError()
        #expect(error["code"] as? String == "NOT_FOUND")
        #expect(error["error"] as? String == "no ticket \(Sandbox.number(2))")
    }

    // MARK: update

    @Test(arguments: Engine.available) func updateChangesFieldsAndAssignee(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal", "--name", "Sam"])
        try sandbox.createTicket()
        let result = try sandbox.run([
            "ticket", "update", Sandbox.number(1), "--subject", "New subject", "--message", "New text", "--category", "Bug Report",
            "--priority", "CRITICAL", "--assign", "Sam@Example.test", "--json",
        ])
        #expect(result.status == 0, "\(result)")
        let ticket = try #require(try result.json()["ticket"] as? [String: Any])
        Self.expectTicketShape(ticket)
        #expect(ticket["subject"] as? String == "New subject")
        #expect(ticket["message"] as? String == "New text")
        #expect(ticket["category"] as? String == "Bug Report")
        #expect(ticket["priority"] as? String == "Critical")
        #expect(ticket["assignedTo"] as? [String: String] == ["email": "sam@example.test", "name": "Sam", "role": "internal"])
        #expect(try sandbox.succeed(["ticket", "update", Sandbox.number(1), "--unassign"]).out == "Updated \(Sandbox.number(1)).\n")
        #expect(try sandbox.ticket(Sandbox.number(1))["assignedTo"] is NSNull)
    }

    @Test(arguments: Engine.available) func updateRefusesConflictsAndEmptyChanges(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(extra: ["--requester", "jane@example.test"])
        let before = try sandbox.storedState()
        let both = try sandbox.run(["ticket", "update", Sandbox.number(1), "--assign", "a@b.test", "--unassign"])
        #expect(both.status == 64, "\(both)")
        let nothing = try sandbox.run(["ticket", "update", Sandbox.number(1), "--json"])
        #expect(nothing.status == 65)
        #expect(try nothing.apiError()["code"] as? String == "INVALID_INPUT")
        let toRequester = try sandbox.run(["ticket", "update", Sandbox.number(1), "--assign", "jane@example.test", "--priority", "low"])
        #expect(toRequester.status == 65)
        let toNobody = try sandbox.run(["ticket", "update", Sandbox.number(1), "--assign", "ghost@example.test"])
        #expect(toNobody.status == 66)
        #expect(try sandbox.storedState() == before)
    }

    @Test(arguments: Engine.available) func statusChangesSetAndClearMilestones(engine: Engine) throws {
        // Given an open ticket
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket()
        let number = Sandbox.number(1)
        func update(_ status: String) throws -> [String: Any] {
            let result = try sandbox.succeed(["ticket", "update", number, "--status", status, "--json"])
            return try #require(try result.json()["ticket"] as? [String: Any])
        }
        // When it is resolved, closed, reopened, put in progress, and closed directly
        let resolved = try update("resolved")
        let closed = try update("Closed")
        let reopened = try update("open")
        let inProgress = try update("In Progress")
        let closedDirectly = try update("CLOSED")
        // Then resolvedAt/closedAt follow: set on resolve/close, kept on close, cleared on reopening
        #expect(resolved["status"] as? String == "Resolved")
        #expect(Self.isISODate(resolved["resolvedAt"]) && resolved["closedAt"] is NSNull)
        #expect(closed["status"] as? String == "Closed")
        #expect(closed["resolvedAt"] as? String == resolved["resolvedAt"] as? String)
        #expect(Self.isISODate(closed["closedAt"]))
        #expect(reopened["status"] as? String == "Open" && reopened["resolvedAt"] is NSNull && reopened["closedAt"] is NSNull)
        #expect(inProgress["status"] as? String == "In Progress" && inProgress["resolvedAt"] is NSNull && inProgress["closedAt"] is NSNull)
        #expect(Self.isISODate(closedDirectly["resolvedAt"]) && Self.isISODate(closedDirectly["closedAt"]))
    }

    // MARK: respond

    @Test(arguments: Engine.available) func respondPrintsTheReply(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal"])
        try sandbox.createTicket()
        let reply = try sandbox.run(["respond", Sandbox.number(1), "--message", "Looking into it.", "--json"], as: "sam@example.test")
        #expect(reply.status == 0, "\(reply)")
        let root = try reply.json()
        #expect(Array(root.keys) == ["response"])
        let response = try #require(root["response"] as? [String: Any])
        #expect(Set(response.keys) == Self.responseKeys)
        #expect(response["message"] as? String == "Looking into it.")
        #expect(response["isInternal"] as? Bool == false)
        #expect((response["respondedBy"] as? [String: String])?["email"] == "sam@example.test")
        #expect(response["id"] is Int)
        let note = try sandbox.run(["respond", Sandbox.number(1), "--internal", "--message", "-", "--no-notify"],
                                   as: "sam@example.test", stdin: Data("Check the logs.\n".utf8))
        #expect(note.status == 0)
        #expect(note.out == "Internal note added to \(Sandbox.number(1)).\n")
        let responses = try #require(try sandbox.ticket(Sandbox.number(1))["responses"] as? [[String: Any]])
        #expect(responses.map { $0["message"] as? String } == ["Looking into it.", "Check the logs."])
        #expect(responses.map { $0["isInternal"] as? Bool } == [false, true])
    }

    @Test(arguments: Engine.available) func aRequesterReplyReopensAResolvedTicket(engine: Engine) throws {
        // Given Jane's ticket, resolved by staff
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(extra: ["--requester", "jane@example.test"])
        try sandbox.succeed(["ticket", "update", Sandbox.number(1), "--status", "resolved"])
        // When staff reply, it stays resolved
        try sandbox.succeed(["respond", Sandbox.number(1), "--message", "Glad it works."])
        #expect(try sandbox.ticket(Sandbox.number(1))["status"] as? String == "Resolved")
        // When Jane replies
        let reply = try sandbox.run(["respond", Sandbox.number(1), "--message", "It broke again."], as: "jane@example.test")
        // Then the ticket is open again with no milestones
        #expect(reply.status == 0, "\(reply)")
        #expect(reply.out == "Reply added to \(Sandbox.number(1)).\n")
        let ticket = try sandbox.ticket(Sandbox.number(1))
        #expect(ticket["status"] as? String == "Open")
        #expect(ticket["resolvedAt"] is NSNull && ticket["closedAt"] is NSNull)
    }

    // MARK: delete

    @Test(arguments: Engine.available) func deleteRemovesTheTicket(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(subject: "keep")
        try sandbox.createTicket(subject: "drop")
        let result = try sandbox.run(["ticket", "delete", Sandbox.number(2), "--yes", "--json"])
        #expect(result.status == 0, "\(result)")
        #expect(result.out == "{\n  \"success\": true\n}\n")
        #expect(try result.json()["success"] as? Bool == true)
        #expect(try sandbox.run(["ticket", "show", Sandbox.number(2)]).status == 66)
        let list = try sandbox.succeed(["ticket", "list", "--json"]).json()
        #expect((list["pagination"] as? [String: Int])?["total"] == 1)
        #expect(try sandbox.succeed(["ticket", "delete", Sandbox.number(1), "--yes"]).out == "Deleted \(Sandbox.number(1)).\n")
        // Numbers are not reused
        #expect(try sandbox.createTicket()["ticketNumber"] as? String == Sandbox.number(3))
    }
}
