import Foundation
import GRDB
import Testing
@testable import SupportCore

@Suite("HelpDesk: tickets")
struct HelpDeskTicketTests {
    @Test func aNewTicketHasTheSeedDefaults() throws {
        // Given a requester
        let fixture = try DeskFixture()
        // When they open a ticket without a priority
        let ticket = try fixture.desk(fixture.requester).createTicket(
            NewTicket(subject: "  Cannot log in ", message: "\nSince this morning.\r\n", category: .accountIssue))
        // Then it is theirs, open, medium, numbered, with trimmed text and no milestones
        #expect(ticket.ticketNumber.description == "ST-2026-001")
        #expect(ticket.subject == "Cannot log in")
        #expect(ticket.message == "Since this morning.")
        #expect(ticket.category == .accountIssue)
        #expect(ticket.priority == .medium)
        #expect(ticket.status == .open)
        #expect(ticket.submittedBy == fixture.requester.person)
        #expect(ticket.assignedTo == nil)
        #expect(ticket.responses.isEmpty && ticket.attachments.isEmpty)
        #expect(ticket.createdAt == fixedNow && ticket.updatedAt == fixedNow)
        #expect(ticket.resolvedAt == nil && ticket.closedAt == nil)
    }

    @Test func numbersAreSequential() throws {
        let fixture = try DeskFixture()
        let numbers = try [fixture.requester, fixture.staff, nil, fixture.otherRequester].map {
            try fixture.openTicket(by: $0).ticketNumber.description
        }
        #expect(numbers == ["ST-2026-001", "ST-2026-002", "ST-2026-003", "ST-2026-004"])
    }

    @Test func theOperatorsTicketsAreRecordedUnderTheOperatorAccount() throws {
        let fixture = try DeskFixture()
        let ticket = try fixture.openTicket(by: nil)
        #expect(ticket.submittedBy == Person(email: Actor.operatorEmail, name: Actor.operatorName, role: .admin))
        #expect(try fixture.database.user(email: Actor.operatorEmail)?.role == .admin)
    }

    @Test func staffOpenTicketsForNewRequestersWhoBecomeUsers() throws {
        // Given staff and an address nobody has used
        let fixture = try DeskFixture()
        // When staff open tickets for new people, with and without a name
        let named = try fixture.desk(fixture.staff).createTicket(NewTicket(
            subject: "Phone call", message: "Customer called.", category: .generalInquiry,
            requesterEmail: "New.Person@Example.TEST", requesterName: "New Person"))
        let unnamed = try fixture.desk(fixture.admin).createTicket(NewTicket(
            subject: "Mail", message: "Forwarded.", category: .generalInquiry, requesterEmail: "kim.lee@example.test"))
        // Then each requester exists as a `user`, with the given or a derived name
        #expect(named.submittedBy == Person(email: "new.person@example.test", name: "New Person", role: .user))
        #expect(unnamed.submittedBy == Person(email: "kim.lee@example.test", name: "kim.lee", role: .user))
        #expect(try fixture.database.user(email: "new.person@example.test")?.role == .user)
    }

    @Test func aRequesterOpensTicketsOnlyForThemself() throws {
        let fixture = try DeskFixture()
        let desk = fixture.desk(fixture.requester)
        let own = try desk.createTicket(NewTicket(subject: "Mine", message: "m", category: .bugReport, requesterEmail: "JANE@example.test"))
        #expect(own.submittedBy.email == fixture.requester.email)
        let error = failure {
            _ = try desk.createTicket(NewTicket(subject: "Theirs", message: "m", category: .bugReport, requesterEmail: fixture.otherRequester.email))
        }
        #expect(error?.exitCode == 77)
        #expect(try fixture.operatorDesk.listTickets(TicketQuery()).total == 1)
    }

