import Foundation
import Testing

/// Who acts without `--as`, and the local operator's placeholder never reaching a customer.
/// (issue 15: identity; issue 15.1, 15.2)
@Suite("identity: login mapping, the placeholder, removing people")
struct IdentityTests {
    static let ana = "ana@example.test"
    static let jane = "jane@example.test"

    /// The login of whoever runs the tests (root in CI).
    static var login: String {
        String(cString: getpwuid(getuid())!.pointee.pw_name)
    }

    static func mailOn(_ sandbox: Sandbox) throws {
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        try sandbox.succeed(["settings", "set", "support_auto_response", "true"])
    }

    static func recipients(_ sandbox: Sandbox) throws -> [String] {
        let list = try sandbox.succeed(["notify", "list", "--json"])
        return (try list.json()["messages"] as? [[String: Any]] ?? []).compactMap { $0["recipient"] as? String }
    }

    /// Every message waiting in the outbox, as the mail program receives it (headers and body):
    /// flushed through the fake sendmail into a directory of its own and read back.
    static func outboxText(_ sandbox: Sandbox) throws -> String {
        let out = try sandbox.makeDirectory("sent-\(UUID().uuidString)")
        let flush = try sandbox.flush("\(MailTools.fakeSendmail) --out \(out.path)")
        try #require(flush.status == 0, "\(flush)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".eml") }
        return try files.map { try String(contentsOfFile: out.appendingPathComponent($0).path, encoding: .utf8) }.joined(separator: "\n")
    }

    // MARK: The placeholder never reaches a customer

    @Test(arguments: Engine.available) func anUnmappedOperatorsPublicReplyIsRefusedWhenItWouldBeMailed(engine: Engine) throws {
        // Given mail on and Jane's ticket
        let sandbox = try Sandbox(engine: engine)
        try Self.mailOn(sandbox)
        try sandbox.createTicket(extra: ["--requester", Self.jane])
        let before = try Self.recipients(sandbox)
        // When the operator replies without --as and without a mapped login
        let result = try sandbox.run(["respond", Sandbox.number(1), "--message", "Fixed it."])
        // Then 67, saying what is missing; no reply, no mail
        #expect(result.status == 67, "\(result)")
        #expect(result.err.contains("--login") && result.err.contains("--as"), "\(result.err)")
        #expect(try Self.recipients(sandbox) == before)
        #expect((try sandbox.ticket(Sandbox.number(1))["responses"] as? [Any])?.isEmpty ?? true)
        // And an internal note, which nobody is mailed, is fine
        #expect(try sandbox.run(["respond", Sandbox.number(1), "--internal", "--message", "n"]).status == 0)
    }

    @Test(arguments: Engine.available) func anUnmappedOperatorsTicketWithoutRequesterIsRefusedWhenMailIsOn(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try Self.mailOn(sandbox)
        let result = try sandbox.run(["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m"])
        #expect(result.status == 65, "\(result)")
        #expect(result.err.contains("--requester"), "\(result.err)")
        #expect(try Self.recipients(sandbox).isEmpty)
    }

    @Test(arguments: Engine.available) func nameWithoutRequesterIsRefusedAndWithItIsHonoured(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try Self.mailOn(sandbox)
        let alone = try sandbox.run(["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m",
                                     "--name", "Jane Doe"])
        #expect(alone.status == 65, "\(alone)")
        let ticket = try sandbox.createTicket(extra: ["--requester", Self.jane, "--name", "Jane Doe"])
        #expect((ticket["submittedBy"] as? [String: Any])?["name"] as? String == "Jane Doe")
        let recipients = try Self.recipients(sandbox)
        #expect(!recipients.contains("operator@localhost") && recipients.contains(Self.jane), "\(recipients)")
        #expect(!(try Self.outboxText(sandbox)).contains("operator@localhost"))
    }

    // MARK: The invoking login acts as its person

