import Foundation
import GRDB
import Testing
@testable import SupportCore

/// The rules of mail in, on an in-memory desk: threading, who may add to a ticket, loops,
/// bounces, duplicates and quarantine. Messages are written here as a mail client sends them
/// and read by the real parser.
@Suite("HelpDesk: mail in")
struct HelpDeskMailInTests {
    static func message(from: String = "Jane <jane@example.test>", subject: String = "Printer jammed",
                        id: String? = nil, headers: [String] = [], body: String = "Paper is stuck.\n") -> [UInt8] {
        var lines = ["From: \(from)", "To: help@desk.test", "Subject: \(subject)",
                     "Message-ID: <\(id ?? UUID().uuidString + "@client.test")>", "Date: Sat, 14 Mar 2026 15:00:00 +0000"]
        lines += headers
        lines += ["Content-Type: text/plain; charset=utf-8", "", body]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// A desk that sends mail, with jane's ticket ST-2026-001 assigned to sam.
    static func deskWithTicket(clock: TestClock? = nil) throws -> (DeskFixture, Ticket) {
        let fixture = try DeskFixture(clock: clock)
        _ = try fixture.operatorDesk.setSetting(.supportEmail, to: "help@desk.test")
        let ticket = try fixture.openTicket(by: fixture.requester)
        _ = try fixture.desk(fixture.staff).updateTicket(ticket.ticketNumber, TicketChanges(assignee: .assign(email: "sam@example.test")))
        return (fixture, ticket)
    }

    func outbox(_ fixture: DeskFixture) throws -> [OutboxMessage] { try fixture.database.outbox(status: nil) }

    @Test func aNewMessageOpensATicketWithTheSettingsDefaults() throws {
        // Given a desk whose mail tickets are bug reports of high priority
        let fixture = try DeskFixture()
        let desk = fixture.operatorDesk
        _ = try desk.setSetting(.supportEmail, to: "help@desk.test")
        _ = try desk.setSetting(.mailDefaultCategory, to: "bug-report")
        _ = try desk.setSetting(.mailDefaultPriority, to: "high")
        // When a stranger writes, with an empty subject
        let record = try desk.ingest(Self.message(from: "\"Neu, Nina\" <Nina@New.test>", subject: ""))
        // Then a ticket opens for her as a requester, and the desk is told
        #expect(record.outcome == .created)
        let number = try #require(record.ticketNumber)
        let ticket = try #require(try fixture.database.ticket(number: TicketNumber.parse(number)))
        #expect(ticket.subject == "(no subject)" && ticket.message == "Paper is stuck.")
        #expect(ticket.category == .bugReport && ticket.priority == .high && ticket.status == .open)
        #expect(ticket.submittedBy == Person(email: "nina@new.test", name: "Neu, Nina", role: .user))
        #expect(try outbox(fixture).map(\.kind) == ["new-ticket"])
    }

    @Test func theSameMessageTwiceIsIngestedOnce() throws {
        let fixture = try DeskFixture()
        let bytes = Self.message(id: "once@client.test")
        // When one message arrives twice, and a copy without Message-ID twice
        let first = try fixture.operatorDesk.ingest(bytes)
        let second = try fixture.operatorDesk.ingest(bytes)
        var noID = Array(String(decoding: Self.message(), as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("Message-ID") }.joined(separator: "\r\n").utf8)
        noID += Array("x".utf8)
        let third = try fixture.operatorDesk.ingest(noID)
        let fourth = try fixture.operatorDesk.ingest(noID)
        // Then the repeats are duplicates, and only two tickets exist
        #expect([first.outcome, second.outcome, third.outcome, fourth.outcome] == [.created, .duplicate, .created, .duplicate])
        #expect(second.reason == "already ingested as #\(first.id)" && fourth.reason == "already ingested as #\(third.id)")
        #expect(try fixture.operatorDesk.listTickets(TicketQuery()).total == 2)
    }

    @Test func staffReplyingToTheDesksMailBecomesAPublicReplyAndMailsTheRequester() throws {
        // Given jane's ticket and the desk's new-ticket notice (signed for help@desk.test)
        let (fixture, ticket) = try Self.deskWithTicket()
        let notice = try #require(try outbox(fixture).first { $0.kind == "new-ticket" })
        // When sam answers that notice from his mail client (no tag in the subject)
        let record = try fixture.operatorDesk.ingest(Self.message(
            from: "Sam <sam@example.test>", subject: "Re: your printer",
            headers: ["In-Reply-To: <\(notice.messageID)>", "References: <\(notice.messageID)>"],
            body: "Try the back tray.\n\nOn Sat, 14 Mar 2026 Desk wrote:\n> New ticket\n> Paper is stuck.\n"))
        // Then it is sam's public reply, without the quote, and jane is mailed
        #expect(record.outcome == .replied && record.ticketNumber == ticket.ticketNumber.description)
        let after = try #require(try fixture.database.ticket(number: ticket.ticketNumber))
        #expect(after.responses.map(\.message) == ["Try the back tray."])
        #expect(after.responses.first?.respondedBy.email == "sam@example.test" && after.responses.first?.isInternal == false)
        #expect(try outbox(fixture).first?.kind == "staff-reply" && outbox(fixture).first?.recipient == "jane@example.test")
    }

    @Test func aRequesterReplyByTagReopensAResolvedTicketAndMailsTheAssignee() throws {
        let (fixture, ticket) = try Self.deskWithTicket()
        _ = try fixture.desk(fixture.staff).updateTicket(ticket.ticketNumber, TicketChanges(status: .resolved))
        // When jane replies with the tag behind her client's prefixes
        let record = try fixture.operatorDesk.ingest(Self.message(subject: "AW: Re: [\(ticket.ticketNumber)] Printer jammed",
                                                                  body: "Still stuck.\n"))
        // Then the ticket is open again and sam, its assignee, is mailed
        #expect(record.outcome == .replied)
        let after = try #require(try fixture.database.ticket(number: ticket.ticketNumber))
        #expect(after.status == .open && after.responses.map(\.message) == ["Still stuck."])
        let latest = try #require(try outbox(fixture).first)
        #expect(latest.kind == "requester-reply" && latest.recipient == "sam@example.test")
    }

    @Test func someoneElseNamingATicketByItsTagGetsANewTicket() throws {
        // Given jane's ticket
        let (fixture, ticket) = try Self.deskWithTicket()
        // When omar (a requester, not jane) and a stranger write with jane's tag
        let omar = try fixture.operatorDesk.ingest(Self.message(from: "omar@example.test", subject: "Re: [\(ticket.ticketNumber)] hi"))
        let stranger = try fixture.operatorDesk.ingest(Self.message(from: "eve@evil.test", subject: "[\(ticket.ticketNumber)] hi"))
        // Then each opens a ticket of their own; jane's ticket is untouched
        #expect(omar.outcome == .created && stranger.outcome == .created)
        #expect(omar.ticketNumber != ticket.ticketNumber.description && stranger.ticketNumber != ticket.ticketNumber.description)
        #expect(omar.reason?.contains("names \(ticket.ticketNumber) but comes from neither its requester nor staff") == true)
        #expect(try fixture.database.ticket(number: ticket.ticketNumber)?.responses.isEmpty == true)
    }

    @Test func aForgedDeskMessageIDDoesNotThread() throws {
        let (fixture, ticket) = try Self.deskWithTicket()
        // When jane's address sends a reference shaped like the desk's ids but not signed by it
        let forged = "\(ticket.ticketNumber).mf3k2a1b.1x7k2p.\(String(repeating: "a", count: 16))@desk.test"
        let record = try fixture.operatorDesk.ingest(Self.message(subject: "hello", headers: ["In-Reply-To: <\(forged)>"]))
        // Then it names no ticket: a new one opens
        #expect(record.outcome == .created && record.ticketNumber != ticket.ticketNumber.description)
    }

    @Test func aReplyToAMessageTheDeskReceivedThreads() throws {
        // Given a ticket opened by mail
        let fixture = try DeskFixture()
        let first = try fixture.operatorDesk.ingest(Self.message(id: "root@client.test"))
        // When jane answers her own message (no tag, no desk id)
        let reply = try fixture.operatorDesk.ingest(Self.message(subject: "more", headers: ["References: <root@client.test>"],
                                                                 body: "Also the toner.\n"))
        // Then it lands on that ticket
        #expect(reply.outcome == .replied && reply.ticketNumber == first.ticketNumber)
    }

    @Test func automaticMailAndTheDesksOwnMailNeverOpenATicketNorSendMail() throws {
        let (fixture, ticket) = try Self.deskWithTicket()
        let before = try outbox(fixture).count
        let notice = try #require(try outbox(fixture).first { $0.kind == "new-ticket" })
        let desk = fixture.operatorDesk
        let cases: [[UInt8]] = [
            Self.message(headers: ["Precedence: bulk"]),
            Self.message(headers: ["Auto-Submitted: auto-generated"]),
            Self.message(headers: ["List-Id: <news.example.test>"]),
            Self.message(from: "MAILER-DAEMON@example.test"),
            Self.message(from: "Desk <help@desk.test>", subject: "[\(ticket.ticketNumber)] loop"),
            Self.message(subject: "looped", headers: ["X-Loop: help@desk.test"]),
            Self.message(subject: "came back", id: notice.messageID),
        ]
        // When each arrives
        let records = try cases.map { try desk.ingest($0) }
        // Then each is ignored with a reason; no ticket, no reply, no mail
        for record in records {
            #expect(record.outcome == .ignored && record.reason?.isEmpty == false, "\(record)")
        }
        #expect(try desk.listTickets(TicketQuery()).total == 1)
        #expect(try fixture.database.ticket(number: ticket.ticketNumber)?.responses.isEmpty == true)
        #expect(try outbox(fixture).count == before)
    }

    @Test func anOutOfOfficeReplyIsStoredWithoutChangingTheStatus() throws {
        let (fixture, ticket) = try Self.deskWithTicket()
        _ = try fixture.desk(fixture.staff).updateTicket(ticket.ticketNumber, TicketChanges(status: .resolved))
        let before = try outbox(fixture).count
        // When jane's vacation responder answers
        let record = try fixture.operatorDesk.ingest(Self.message(
            subject: "Out of office: [\(ticket.ticketNumber)] Resolved", headers: ["Auto-Submitted: auto-replied"],
            body: "I am away until Monday.\n"))
        // Then it is on the ticket, which stays resolved, and nobody is mailed
        #expect(record.outcome == .replied && record.reason?.contains("out-of-office") == true)
        let after = try #require(try fixture.database.ticket(number: ticket.ticketNumber))
        #expect(after.status == .resolved && after.responses.map(\.message) == ["I am away until Monday."])
        #expect(try outbox(fixture).count == before)
    }

    @Test func aReplyToATicketClosedLongAgoOpensANewOneThatNamesIt() throws {
        // Given a ticket closed, and a clock 31 days later (mail_reopen_days is 30)
        let clock = TestClock()
        let (fixture, ticket) = try Self.deskWithTicket(clock: clock)
        _ = try fixture.desk(fixture.staff).updateTicket(ticket.ticketNumber, TicketChanges(status: .closed))
        clock.advance(by: 31 * 86_400)
        // When jane replies with the tag
        let record = try fixture.operatorDesk.ingest(Self.message(subject: "Re: [\(ticket.ticketNumber)] Printer", body: "Again.\n"))
        // Then a new ticket points at the old one, which stays closed
        #expect(record.outcome == .created && record.ticketNumber != ticket.ticketNumber.description)
        let number = try #require(record.ticketNumber)
        let created = try #require(try fixture.database.ticket(number: TicketNumber.parse(number)))
        #expect(created.message.hasPrefix("Follow-up to \(ticket.ticketNumber)") && created.message.hasSuffix("Again."))
        #expect(try fixture.database.ticket(number: ticket.ticketNumber)?.status == .closed)
    }

    @Test func aBounceMarksTheOutboxMessageBounced() throws {
        let (fixture, _) = try Self.deskWithTicket()
        let notice = try #require(try outbox(fixture).first { $0.kind == "new-ticket" })
        // When a delivery-status report about the notice comes back (LF line ends, as Postfix pipes it)
        let report = """
            From: Mail Delivery System <MAILER-DAEMON@mx.desk.test>
            To: help@desk.test
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <bounce1@mx.desk.test>
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="B"
            
            --B
            Content-Type: text/plain
            
            Your message could not be delivered.
            --B
            Content-Type: message/delivery-status
            
            Reporting-MTA: dns; mx.desk.test
            
            Final-Recipient: rfc822; help@desk.test
            Action: failed
            Status: 5.1.1
            --B
            Content-Type: text/rfc822-headers
            
            Message-ID: <\(notice.messageID)>
            Subject: x
            --B--

            """
        let record = try fixture.operatorDesk.ingest(Array(report.utf8))
        // Then the notice shows as bounced, and no ticket is opened
        #expect(record.outcome == .bounce, "\(record.reason ?? "")")
        #expect(try fixture.database.outbox(status: .bounced).map(\.id) == [notice.id])
        #expect(try fixture.operatorDesk.listTickets(TicketQuery()).total == 1)
    }

    @Test func unreadableAndTooLargeMessagesAreQuarantinedWhole() throws {
        let fixture = try DeskFixture()
        let desk = fixture.operatorDesk
        // When bytes that are no mail arrive, and a message cut at the size limit
        let garbage: [UInt8] = [0, 1, 2, 0xff, 0xfe]
        let junk = try desk.ingest(garbage)
        let big = try desk.ingest(Array(Self.message().prefix(40)), size: 30_000_000)
        // Then both are quarantined, the bytes kept as received, and a retry is refused for the cut one
        #expect(junk.outcome == .quarantined && junk.reason?.isEmpty == false, "\(junk)")
        #expect(try desk.inboundRaw(id: junk.id) == garbage)
        #expect(big.outcome == .quarantined && big.truncated && big.size == 30_000_000)
        #expect(big.reason?.hasPrefix("too large") == true)
        #expect(failure { _ = try desk.retryInbound(id: big.id) }?.exitCode == 65)
        #expect(failure { _ = try desk.retryInbound(id: 999) }?.exitCode == 66)
        #expect(try desk.inboundMail(outcome: .quarantined).map(\.id) == [big.id, junk.id])
        // And only an admin may ingest or list
        #expect(failure { _ = try fixture.desk(fixture.staff).ingest(garbage) }?.exitCode == 77)
        #expect(failure { _ = try fixture.desk(fixture.staff).inboundMail() }?.exitCode == 77)
    }

    @Test func autoResponsesToOneAddressAreLimitedPerHour() throws {
        // Given auto-responses on, at most 2 an hour to one address
        let fixture = try DeskFixture()
        let desk = fixture.operatorDesk
        _ = try desk.setSetting(.supportEmail, to: "help@desk.test")
        _ = try desk.setSetting(.supportAutoResponse, to: "true")
        _ = try desk.setSetting(.mailAutoResponsesPerHour, to: "2")
        // When one address opens four tickets by mail (another desk, say, answering each auto-response)
        for n in 1...4 { _ = try desk.ingest(Self.message(from: "robot@other.test", subject: "ticket \(n)")) }
        _ = try desk.ingest(Self.message(from: "jane@example.test", subject: "mine"))
        // Then four tickets exist, but robot got only two auto-responses; jane still gets hers
        let auto = try outbox(fixture).filter { $0.kind == "auto-response" }.map(\.recipient)
        #expect(auto.filter { $0 == "robot@other.test" }.count == 2 && auto.filter { $0 == "jane@example.test" }.count == 1)
        #expect(try desk.listTickets(TicketQuery()).total == 5)
    }
}