    @Test func invalidInputChangesNothing() throws {
        // Given staff about to open a ticket for a new person
        let fixture = try DeskFixture()
        let desk = fixture.desk(fixture.staff)
        let usersBefore = try fixture.database.users()
        // When any one field is invalid
        let requests = [
            NewTicket(subject: " ", message: "m", category: .bugReport, requesterEmail: "new@example.test"),
            NewTicket(subject: String(repeating: "x", count: 201), message: "m", category: .bugReport, requesterEmail: "new@example.test"),
            NewTicket(subject: "s\u{1B}[2J", message: "m", category: .bugReport, requesterEmail: "new@example.test"),
            NewTicket(subject: "s", message: "\n \n", category: .bugReport, requesterEmail: "new@example.test"),
            NewTicket(subject: "s", message: "m\u{0}", category: .bugReport, requesterEmail: "new@example.test"),
            NewTicket(subject: "s", message: "m", category: .bugReport, requesterEmail: "new@@example.test"),
            NewTicket(subject: "s", message: "m", category: .bugReport, requesterEmail: "new@example.test", requesterName: "Line\nBreak"),
        ]
        for request in requests {
            #expect(failure { _ = try desk.createTicket(request) }?.exitCode == 65)
        }
        // Then no ticket, no user and no number was taken
        #expect(try fixture.operatorDesk.listTickets(TicketQuery()).total == 0)
        #expect(try fixture.database.users() == usersBefore)
        #expect(try fixture.openTicket(by: nil).ticketNumber.description == "ST-2026-001")
    }

    // MARK: Updates and milestones

    @Test func statusChangesSetAndClearMilestones() throws {
        // Given an open ticket and a clock that moves an hour between changes
        let clock = TestClock()
        let fixture = try DeskFixture(clock: clock)
        let number = try fixture.openTicket(by: fixture.requester).ticketNumber
        let desk = fixture.desk(fixture.staff)
        func set(_ status: TicketStatus) throws -> Ticket {
            clock.advance(by: 3600)
            return try desk.updateTicket(number, TicketChanges(status: status))
        }
        // When it goes in progress, resolved, closed, and back to open
        let inProgress = try set(.inProgress)
        let resolved = try set(.resolved)
        let closed = try set(.closed)
        let reopened = try set(.open)
        // Then resolvedAt and closedAt follow the status and reopening clears both
        #expect(inProgress.resolvedAt == nil && inProgress.closedAt == nil)
        #expect(resolved.resolvedAt == fixedNow.addingTimeInterval(7200) && resolved.closedAt == nil)
        #expect(closed.resolvedAt == resolved.resolvedAt)
        #expect(closed.closedAt == fixedNow.addingTimeInterval(10_800))
        #expect(reopened.status == .open && reopened.resolvedAt == nil && reopened.closedAt == nil)
        #expect(reopened.updatedAt == fixedNow.addingTimeInterval(14_400))
    }

    @Test func closingAnUnresolvedTicketSetsBothMilestones() throws {
        let fixture = try DeskFixture()
        let number = try fixture.openTicket(by: fixture.requester).ticketNumber
        let closed = try fixture.desk(fixture.staff).updateTicket(number, TicketChanges(status: .closed))
        #expect(closed.resolvedAt == fixedNow && closed.closedAt == fixedNow)
        // Resolving a closed ticket reopens nothing but drops closedAt.
        let resolved = try fixture.desk(fixture.staff).updateTicket(number, TicketChanges(status: .resolved))
        #expect(resolved.resolvedAt == fixedNow && resolved.closedAt == nil)
    }

    @Test func otherChangesLeaveMilestonesAlone() throws {
        let clock = TestClock()
        let fixture = try DeskFixture(clock: clock)
        let number = try fixture.openTicket(by: fixture.requester).ticketNumber
        let desk = fixture.desk(fixture.staff)
        _ = try desk.updateTicket(number, TicketChanges(status: .resolved))
        clock.advance(by: 60)
        let changed = try desk.updateTicket(number, TicketChanges(
            subject: "Renamed", message: "Rewritten", category: .featureRequest, priority: .critical, status: .resolved))
        #expect(changed.subject == "Renamed" && changed.message == "Rewritten")
        #expect(changed.category == .featureRequest && changed.priority == .critical)
        #expect(changed.resolvedAt == fixedNow)
        #expect(changed.updatedAt == fixedNow.addingTimeInterval(60))
    }

    @Test func assigningGoesToStaffOnly() throws {
        let fixture = try DeskFixture()
        let number = try fixture.openTicket(by: fixture.requester).ticketNumber
        let desk = fixture.desk(fixture.admin)
        let assigned = try desk.updateTicket(number, TicketChanges(assignee: .assign(email: "SAM@example.test")))
        #expect(assigned.assignedTo == fixture.staff.person)
        #expect(failure { _ = try desk.updateTicket(number, TicketChanges(assignee: .assign(email: fixture.requester.email))) }?.exitCode == 65)
        #expect(failure { _ = try desk.updateTicket(number, TicketChanges(assignee: .assign(email: "nobody@example.test"))) }?.exitCode == 66)
        #expect(failure { _ = try desk.updateTicket(number, TicketChanges(assignee: .assign(email: "not an address"))) }?.exitCode == 65)
        #expect(try desk.ticket(number).assignedTo == fixture.staff.person)
        let unassigned = try desk.updateTicket(number, TicketChanges(assignee: .unassign))
        #expect(unassigned.assignedTo == nil)
    }

