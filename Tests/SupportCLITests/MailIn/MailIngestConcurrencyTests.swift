import Foundation
import Testing

/// Issue 12: several MTA deliveries at once, among staff replies and outbox flushes. Every
/// message is stored exactly once, ticket numbers stay gap-free, and an ingest either succeeds
/// or says 75 (busy), after which the MTA's retry succeeds.
@Suite("mail ingest: concurrency (CLI)")
struct MailIngestConcurrencyTests {
    static let sam = "sam@desk.test"

    @Test(arguments: Engine.available) func eightIngestsAtOnceOnOneTicketAndOnNewOnesAmongRepliesAndFlushes(engine: Engine) throws {
        // Given a desk that mails through a fake sendmail, and a ticket opened by mail
        let sandbox = try Sandbox(engine: engine)
        let outbox = sandbox.directory.appendingPathComponent("sent")
        try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        try sandbox.succeed(["settings", "set", "sendmail_command", "\(MailTools.fakeSendmail) --out \(outbox.path)"])
        try sandbox.succeed(["settings", "set", "reply_rate_limit_per_hour", "1000"])
        try sandbox.succeed(["user", "add", Self.sam, "--name", "Sam Staff", "--role", "internal"])
        try sandbox.succeed(["mail", "ingest"], stdin: Data(InboundFixtures.message(id: "first@cust.example").utf8))
        let number = Sandbox.number(1)

        // When 8 replies to it and 8 new messages are delivered at once, while staff answer it
        // 4 times and the outbox is flushed twice
        var mails: [(id: String, data: Data)] = []
        for i in 0..<8 {
            mails.append(("reply\(i)@cust.example", Data(InboundFixtures.message(
                subject: "Re: [\(number)] Printer jammed", id: "reply\(i)@cust.example", body: "Reply \(i).").utf8)))
            mails.append(("new\(i)@cust.example", Data(InboundFixtures.message(
                from: "Customer \(i) <c\(i)@cust.example>", subject: "Question \(i)", id: "new\(i)@cust.example").utf8)))
        }
        let ingests = try mails.map { try sandbox.launch(["mail", "ingest"], stdin: $0.data) }
        let commands: [(arguments: [String], actor: String?)] = (0..<4).map { (["respond", number, "--message", "Staff \($0)."], Self.sam) }
            + (0..<2).map { _ in (["notify", "flush"], nil) }
        let others = try commands.map { try sandbox.launch($0.arguments, as: $0.actor) }
        var retried = 0
        for (mail, running) in zip(mails, ingests) {
            var result = try running.wait()
            #expect(!result.signaled, "\(result)")
            // An MTA keeps a message it got 75 for and delivers it again later.
            var attempts = 0
            while result.status == 75 && attempts < 5 {
                retried += 1
                attempts += 1
                result = try sandbox.run(["mail", "ingest"], stdin: mail.data)
            }
            #expect(result.status == 0, "\(mail.id): \(result)")
        }
        for (command, running) in zip(commands, others) {
            var result = try running.wait()
            if result.status == 75 {
                retried += 1
                result = try sandbox.run(command.arguments, as: command.actor)
            }
            #expect(result.status == 0, "\(command.arguments): \(result)")
        }

        // Then every message is recorded once, as what it is
        let list = try sandbox.succeed(["mail", "list", "--json", "--limit", "100"]).json()
        let records = try #require(list["messages"] as? [[String: Any]])
        #expect(records.count == 17, "\(records)")
        #expect(records.filter { $0["outcome"] as? String == "duplicate" }.isEmpty)
        #expect(records.filter { $0["outcome"] as? String == "replied" }.count == 8)
        #expect(records.filter { $0["outcome"] as? String == "created" }.count == 9)
        // And the replies are on the ticket once each
        let replies = try #require(try sandbox.ticket(number)["responses"] as? [[String: Any]])
        let texts = replies.compactMap { $0["message"] as? String }
        for i in 0..<8 { #expect(texts.filter { $0 == "Reply \(i)." }.count == 1, "\(texts)") }
        for i in 0..<4 { #expect(texts.filter { $0 == "Staff \(i)." }.count == 1, "\(texts)") }
        #expect(texts.count == 12, "\(texts)")
        // And the ticket numbers are 1 to 9 without a gap
        let numbers = try sandbox.list([]).numbers
        #expect(numbers.sorted() == (1...9).map { Sandbox.number($0) }, "\(numbers)")
        print("concurrent ingest: \(retried) retries after 75")
    }
}
