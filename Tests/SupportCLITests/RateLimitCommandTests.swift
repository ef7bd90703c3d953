import Foundation
import Testing

@Suite("ticket rate limit")
struct RateLimitCommandTests {
    @Test(arguments: Engine.available) func aRequestersThirdTicketInAnHourExits75(engine: Engine) throws {
        // Given a limit of 2 an hour, set by the operator, and a known requester
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "ticket_rate_limit_per_hour", "2"])
        try sandbox.succeed(["user", "add", "jane@example.test"])
        let create = ["ticket", "create", "--subject", "again", "--category", "bug-report", "--message", "m"]
        // When the requester opens three tickets
        for _ in 1...2 { try sandbox.succeed(create, as: "jane@example.test") }
        let before = try sandbox.storedState()
        let third = try sandbox.run(create, as: "jane@example.test")
        let thirdJSON = try sandbox.run(create + ["--json"], as: "jane@example.test")
        // Then the third exits 75 and says when to try again (about an hour from now)
        #expect(third.status == 75, "\(third)")
        #expect(third.out == "")
        #expect(third.err.contains("try again after"), "\(third.err)")
        #expect(thirdJSON.status == 75)
        let error = try thirdJSON.apiError()
        #expect(error["code"] as? String == "RATE_LIMITED")
        let retry = try #require((error["details"] as? [String: Any])?["retryAfter"] as? String)
        let retryDate = try Date(retry, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(retryDate > Date().addingTimeInterval(3000) && retryDate < Date().addingTimeInterval(3700), "\(retry)")
        #expect(third.err.contains(String(retry.prefix(16))), "the message names the same time")
        #expect(try sandbox.storedState() == before)
    }

    @Test(arguments: Engine.available) func staffAndTheOperatorAreExempt(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "ticket_rate_limit_per_hour", "1"])
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal"])
        try sandbox.succeed(["user", "add", "ada@example.test", "--role", "admin"])
        try sandbox.succeed(["user", "add", "jane@example.test"])
        for actor in ["sam@example.test", "ada@example.test", nil] {
            for i in 1...3 {
                let result = try sandbox.run(["ticket", "create", "--subject", "s\(i)", "--category", "bug-report", "--message", "m"], as: actor)
                #expect(result.status == 0, "\(actor ?? "operator") #\(i): \(result)")
            }
        }
        // The requester uses up her allowance...
        try sandbox.succeed(["ticket", "create", "--subject", "mine", "--category", "bug-report", "--message", "m",
                             "--requester", "jane@example.test"], as: "jane@example.test")
        // ...which does not stop staff from opening tickets on her behalf
        for i in 1...3 {
            let result = try sandbox.run(["ticket", "create", "--subject", "for jane \(i)", "--category", "bug-report", "--message", "m",
                                          "--requester", "jane@example.test"], as: "sam@example.test")
            #expect(result.status == 0, "\(result)")
        }
        // But she herself is at her limit
        let own = try sandbox.run(["ticket", "create", "--subject", "mine again", "--category", "bug-report", "--message", "m"],
                                  as: "jane@example.test")
        #expect(own.status == 75, "\(own)")
    }

    @Test(arguments: Engine.available) func aRequestersRepliesPastTheHourlyLimitExit75AndChangeNothing(engine: Engine) throws {
        // Given a reply limit of 3 an hour, a requester's ticket and an agent
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "reply_rate_limit_per_hour", "3"])
        try sandbox.succeed(["user", "add", "jane@example.test"])
        try sandbox.succeed(["user", "add", "sam@example.test", "--role", "internal"])
        let number = try sandbox.succeed(["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m", "--json"],
                                         as: "jane@example.test").json()["ticket"].flatMap { ($0 as? [String: Any])?["ticketNumber"] as? String }
        let ticket = try #require(number)
        // When she replies three times, then a fourth
        for i in 1...3 { try sandbox.succeed(["respond", ticket, "--message", "more \(i)"], as: "jane@example.test") }
        let before = try sandbox.storedState()
        let fourth = try sandbox.run(["respond", ticket, "--message", "one too many", "--json"], as: "jane@example.test")
        // Then the fourth exits 75 with RATE_LIMITED and a retry time, and nothing changed
        #expect(fourth.status == 75, "\(fourth)")
        let error = try fourth.apiError()
        #expect(error["code"] as? String == "RATE_LIMITED" && (error["error"] as? String ?? "").contains("3 replies per hour"), "\(error)")
        #expect(try sandbox.storedState() == before)
        // And staff are not limited
        for i in 1...5 { try sandbox.succeed(["respond", ticket, "--message", "staff \(i)"], as: "sam@example.test") }
        // And 0 means no limit
        try sandbox.succeed(["settings", "set", "reply_rate_limit_per_hour", "0"])
        try sandbox.succeed(["respond", ticket, "--message", "unlimited now"], as: "jane@example.test")
    }

    @Test(arguments: Engine.available) func aRequestersRepliesQueueOneMailToStaffPerTicketUntilItIsSent(engine: Engine) throws {
        // Given mail on and a requester's two tickets
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail()
        try sandbox.succeed(["settings", "set", "reply_rate_limit_per_hour", "0"])
        try sandbox.succeed(["user", "add", "jane@example.test"])
        var tickets: [String] = []
        for subject in ["first", "second"] {
            let created = try sandbox.succeed(["ticket", "create", "--subject", subject, "--category", "bug-report", "--message", "m", "--json"],
                                              as: "jane@example.test").json()
            tickets.append(try #require((created["ticket"] as? [String: Any])?["ticketNumber"] as? String))
        }
        // When she replies 20 times on the first and once on the second
        for i in 1...20 { try sandbox.succeed(["respond", tickets[0], "--message", "again \(i)"], as: "jane@example.test") }
        try sandbox.succeed(["respond", tickets[1], "--message", "hello"], as: "jane@example.test")
        // Then one notice per ticket waits for the desk, not 21
        func replyNotices() throws -> [[String: Any]] { try sandbox.outbox().filter { $0["kind"] as? String == "requester-reply" } }
        let waiting = try replyNotices()
        #expect(waiting.map { $0["ticketNumber"] as? String } == tickets, "\(waiting)")
        // And once those are sent, her next reply queues a new one
        let out = sandbox.directory.appendingPathComponent("sent")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        #expect(try sandbox.flush("\(MailTools.fakeSendmail) --out \(out.path)").status == 0)
        try sandbox.succeed(["respond", tickets[0], "--message", "after the flush"], as: "jane@example.test")
        let notices = try replyNotices()
        #expect(notices.count == 3 && notices.map { $0["status"] as? String } == ["sent", "sent", "pending"], "\(notices)")
    }
}