    @Test func anEmptyOrInvalidUpdateChangesNothing() throws {
        let fixture = try DeskFixture()
        let before = try fixture.openTicket(by: fixture.requester)
        let desk = fixture.desk(fixture.staff)
        #expect(failure { _ = try desk.updateTicket(before.ticketNumber, TicketChanges()) }?.exitCode == 65)
        #expect(failure { _ = try desk.updateTicket(before.ticketNumber, TicketChanges(subject: "", status: .closed)) }?.exitCode == 65)
        #expect(failure { _ = try desk.updateTicket(before.ticketNumber, TicketChanges(message: "\u{1B}c", priority: .low)) }?.exitCode == 65)
        #expect(try desk.ticket(before.ticketNumber) == before)
    }

    @Test func unknownTicketsAreNotFound() throws {
        let fixture = try DeskFixture()
        let missing = TicketNumber(year: 2026, sequence: 7)
        let desk = fixture.operatorDesk
        #expect(failure { _ = try desk.ticket(missing) } == .notFound("no ticket ST-2026-007"))
        #expect(failure { _ = try desk.updateTicket(missing, TicketChanges(priority: .low)) }?.exitCode == 66)
        #expect(failure { try desk.deleteTicket(missing) }?.exitCode == 66)
        #expect(failure { _ = try desk.respond(to: missing, message: "hi", isInternal: false) }?.exitCode == 66)
    }

    @Test func deletingRemovesTheTicketAndItsReplies() throws {
        let fixture = try DeskFixture()
        let ticket = try fixture.openTicket(by: fixture.requester)
        _ = try fixture.desk(fixture.staff).respond(to: ticket.ticketNumber, message: "on it", isInternal: true)
        try fixture.desk(fixture.admin).deleteTicket(ticket.ticketNumber)
        #expect(failure { _ = try fixture.operatorDesk.ticket(ticket.ticketNumber) }?.exitCode == 66)
        let orphans = try fixture.database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM response") }
        #expect(orphans == 0)
        // Numbers are never reused.
        #expect(try fixture.openTicket(by: nil).ticketNumber.description == "ST-2026-002")
    }

    // MARK: Replies

    @Test func aRequesterReplyReopensAResolvedOrClosedTicket() throws {
        for status in [TicketStatus.resolved, .closed] {
            // Given a ticket staff resolved (or closed)
            let fixture = try DeskFixture()
            let number = try fixture.openTicket(by: fixture.requester).ticketNumber
            _ = try fixture.desk(fixture.staff).updateTicket(number, TicketChanges(status: status))
            // When the requester replies
            let reply = try fixture.desk(fixture.requester).respond(to: number, message: "Still broken.", isInternal: false)
            // Then it is open again, with no milestones, and the reply is public
            let ticket = try fixture.operatorDesk.ticket(number)
            #expect(ticket.status == .open, "\(status)")
            #expect(ticket.resolvedAt == nil && ticket.closedAt == nil)
            #expect(reply.isInternal == false && reply.respondedBy == fixture.requester.person)
        }
    }

    @Test func aStaffReplyDoesNotReopen() throws {
        let fixture = try DeskFixture()
        let number = try fixture.openTicket(by: fixture.requester).ticketNumber
        let staff = fixture.desk(fixture.staff)
        _ = try staff.updateTicket(number, TicketChanges(status: .resolved))
        _ = try staff.respond(to: number, message: "Fixed, see above.", isInternal: false)
        _ = try staff.respond(to: number, message: "Note to self.", isInternal: true)
        #expect(try staff.ticket(number).status == .resolved)
    }

    @Test func repliesKeepTheirOrderAndAreValidated() throws {
        let clock = TestClock()
        let fixture = try DeskFixture(clock: clock)
        let number = try fixture.openTicket(by: fixture.requester).ticketNumber
        for (i, who) in [fixture.staff, fixture.requester, fixture.admin].enumerated() {
            clock.advance(by: 1)
            _ = try fixture.desk(who).respond(to: number, message: "reply \(i)", isInternal: false)
        }
        #expect(failure { _ = try fixture.desk(fixture.staff).respond(to: number, message: " \n ", isInternal: false) }?.exitCode == 65)
        #expect(failure { _ = try fixture.desk(fixture.staff).respond(to: number, message: "\u{1B}]52;c;x\u{7}", isInternal: false) }?.exitCode == 65)
        let ticket = try fixture.operatorDesk.ticket(number)
        #expect(ticket.responses.map(\.message) == ["reply 0", "reply 1", "reply 2"])
        #expect(ticket.updatedAt == fixedNow.addingTimeInterval(3))
    }