    @Test(arguments: Engine.available) func withoutAsTheMappedLoginActsAndIsRecordedAndMailedAsThatPerson(engine: Engine) throws {
        // Given Ana mapped to the login running the tests, mail on, Jane's ticket
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", Self.ana, "--name", "Ana Agent", "--role", "admin", "--login", Self.login])
        try Self.mailOn(sandbox)
        try sandbox.createTicket(extra: ["--requester", Self.jane])
        // When a public reply is made without --as
        let reply = try sandbox.run(["respond", Sandbox.number(1), "--message", "Try again now."])
        // Then it is Ana's: in the ticket, in the audit trail and in the mail
        #expect(reply.status == 0, "\(reply)")
        let responses = try sandbox.ticket(Sandbox.number(1))["responses"] as? [[String: Any]] ?? []
        #expect((responses.last?["respondedBy"] as? [String: Any])?["email"] as? String == Self.ana)
        let audit = try sandbox.succeed(["audit", "--action", "ticket.replied", "--json"])
        let actors = (try audit.json()["events"] as? [[String: Any]] ?? []).compactMap { ($0["actor"] as? [String: Any])?["email"] as? String }
        #expect(actors == [Self.ana], "\(actors)")
        let mail = try Self.outboxText(sandbox)
        #expect(mail.contains("Ana Agent") && !mail.contains("Local operator") && !mail.contains("operator@localhost"))
        // And a ticket opened without --requester is Ana's own
        let own = try sandbox.createTicket()
        #expect((own["submittedBy"] as? [String: Any])?["email"] as? String == Self.ana)
        #expect(!(try Self.recipients(sandbox)).contains("operator@localhost"))
    }

    // SQLite only: who owns the desk's file decides here. On PostgreSQL there is no file to own,
    // and an unmapped login acts as the local operator (README, "A desk on PostgreSQL").
    @Test func anUnmappedUserWhoDoesNotOwnTheFileMustNameThemself() throws {
        guard let other = SecondUser.available("anUnmappedUserWhoDoesNotOwnTheFileMustNameThemself") else { return }
        // Given a desk root owns but lets others write (the case the placeholder must not cover)
        let sandbox = try Sandbox()
        try sandbox.createTicket()
        try sandbox.openToOthers()
        for suffix in ["", "-wal", "-shm", ".lock"] { chmod(sandbox.dbPath + suffix, 0o666) }
        chmod(sandbox.directory.path, 0o1777)
        // When the other user runs support without --as
        let unmapped = try sandbox.runAs(other, [sandbox.binary.path, "ticket", "list"])
        // Then 67, naming their login and how to map it
        #expect(unmapped.status == 67, "\(unmapped)")
        #expect(unmapped.err.contains(other.name), "\(unmapped.err)")
        // And once mapped, they act as their person (a requester here: their own tickets only)
        try sandbox.succeed(["user", "add", "other@example.test", "--login", other.name])
        let mapped = try sandbox.runAs(other, [sandbox.binary.path, "ticket", "list", "--json"])
        #expect(mapped.status == 0, "\(mapped)")
        #expect((try mapped.json()["tickets"] as? [Any])?.isEmpty == true)
    }

    @Test(arguments: Engine.available) func aLoginMapsToOnePersonAndMustLookLikeALogin(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", Self.ana, "--role", "internal", "--login", "ana"])
        let taken = try sandbox.run(["user", "add", "bob@example.test", "--login", "ana"])
        #expect(taken.status == 65, "\(taken)")
        for bad in ["-rf", "a b", "ana\u{1B}", String(repeating: "a", count: 33)] {
            let result = try sandbox.run(["user", "update", Self.ana, "--login=\(bad)"])
            #expect(result.status == 65, "\(bad): \(result)")
        }
        // `--login=` names no value at all: a usage error, as for every option
        #expect(try sandbox.run(["user", "update", Self.ana, "--login="]).status == 64)
        let unmap = try sandbox.run(["user", "update", Self.ana, "--no-login", "--json"])
        #expect(unmap.status == 0, "\(unmap)")
        #expect(try (unmap.json()["user"] as? [String: Any])?["login"] is NSNull)
    }

    // MARK: The placeholder is not a person; the last admin stays

