import Foundation
import Testing

@Suite("notify retry")
struct MailRetryTests {
    @Test(arguments: Engine.available) func retryingAPendingMessageMakesItDueButKeepsItsAttempts(engine: Engine) throws {
        // Given a message that failed once for now (the mail program said "try later")
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail()
        try sandbox.createTicket(subject: "retry keeps count")
        let later = try sandbox.script(named: "later.sh", "cat >/dev/null; echo 'queue full' >&2; exit 75")
        #expect(try sandbox.flush(later).status == 75)
        let before = try #require(try sandbox.outbox().first)
        #expect(before["status"] as? String == "pending" && before["attempts"] as? Int == 1, "\(before)")
        // When an admin retries it by id
        let id = try #require(before["id"] as? Int)
        try sandbox.succeed(["notify", "retry", String(id)])
        // Then it is due now but still counts its attempt, so retry cannot get round mail_max_attempts
        let after = try #require(try sandbox.outbox().first)
        #expect(after["status"] as? String == "pending", "\(after)")
        #expect(after["attempts"] as? Int == 1, "\(after)")
        #expect(try sandbox.succeed(["notify", "flush", "--dry-run", "--json"]).out.contains("\"id\": \(id)"))
    }
}
