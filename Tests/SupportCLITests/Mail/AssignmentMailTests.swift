import Foundation
import Testing

/// `--assign me`, and the mail a staff member gets when someone else assigns them a ticket
/// (issue 15), read back with Python's `email`.
@Suite("assignment and its mail")
struct AssignmentMailTests {
    static let sam = "sam@example.test"
    static let ana = "ana@example.test"

    static func staffDesk(_ engine: Engine) throws -> Sandbox {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail()
        try sandbox.succeed(["user", "add", sam, "--name", "Sam Agent", "--role", "internal"])
        try sandbox.succeed(["user", "add", ana, "--name", "Ana Admin", "--role", "admin"])
        return sandbox
    }

    func assignments(_ sandbox: Sandbox) throws -> [[String: Any]] {
        try sandbox.outbox().filter { $0["kind"] as? String == "assignment" }
    }

    @Test(arguments: Engine.available) func theAssigneeIsMailedWhenSomeoneElseAssignsThem(engine: Engine) throws {
        // Given mail on, two staff members and a ticket Ana opens for Jane, assigned to Sam at once
        let sandbox = try Self.staffDesk(engine)
        let created = try sandbox.createTicket(extra: ["--requester", "jane@example.test", "--name", "Jane Doe", "--assign", Self.sam], as: Self.ana)
        let number = try #require(created["ticketNumber"] as? String)
        #expect((created["assignedTo"] as? [String: Any])?["email"] as? String == Self.sam)
        // When the outbox is flushed through a mail program that keeps what it gets
        let out = try sandbox.makeDirectory("sent")
        let flush = try sandbox.flush("\(MailTools.fakeSendmail) --out \(out.path)")
        #expect(flush.status == 0, "\(flush)")
        // Then Sam got one message, which Python's email reads without defects: to him, about
        // the ticket, saying who assigned it, answering to the requester, marked automatic
        let received = try MailTools.received([out], in: sandbox).filter { $0.rcptTos == [Self.sam] }
        try #require(received.count == 1, "\(received)")
        let mail = received[0]
        #expect(mail.defects == [], "\(mail)")
        #expect(mail.subject == "[\(number)] Assigned to you: Printer on fire")
        #expect(mail.to == [.init(name: "Sam Agent", email: Self.sam)])
        #expect(mail.replyTo == [.init(name: "Jane Doe", email: "jane@example.test")])
        #expect(mail.autoSubmitted == "auto-generated")
        let body = try #require(mail.body)
        #expect(body.contains("Ticket \(number) was assigned to you by \(Self.ana)."), "\(body)")
        #expect(body.contains("It smells of toner.") && body.contains("support ticket show \(number)"), "\(body)")
        // And the history shows the assignment with the opening
        let history = try #require(try sandbox.succeed(["ticket", "history", number, "--json"]).json()["history"] as? [[String: Any]])
        #expect(history.map { $0["action"] as? String } == ["ticket.created", "ticket.changed"])
        #expect(history.last?["newValue"] as? String == Self.sam)
    }

    @Test(arguments: Engine.available) func assignMeTakesTheTicketWithoutMailingOneself(engine: Engine) throws {
        // Given mail on and two unassigned tickets
        let sandbox = try Self.staffDesk(engine)
        let first = try #require(try sandbox.createTicket(extra: ["--requester", "jane@example.test"], as: Self.ana)["ticketNumber"] as? String)
        let second = try #require(try sandbox.createTicket(extra: ["--requester", "jane@example.test"], as: Self.ana)["ticketNumber"] as? String)
        // When Sam takes the first with --assign me (update) and opens a third with --assign me (create)
        let taken = try sandbox.succeed(["ticket", "update", first, "--assign", "me", "--json"], as: Self.sam).json()
        let third = try sandbox.createTicket(extra: ["--requester", "jane@example.test", "--assign", "ME"], as: Self.sam)
        // Then both are his, and nobody was mailed about an assignment
        #expect(((taken["ticket"] as? [String: Any])?["assignedTo"] as? [String: Any])?["email"] as? String == Self.sam)
        #expect((third["assignedTo"] as? [String: Any])?["email"] as? String == Self.sam)
        #expect(try assignments(sandbox).isEmpty)
        // When Ana gives him the second, then gives it to him again
        try sandbox.succeed(["ticket", "update", second, "--assign", Self.sam], as: Self.ana)
        let again = try sandbox.succeed(["ticket", "update", second, "--assign", Self.sam], as: Self.ana)
        // Then one notice is queued, for him (the second time changed nothing)
        #expect(again.out.hasPrefix("Nothing changed"), "\(again)")
        #expect(try assignments(sandbox).map { $0["recipient"] as? String } == [Self.sam])
        // And list --assignee me finds what --assign me gave him
        let mine = try sandbox.succeed(["ticket", "list", "--assignee", "me", "--ids"], as: Self.sam).out
        #expect(mine.split(separator: "\n").map(String.init).sorted() == [first, second, try #require(third["ticketNumber"] as? String)].sorted())
    }

    @Test(arguments: Engine.available) func theNoticeCanBeTurnedOffAndMeNeedsAPerson(engine: Engine) throws {
        // Given mail on, assignment notices turned off, and a ticket
        let sandbox = try Self.staffDesk(engine)
        let set = try sandbox.succeed(["settings", "set", "support_assignment_notice", "off", "--json"]).json()
        #expect(set["support_assignment_notice"] as? Bool == false)
        let number = try #require(try sandbox.createTicket(extra: ["--requester", "jane@example.test"], as: Self.ana)["ticketNumber"] as? String)
        // When Ana assigns it to Sam
        try sandbox.succeed(["ticket", "update", number, "--assign", Self.sam], as: Self.ana)
        // Then nothing is queued for him
        #expect(try assignments(sandbox).isEmpty)
        // And the local operator's placeholder (the login unmapped again: enableMail maps it to a
        // person) is nobody to assign to, nor a requester: refused (65), nothing changed
        try sandbox.succeed(["user", "update", Sandbox.deskAgent, "--no-login"])
        let before = try sandbox.storedState()
        let operatorMe = try sandbox.run(["ticket", "update", number, "--assign", "me"])
        #expect(operatorMe.status == 65 && operatorMe.err.contains("'me' needs a staff identity"), "\(operatorMe)")
        let requester = try sandbox.run(["ticket", "create", "--subject", "x", "--category", "bug-report", "--message", "y",
                                         "--assign", "jane@example.test"], as: Self.ana)
        #expect(requester.status == 65 && requester.err.contains("is a requester"), "\(requester)")
        #expect(try sandbox.run(["ticket", "create", "--subject", "x", "--category", "bug-report", "--message", "y",
                                 "--assign", Self.sam], as: "jane@example.test").status == 77)
        #expect(try sandbox.storedState() == before)
    }
}
