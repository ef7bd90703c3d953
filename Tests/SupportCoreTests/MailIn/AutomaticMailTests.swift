import Testing

@testable import SupportCore

@Suite("MailIn: automatic mail, out-of-office and bounces")
struct AutomaticMailTests {
    func parse(_ headers: String, body: String = "text") throws -> InboundMail {
        try InboundMail.parse(mail("From: Jane <jane@x.example>\nSubject: Re: hi\n\(headers)\n\n\(body)\n"))
    }

    @Test func aPersonsMailIsNotAutomatic() throws {
        let message = try parse("Auto-Submitted: no")
        #expect(!message.isAutomatic)
        #expect(!message.isOutOfOffice)
        #expect(message.automaticReason == nil)
    }

    @Test(arguments: [
        ("Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated", false),
        ("Auto-Submitted: auto-replied; owner-email=\"j@x\"", "Auto-Submitted: auto-replied", true),
        ("X-Autoreply: yes", "X-Autoreply", true),
        ("X-Autorespond: on", "X-Autorespond", true),
        ("X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: All", true),
        ("Precedence: bulk", "Precedence: bulk", false),
        ("Precedence: JUNK", "Precedence: junk", false),
        ("Precedence: list", "Precedence: list", false),
        ("List-Id: Users <users.lists.example>", "List-Id", false),
    ])
    func machineMailIsRecognised(header: String, reason: String, outOfOffice: Bool) throws {
        let message = try parse(header)
        #expect(message.isAutomatic)
        #expect(message.automaticReason == reason)
        #expect(message.isOutOfOffice == outOfOffice)
    }

    @Test func bounceSendersAreAutomatic() throws {
        for sender in ["MAILER-DAEMON@mx.example", "Mail Delivery System <Mailer-Daemon@mx.example>", "postmaster@mx.example"] {
            let message = try InboundMail.parse(mail("From: \(sender)\nSubject: x\n\nbody\n"))
            #expect(message.isAutomatic, "\(sender)")
            #expect(message.automaticReason?.hasPrefix("sender ") == true)
        }
        #expect(try parse("Precedence: first-class").isAutomatic == false)
    }

    @Test func gmailVacationShape() throws {
        // Gmail's vacation responder: Auto-Submitted: auto-replied, the original subject kept
        let message = try InboundMail.parse(mail("""
            From: Jane <jane@gmail.example>
            Subject: Re: [ST-2026-001] Printer
            Auto-Submitted: auto-replied
            Precedence: bulk
            Content-Type: text/plain; charset="UTF-8"

            I am away until Monday.
            """))
        #expect(message.isAutomatic && message.isOutOfOffice)
        #expect(message.automaticReason == "Auto-Submitted: auto-replied")
    }

    @Test func deliveryStatusReportIsRead() throws {
        // Given a Postfix bounce of one of the desk's notifications
        let message = try InboundMail.parse(mail("""
            From: MAILER-DAEMON@mx.example (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status;
             boundary="ABC/mx.example"

            --ABC/mx.example
            Content-Description: Notification
            Content-Type: text/plain; charset=us-ascii

            I'm sorry to have to inform you that your message could not
            be delivered to one or more recipients.

            --ABC/mx.example
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example
            Arrival-Date: Sat,  5 Dec 2026 09:00:00 +0000 (UTC)

            Final-Recipient: rfc822; gone@cust.example
            Original-Recipient: rfc822;gone@cust.example
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 <gone@cust.example>: Recipient address
                rejected: User unknown

            Final-Recipient: rfc822; slow@cust.example
            Action: delayed
            Status: 4.4.1

            --ABC/mx.example
            Content-Description: Undelivered Message Headers
            Content-Type: text/rfc822-headers

            From: Support <support@desk.example>
            To: gone@cust.example
            Subject: [ST-2026-001] Printer
            Message-ID: <ST-2026-001.abc@desk.example>

            --ABC/mx.example--
            """))
        let report = try #require(message.deliveryStatus)
        #expect(report.originalMessageID == "ST-2026-001.abc@desk.example")
        #expect(report.failedRecipients == ["gone@cust.example", "slow@cust.example"])
        #expect(report.isPermanent)
        #expect(message.isAutomatic)
        #expect(message.text.hasPrefix("I'm sorry to have to inform you"))
        // The returned headers are not an attachment worth a ticket's file list, but are kept
        #expect(message.attachments.map(\.contentType).contains("text/rfc822-headers"))
    }

    @Test func aDelayWarningIsNotPermanent() throws {
        let message = try InboundMail.parse(mail("""
            From: MAILER-DAEMON@mx.example
            Content-Type: multipart/report; report-type="delivery-status"; boundary=b

            --b
            Content-Type: text/plain

            Delayed.
            --b
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example

            Final-Recipient: rfc822;slow@cust.example
            Action: delayed
            Status: 4.4.1
            --b
            Content-Type: message/rfc822

            Message-ID: <n1@desk.example>
            Subject: x

            body
            --b--
            """))
        let report = try #require(message.deliveryStatus)
        #expect(!report.isPermanent)
        #expect(report.failedRecipients == ["slow@cust.example"])
        #expect(report.originalMessageID == "n1@desk.example")
    }
}
