import Foundation
import Testing

@Suite("ticket rate limit")
struct RateLimitCommandTests {
    @Test func aRequestersThirdTicketInAnHourExits75() throws {
        // Given a limit of 2 an hour, set by the operator, and a known requester
        let sandbox = try Sandbox()
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

    @Test func staffAndTheOperatorAreExempt() throws {
        let sandbox = try Sandbox()
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
}