    // MARK: Listing

    @Test func listsNewestFirstWithPagination() throws {
        let clock = TestClock()
        let fixture = try DeskFixture(clock: clock)
        for i in 1...5 {
            clock.advance(by: 10)
            try fixture.openTicket(by: fixture.requester, subject: "t\(i)")
        }
        var query = TicketQuery()
        query.limit = 2
        query.page = 2
        let page = try fixture.operatorDesk.listTickets(query)
        #expect(page.tickets.map(\.subject) == ["t3", "t2"])
        #expect(page.total == 5 && page.page == 2 && page.limit == 2 && page.pages == 3)
        query.page = 4
        #expect(try fixture.operatorDesk.listTickets(query).tickets.isEmpty)
        query.page = 1
        query.reverse = true
        #expect(try fixture.operatorDesk.listTickets(query).tickets.map(\.subject) == ["t1", "t2"])
    }

    @Test func listFiltersCombine() throws {
        let clock = TestClock()
        let fixture = try DeskFixture(clock: clock)
        let a = try fixture.openTicket(by: fixture.requester, subject: "a", category: .bugReport)
        clock.advance(by: 86_400)
        try fixture.openTicket(by: fixture.otherRequester, subject: "b", category: .featureRequest)
        let staff = fixture.desk(fixture.staff)
        _ = try staff.updateTicket(a.ticketNumber, TicketChanges(priority: .high, status: .inProgress, assignee: .assign(email: fixture.staff.email)))
        func subjects(_ build: (inout TicketQuery) -> Void) throws -> [String] {
            var query = TicketQuery()
            build(&query)
            return try staff.listTickets(query).tickets.map(\.subject)
        }
        #expect(try subjects { $0.statuses = [.inProgress] } == ["a"])
        #expect(try subjects { $0.statuses = [.open, .inProgress] } == ["b", "a"])
        #expect(try subjects { $0.priorities = [.high] } == ["a"])
        #expect(try subjects { $0.categories = [.featureRequest] } == ["b"])
        #expect(try subjects { $0.assignee = .me } == ["a"])
        #expect(try subjects { $0.assignee = .nobody } == ["b"])
        #expect(try subjects { $0.assignee = .email("nobody@example.test") } == [])
        #expect(try subjects { $0.requesterEmail = "OMAR@example.test" } == ["b"])
        #expect(try subjects { $0.requesterEmail = "stranger@example.test" } == [])
        #expect(try subjects { $0.since = fixedNow.addingTimeInterval(1) } == ["b"])
        #expect(try subjects { $0.until = fixedNow.addingTimeInterval(1) } == ["a"])
        #expect(try subjects { $0.statuses = [.inProgress]; $0.categories = [.featureRequest] } == [])
    }

    @Test(arguments: [0, -1, 501, Int.max])
    func listRefusesLimitsOutOfRange(_ limit: Int) throws {
        let fixture = try DeskFixture()
        var query = TicketQuery()
        query.limit = limit
        let error = failure { _ = try fixture.operatorDesk.listTickets(query) }
        // The core names the field; the command line words it as its flag (WordingTests).
        #expect(error == .invalidInput(field: "limit", "\(field: "limit") must be from 1 to 500"))
        #expect(error?.message == "limit must be from 1 to 500")
    }

    @Test func listRefusesBadPagesAndRanges() throws {
        let fixture = try DeskFixture()
        var query = TicketQuery()
        query.page = 0
        #expect(failure { _ = try fixture.operatorDesk.listTickets(query) }?.exitCode == 65)
        query = TicketQuery()
        query.since = fixedNow
        query.until = fixedNow
        #expect(failure { _ = try fixture.operatorDesk.listTickets(query) }?.message == "since must be before until")
        query = TicketQuery()
        query.requesterEmail = "not an address"
        #expect(failure { _ = try fixture.operatorDesk.listTickets(query) }?.exitCode == 65)
    }

    @Test func theLargestPageIsAccepted() throws {
        let fixture = try DeskFixture()
        try fixture.openTicket(by: nil)
        var query = TicketQuery()
        query.limit = 500
        #expect(try fixture.operatorDesk.listTickets(query).limit == 500)
    }
}
