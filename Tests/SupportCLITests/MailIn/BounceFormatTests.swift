import Foundation
import Testing

/// Issue 12: bounces as Exim and qmail write them are matched to the outbox message they are
/// about, which `notify list` then shows as bounced; no ticket is opened.
@Suite("mail ingest: Exim and qmail bounces (CLI)")
struct BounceFormatTests {
    enum Format: String, CaseIterable, Sendable { case exim, qmail }

    /// A bounce of the message `id` sent to `recipient`, in the shape `format`'s MTA gives it.
    static func bounce(_ format: Format, id: String, recipient: String) -> String {
        switch format {
        case .exim:
            // Exim 4's bounce: multipart/report with a text part, the delivery status and the headers.
            return """
                Return-path: <>
                From: Mail Delivery System <Mailer-Daemon@mx.cust.example>
                To: help@desk.test
                Subject: Mail delivery failed: returning message to sender
                Message-Id: <E1qXyZa-0001Ab-Cd@mx.cust.example>
                Auto-Submitted: auto-replied
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary=1701770000-eximdsn-123

                --1701770000-eximdsn-123
                Content-type: text/plain; charset=us-ascii

                This message was created automatically by mail delivery software.

                A message that you sent could not be delivered to one or more of its
                recipients. This is a permanent error. The following address(es) failed:

                  \(recipient)
                    mailbox is full

                --1701770000-eximdsn-123
                Content-type: message/delivery-status

                Reporting-MTA: dns; mx.cust.example

                Action: failed
                Final-Recipient: rfc822;\(recipient)
                Status: 5.0.0

                --1701770000-eximdsn-123
                Content-type: text/rfc822-headers

                From: help@desk.test
                To: \(recipient)
                Message-ID: <\(id)>
                Subject: Your ticket

                --1701770000-eximdsn-123--

                """
        case .qmail:
            return """
                From: MAILER-DAEMON@mx.cust.example
                To: help@desk.test
                Subject: failure notice
                Message-ID: <20261205102030.4242.qmail@mx.cust.example>

                Hi. This is the qmail-send program at mx.cust.example.
                I'm afraid I wasn't able to deliver your message to the following addresses.
                This is a permanent error; I've given up. Sorry it didn't work out.

                <\(recipient)>:
                Sorry, no mailbox here by that name. (#5.1.1)

                --- Below this line is a copy of the message.

                Return-Path: <help@desk.test>
                Received: (qmail 4242 invoked from network); 5 Dec 2026 10:20:30 -0000
                From: Help Desk <help@desk.test>
                To: \(recipient)
                Message-ID: <\(id)>
                Subject: Your ticket

                The text of the notification.

                """
        }
    }

    @Test(arguments: Format.allCases)
    func aBounceMarksTheOutboxMessageBounced(_ format: Format) throws {
        // Given a desk that has queued a staff reply's notice to a requester
        let sandbox = try Sandbox()
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        try sandbox.succeed(["user", "add", "sam@desk.test", "--name", "Sam", "--role", "internal"])
        try sandbox.createTicket(subject: "Printer", extra: ["--requester", "jane@cust.example"])
        try sandbox.succeed(["respond", Sandbox.number(1), "--message", "On it."], as: "sam@desk.test")
        let outbox = try #require(try sandbox.succeed(["notify", "list", "--json"]).json()["messages"] as? [[String: Any]])
        let notice = try #require(outbox.first { $0["recipient"] as? String == "jane@cust.example" }, "\(outbox)")
        let id = try #require(notice["messageId"] as? String).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        // When the recipient's server bounces it
        let result = try sandbox.run(["mail", "ingest", "--json"], stdin: Data(Self.bounce(format, id: id, recipient: "jane@cust.example").utf8))
        // Then the MTA hears 0, the message is recorded as a bounce of that ticket, no ticket is opened
        #expect(result.status == 0, "\(result)")
        let record = try #require((try result.json()["messages"] as? [[String: Any]])?.first)
        #expect(record["outcome"] as? String == "bounce", "\(record)")
        #expect((record["reason"] as? String)?.contains("jane@cust.example") == true, "\(record)")
        #expect(try sandbox.list([]).numbers == [Sandbox.number(1)])
        // And the outbox shows that delivery bounced
        let after = try #require(try sandbox.succeed(["notify", "list", "--json"]).json()["messages"] as? [[String: Any]])
        #expect(after.first { $0["messageId"] as? String == notice["messageId"] as? String }?["status"] as? String == "bounced", "\(after)")
    }
}
