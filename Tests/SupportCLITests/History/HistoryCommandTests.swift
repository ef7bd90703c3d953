import Foundation
import Testing

/// `ticket history` through the real binary: one entry for each kind of change, with its actor,
/// old and new values; internal events hidden from the requester; kept after deletion.
/// (Settings and user changes are recorded too; `support audit` shows them: AuditCommandTests.)
@Suite("ticket history")
struct HistoryCommandTests {
    static let jane = "jane@example.test"
    static let sam = "sam@example.test"

    /// A summary of one entry: action, actor, field, old → new, internal.
    struct Entry: Equatable, CustomStringConvertible {
        var action: String
        var actor: String
        var field: String? = nil
        var old: String? = nil
        var new: String? = nil
        var isInternal = false

        var description: String {
            "\(action) by \(actor)\(field.map { " \($0)" } ?? ""): \(old ?? "nil") -> \(new ?? "nil")\(isInternal ? " (internal)" : "")"
        }
    }

    static func history(_ sandbox: Sandbox, _ number: String, as actor: String? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> (entries: [Entry], raw: [[String: Any]]) {
        let result = try sandbox.succeed(["ticket", "history", number, "--json"], as: actor, sourceLocation: sourceLocation)
        let raw = try #require(try result.json()["history"] as? [[String: Any]], sourceLocation: sourceLocation)
        let entries = raw.map { e in
            Entry(action: e["action"] as? String ?? "?", actor: (e["actor"] as? [String: Any])?["email"] as? String ?? "?",
                  field: e["field"] as? String, old: e["oldValue"] as? String, new: e["newValue"] as? String,
                  isInternal: e["isInternal"] as? Bool ?? false)
        }
        return (entries, raw)
    }

    /// Staff Sam, requester Jane, and Jane's ticket opened by the operator for her.
    static func setUp() throws -> (Sandbox, String) {
        let sandbox = try Sandbox()
        try sandbox.succeed(["user", "add", sam, "--name", "Sam", "--role", "internal"])
        let ticket = try sandbox.createTicket(subject: "Printer on fire", message: "It smells of toner.",
                                              extra: ["--requester", jane])
        return (sandbox, try #require(ticket["ticketNumber"] as? String))
    }

    @Test func everyKindOfChangeIsRecordedWithItsActorAndValues() throws {
        // Given Jane's ticket, opened by the operator
        let (sandbox, number) = try Self.setUp()
        let op = "operator@localhost"
        // When staff change every field, assign, reply, note, resolve; Jane replies (reopening); and it is unassigned
        try sandbox.succeed(["ticket", "update", number, "--subject", "Printer smoking", "--message", "Smoke now.",
                             "--category", "bug-report", "--priority", "critical"], as: Self.sam)
        try sandbox.succeed(["ticket", "update", number, "--assign", Self.sam])
        let reply = try sandbox.succeed(["respond", number, "--message", "On my way.", "--json"], as: Self.sam)
        let replyID = try #require((try reply.json()["response"] as? [String: Any])?["id"] as? Int)
        let note = try sandbox.succeed(["respond", number, "--message", "Toner recall?", "--internal", "--json"], as: Self.sam)
        let noteID = try #require((try note.json()["response"] as? [String: Any])?["id"] as? Int)
        try sandbox.succeed(["ticket", "update", number, "--status", "resolved"], as: Self.sam)
        try sandbox.succeed(["respond", number, "--message", "Still smoking!"], as: Self.jane)
        try sandbox.succeed(["ticket", "update", number, "--unassign", "--status", "in-progress"])
        // Then staff see one entry per change, oldest first, in the seed's spelling
        let (entries, raw) = try Self.history(sandbox, number, as: Self.sam)
        let expected: [Entry] = [
            Entry(action: "ticket.created", actor: op, new: "Printer on fire"),
            Entry(action: "ticket.changed", actor: Self.sam, field: "subject", old: "Printer on fire", new: "Printer smoking"),
            Entry(action: "ticket.changed", actor: Self.sam, field: "message", old: "It smells of toner.", new: "Smoke now."),
            Entry(action: "ticket.changed", actor: Self.sam, field: "category", old: "Technical Issue", new: "Bug Report"),
            Entry(action: "ticket.changed", actor: Self.sam, field: "priority", old: "Medium", new: "Critical"),
            Entry(action: "ticket.changed", actor: op, field: "assignedTo", old: nil, new: Self.sam),
            Entry(action: "ticket.replied", actor: Self.sam, new: String(replyID)),
            Entry(action: "ticket.noted", actor: Self.sam, new: String(noteID), isInternal: true),
            Entry(action: "ticket.changed", actor: Self.sam, field: "status", old: "Open", new: "Resolved"),
            Entry(action: "ticket.replied", actor: Self.jane, new: String(noteID + 1)),
            Entry(action: "ticket.changed", actor: Self.jane, field: "status", old: "Resolved", new: "Open"),
            Entry(action: "ticket.changed", actor: op, field: "status", old: "Open", new: "In Progress"),
            Entry(action: "ticket.changed", actor: op, field: "assignedTo", old: Self.sam, new: nil),
        ]
        #expect(entries == expected, "\(entries.map(\.description).joined(separator: "\n"))")
        // And each entry has an id that grows, a time in UTC, the ticket number and the actor as a person
        let ids = raw.compactMap { $0["id"] as? Int }
        #expect(ids == ids.sorted() && Set(ids).count == raw.count)
        for entry in raw {
            #expect(entry["ticketNumber"] as? String == number)
            #expect((entry["createdAt"] as? String)?.hasSuffix("Z") == true)
            #expect(Set(((entry["actor"] as? [String: Any]) ?? [:]).keys) == ["email", "name", "role"])
        }
        let times = raw.compactMap { $0["createdAt"] as? String }
        #expect(times == times.sorted(), "oldest first")
    }

    @Test func theRequesterSeesNoInternalEvents() throws {
        // Given Jane's ticket with a public reply and an internal note
        let (sandbox, number) = try Self.setUp()
        try sandbox.succeed(["respond", number, "--message", "Looking.", "--no-notify"], as: Self.sam)
        try sandbox.succeed(["respond", number, "--message", "Jane again; ignore.", "--internal"], as: Self.sam)
        // When Jane and staff read the history
        let janes = try Self.history(sandbox, number, as: Self.jane)
        let staff = try Self.history(sandbox, number, as: Self.sam)
        // Then Jane's has no internal entry, and no trace of one, while staff see it
        #expect(janes.entries.map(\.action) == ["ticket.created", "ticket.replied"])
        #expect(!janes.entries.contains { $0.isInternal })
        #expect(staff.entries.map(\.action) == ["ticket.created", "ticket.replied", "ticket.noted"])
        let text = try sandbox.succeed(["ticket", "history", number], as: Self.jane).out
        #expect(!text.contains("note") && !text.contains("internal"), "\(text)")
    }

    @Test func otherPeopleAndMissingTicketsAreNotFound() throws {
        // Given Jane's ticket and another requester
        let (sandbox, number) = try Self.setUp()
        try sandbox.createTicket(extra: ["--requester", "omar@example.test"])
        // When Omar asks for Jane's history, and staff for a ticket that never existed
        let omar = try sandbox.run(["ticket", "history", number, "--json"], as: "omar@example.test")
        let missing = try sandbox.run(["ticket", "history", "ST-1999-001", "--json"])
        let garbage = try sandbox.run(["ticket", "history", "'; DROP TABLE audit_event; --", "--json"])
        // Then both are "not found" (66), and a malformed number is invalid input (65)
        #expect(omar.status == 66 && omar.out == "", "\(omar)")
        #expect(missing.status == 66 && missing.out == "", "\(missing)")
        #expect(garbage.status == 65, "\(garbage)")
        _ = try omar.apiError()
    }

    @Test func deletionIsRecordedAndTheHistoryKept() throws {
        // Given Jane's ticket with a reply
        let (sandbox, number) = try Self.setUp()
        try sandbox.succeed(["respond", number, "--message", "Looking.", "--no-notify"], as: Self.sam)
        // When an admin deletes it
        try sandbox.succeed(["ticket", "delete", number, "--yes"])
        // Then staff still read its whole history, ending with the deletion and who did it
        let (entries, _) = try Self.history(sandbox, number, as: Self.sam)
        #expect(entries.map(\.action) == ["ticket.created", "ticket.replied", "ticket.deleted"])
        #expect(entries.last == Entry(action: "ticket.deleted", actor: "operator@localhost", old: "Printer on fire"))
        // And the ticket itself is gone, and for Jane so is its history (she can no longer see the ticket)
        #expect(try sandbox.run(["ticket", "show", number]).status == 66)
        #expect(try sandbox.run(["ticket", "history", number], as: Self.jane).status == 66)
    }

    @Test func aRefusedChangeLeavesNoEntry() throws {
        // Given Jane's ticket
        let (sandbox, number) = try Self.setUp()
        let before = try Self.history(sandbox, number).entries
        // When changes are refused: a requester updating, an assignment to a requester, a bad category,
        // an update that changes nothing, and a staff member deleting
        #expect(try sandbox.run(["ticket", "update", number, "--priority", "high"], as: Self.jane).status == 77)
        #expect(try sandbox.run(["ticket", "update", number, "--assign", Self.jane]).status == 65)
        #expect(try sandbox.run(["ticket", "update", number, "--subject", "New", "--category", "nope"]).status == 65)
        #expect(try sandbox.run(["ticket", "delete", number, "--yes"], as: Self.sam).status == 77)
        try sandbox.succeed(["ticket", "update", number, "--priority", "medium"])
        // Then the history has not grown: the audit entry is written in the change's transaction or not at all
        #expect(try Self.history(sandbox, number).entries == before)
    }

    @Test(arguments: Engine.available) func importedTicketsSayTheyWereImported(engine: Engine) throws {
        // Given an imported ticket
        let sandbox = try Sandbox(engine: engine)
        try sandbox.importTickets([ImportLine(number: "ST-2024-007", subject: "From the old system",
                                              createdAt: ImportLine.date("2024-05-01T08:00:00Z"))])
        // When its history is read
        let (entries, _) = try Self.history(sandbox, "ST-2024-007")
        // Then it holds one creation entry marked as an import, by whoever imported it
        #expect(entries == [Entry(action: "ticket.created", actor: "operator@localhost", field: "import", new: "From the old system")])
    }

    @Test(arguments: [false, true])
    func importedTicketsKeepTheirRepliesAssignmentAndStatusWithTheirOwnTimes(intoNonEmpty: Bool) throws {
        // Given a database that is empty (the bulk path) or already has a ticket (batch by batch)
        let sandbox = try Sandbox()
        if intoNonEmpty { _ = try sandbox.createTicket(subject: "Already here") }
        // When a resolved, assigned ticket with a reply, a note and a requester's answer is imported
        let sam = ImportedPerson.staff(Self.sam, name: "Sam")
        try sandbox.importTickets([ImportLine(
            number: "ST-2024-007", subject: "From the old system", status: "resolved",
            requester: .requester(Self.jane), assignee: sam,
            replies: [ImportedReply(message: "Looking", by: sam, createdAt: ImportLine.date("2024-05-01T09:00:00Z")),
                      ImportedReply(message: "Hm", by: sam, isInternal: true, createdAt: ImportLine.date("2024-05-01T09:30:00Z")),
                      ImportedReply(message: "Thanks", by: .requester(Self.jane), createdAt: ImportLine.date("2024-05-02T10:00:00Z"))],
            createdAt: ImportLine.date("2024-05-01T08:00:00Z"), updatedAt: ImportLine.date("2024-05-03T08:00:00Z"),
            resolvedAt: ImportLine.date("2024-05-03T08:00:00Z"))])
        // Then its history tells what happened, in order, each reply by its author at its own time
        let op = "operator@localhost"
        let (entries, raw) = try Self.history(sandbox, "ST-2024-007")
        #expect(entries == [
            Entry(action: "ticket.created", actor: op, field: "import", new: "From the old system"),
            Entry(action: "ticket.changed", actor: op, field: "assignedTo", new: Self.sam),
            Entry(action: "ticket.replied", actor: Self.sam),
            Entry(action: "ticket.noted", actor: Self.sam, isInternal: true),
            Entry(action: "ticket.replied", actor: Self.jane),
            Entry(action: "ticket.changed", actor: op, field: "status", old: "Open", new: "Resolved"),
        ], "\(entries.map(\.description).joined(separator: "\n"))")
        #expect(raw.map { $0["createdAt"] as? String ?? "?" }.map { String($0.prefix(16)) } == [
            "2024-05-01T08:00", "2024-05-01T08:00", "2024-05-01T09:00", "2024-05-01T09:30", "2024-05-02T10:00", "2024-05-03T08:00",
        ])
        // And the requester sees the same without the internal note
        let (theirs, _) = try Self.history(sandbox, "ST-2024-007", as: Self.jane)
        #expect(theirs == entries.filter { !$0.isInternal })
        // And the terminal text says it was imported
        let text = try sandbox.succeed(["ticket", "history", "ST-2024-007"]).out
        #expect(text.contains("opened the ticket (imported)"), "\(text)")
        #expect(text.contains("changed assignee: nobody → \(Self.sam)") && !text.contains("assignedTo"), "\(text)")
    }
}
