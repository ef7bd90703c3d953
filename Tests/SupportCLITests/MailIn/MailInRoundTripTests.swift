import Foundation
import Testing

/// The whole loop: the desk mails a requester through msmtp to an SMTP receiver, the requester's
/// reply is written from the received message by Python's `email` package (as a mail client
/// threads and quotes it), and `mail ingest` puts it on the right ticket.
@Suite("mail in: round trip through msmtp and a reply written by Python's email")
struct MailInRoundTripTests {
    @Test(arguments: Engine.available) func aReplyToTheDesksMailLandsOnItsTicketWithoutTheQuoteAndMailsTheAssignee(engine: Engine) throws {
        // Given a ticket of jane's assigned to ana, ana's public reply, and the outbox flushed to a receiver
        let sandbox = try Sandbox(engine: engine)
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        try sandbox.enableMail()
        try sandbox.succeed(["user", "add", "ana@example.test", "--name", "Ana", "--role", "internal"])
        try sandbox.succeed(["ticket", "create", "--subject", "VPN drops every hour", "--category", "technical-issue",
                             "--requester", "jane@cust.example", "--name", "Jane Doe", "--message", "It drops."])
        let number = Sandbox.number(1)
        try sandbox.succeed(["ticket", "update", number, "--assign", "ana@example.test"])
        try sandbox.succeed(["respond", number, "--message", "Please update the client to 5.2."], as: "ana@example.test")
        let flush = try sandbox.flush(sink.sendmail)
        try #require(flush.status == 0, "\(flush)")
        let toJane = try sink.received(in: sandbox).filter { $0.rcptTos == ["jane@cust.example"] }
        try #require(toJane.count == 1)

        // When jane's client replies to it, under a subject without the ticket tag: only the
        // threading headers can carry it to the ticket
        let replyFile = sandbox.directory.appendingPathComponent("reply.eml")
        let made = try MailTools.runPython([MailTools.script("make_reply.py"), toJane[0].file, "Jane Doe <jane@cust.example>",
                                            "Updated, it still drops.", "Re: still broken"], in: sandbox)
        try #require(made.status == 0, "\(made)")
        try made.stdout.write(to: replyFile)
        #expect(made.out.contains("In-Reply-To: <\(toJane[0].bareMessageID ?? "?")>"))
        let ingest = try sandbox.run(["mail", "ingest", "--json"], stdin: made.stdout)

        // Then it is jane's reply on that ticket, without the quoted history
        #expect(ingest.status == 0, "\(ingest)")
        let record = try #require((try ingest.json()["messages"] as? [[String: Any]])?.first)
        #expect(record["outcome"] as? String == "replied" && record["ticketNumber"] as? String == number, "\(record)")
        let responses = try #require(try sandbox.ticket(number)["responses"] as? [[String: Any]])
        #expect(responses.last?["message"] as? String == "Updated, it still drops.")
        #expect((responses.last?["respondedBy"] as? [String: Any])?["email"] as? String == "jane@cust.example")
        // And ana, the assignee, has a notice waiting
        let latest = try #require(try sandbox.outbox().last)
        #expect(latest["kind"] as? String == "requester-reply" && latest["recipient"] as? String == "ana@example.test")
    }
}