    @Test(arguments: [
        ["user", "update", "operator@localhost", "--role", "user"],
        ["user", "update", "operator@localhost", "--name", "Me"],
        ["user", "add", "operator@localhost"],
        ["user", "remove", "operator@localhost"],
    ], Engine.available)
    func thePlaceholderCannotBeAddedChangedOrRemoved(line: [String], engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_name", "Desk"])  // the placeholder row exists now
        let before = try sandbox.succeed(["audit", "--json"]).out
        let result = try sandbox.run(line)
        #expect(result.status == 65, "\(line): \(result)")
        #expect(!result.out.contains("Updated") && !result.out.contains("Added"))
        #expect(result.err.contains("placeholder"), "\(result.err)")
        #expect(try sandbox.succeed(["audit", "--json"]).out == before)
    }

    @Test(arguments: Engine.available) func theLastAdminCannotBeDemotedOrRemoved(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["user", "add", Self.ana, "--role", "admin"])
        for line in [["user", "update", Self.ana, "--role", "internal"], ["user", "remove", Self.ana]] {
            let result = try sandbox.run(line)
            #expect(result.status == 65, "\(line): \(result)")
            #expect(result.err.contains("last admin"), "\(result.err)")
        }
        // With a second admin, either is possible
        try sandbox.succeed(["user", "add", "bob@example.test", "--role", "admin"])
        try sandbox.succeed(["user", "update", Self.ana, "--role", "internal"])
        let again = try sandbox.run(["user", "update", "bob@example.test", "--role", "user"])
        #expect(again.status == 65, "bob is now the last admin: \(again)")
    }

    // MARK: user remove

    @Test(arguments: Engine.available) func removingAPersonKeepsTheirHistoryAndUnassignsTheirTickets(engine: Engine) throws {
        // Given Sam, staff, assigned to two tickets, with a reply on one
        let sandbox = try Sandbox(engine: engine)
        let sam = "sam@example.test"
        try sandbox.succeed(["user", "add", sam, "--name", "Sam", "--role", "internal", "--login", "sam"])
        try sandbox.createTicket(extra: ["--requester", Self.jane])
        try sandbox.createTicket(extra: ["--requester", Self.jane])
        try sandbox.succeed(["ticket", "update", Sandbox.number(1), "--assign", sam])
        try sandbox.succeed(["ticket", "update", Sandbox.number(2), "--assign", sam])
        try sandbox.succeed(["respond", Sandbox.number(1), "--internal", "--message", "on it"], as: sam)
        // When Sam is removed
        let removed = try sandbox.run(["user", "remove", sam, "--json"])
        // Then both tickets are unassigned, each change in its history
        #expect(removed.status == 0, "\(removed)")
        #expect(try removed.json()["unassigned"] as? [String] == [Sandbox.number(1), Sandbox.number(2)])
        for n in [1, 2] {
            let assigned = try sandbox.ticket(Sandbox.number(n))["assignedTo"]
            #expect(assigned == nil || assigned is NSNull, "\(String(describing: assigned))")
            let history = try sandbox.succeed(["ticket", "history", Sandbox.number(n), "--json"]).out
            #expect(history.contains("assignedTo") && history.contains(sam))
        }
        // And Sam's reply still names Sam; Sam can no longer act or be assigned; the list omits Sam
        let responses = try sandbox.ticket(Sandbox.number(1))["responses"] as? [[String: Any]] ?? []
        #expect((responses.first?["respondedBy"] as? [String: Any])?["email"] as? String == sam)
        #expect(try sandbox.run(["ticket", "list"], as: sam).status == 67)
        #expect(try sandbox.run(["ticket", "update", Sandbox.number(1), "--assign", sam]).status == 65)
        #expect(!(try sandbox.succeed(["user", "list"]).out.contains(sam)))
        #expect(try sandbox.succeed(["audit", "--action", "user.changed", "--json"]).out.contains("removed"))
        // And `user add` brings Sam back
        try sandbox.succeed(["user", "add", sam, "--role", "internal"])
        #expect(try sandbox.run(["ticket", "list"], as: sam).status == 0)
    }

    @Test(arguments: Engine.available) func removingNobodyIs66(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let result = try sandbox.run(["user", "remove", "nobody@example.test"])
        #expect(result.status == 66, "\(result)")
    }
}
