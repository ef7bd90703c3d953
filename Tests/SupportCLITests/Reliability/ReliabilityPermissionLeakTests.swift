import Foundation
import Testing

/// Part 6: what the permission matrix (PermissionMatrixTests) does not look at: search results
/// and their counts, history, and the mail each person is sent. A requester must never learn of
/// another requester's ticket or of any internal note through them.
@Suite("reliability: no leaks through search, history or mail", .enabled(if: ReliabilityTools.hasSQLite3, "needs the sqlite3 shell"))
struct ReliabilityPermissionLeakTests {
    enum Owner: String, CaseIterable, Sendable { case alice, bob }

    enum Text: String, CaseIterable, Sendable { case subject, message, publicReply, internalNote, requesterReply }

    /// One-word markers (FTS tokens), unique per ticket and kind of text.
    static func marker(_ text: Text, _ owner: Owner) -> String { "zq\(text.rawValue.lowercased())\(owner.rawValue)mark" }

    static func email(_ owner: Owner) -> String { "\(owner.rawValue)@example.test" }

    static let actors: [(name: String, email: String?, owner: Owner?)] = [
        ("alice", email(.alice), .alice), ("bob", email(.bob), .bob), ("staff", "staff@example.test", nil),
        ("admin", "admin@example.test", nil), ("operator", nil, nil),
    ]

    /// The two requesters' tickets with every kind of text, and all their mail sent to a mailbox.
    final class World: Sendable {
        let sandbox: Sandbox
        let numbers: [Owner: String]
        let mailbox: String

        init() throws {
            sandbox = try Sandbox()
            try sandbox.reliabilityEnableMail()
            try sandbox.succeed(["user", "add", "staff@example.test", "--role", "internal"])
            try sandbox.succeed(["user", "add", "admin@example.test", "--role", "admin"])
            var numbers: [Owner: String] = [:]
            for owner in Owner.allCases {
                try sandbox.succeed(["user", "add", email(owner), "--role", "user"])
                let ticket = try sandbox.createTicket(subject: "About \(marker(.subject, owner))",
                                                      message: "Details \(marker(.message, owner))", as: email(owner))
                let number = try #require(ticket["ticketNumber"] as? String)
                numbers[owner] = number
                let staff = "staff@example.test"
                try sandbox.succeed(["ticket", "update", number, "--assign", staff, "--status", "in-progress"], as: staff)
                try sandbox.succeed(["respond", number, "--message", "Public \(marker(.publicReply, owner))"], as: staff)
                try sandbox.succeed(["respond", number, "--internal", "--message", "Private \(marker(.internalNote, owner))"], as: staff)
                try sandbox.succeed(["ticket", "update", number, "--status", "resolved"], as: staff)
                try sandbox.succeed(["respond", number, "--message", "Thanks \(marker(.requesterReply, owner))"], as: email(owner))
                try sandbox.succeed(["respond", number, "--internal", "--message", "Closing \(marker(.internalNote, owner))"], as: staff)
            }
            self.numbers = numbers
            mailbox = sandbox.directory.appendingPathComponent("mailbox").path
            let sendmail = try sandbox.reliabilityMailboxSendmail(mailbox: mailbox)
            try sandbox.succeed(["notify", "flush", "--sendmail", sendmail])
            // A static is never deinitialised: remove its directory when the run ends.
            ReliabilityCleanup.removeAtExit(sandbox.directory)
        }
    }

    static let world = Result { try World() }

    /// Who may see `text` of `owner`'s ticket.
    static func visible(_ text: Text, of owner: Owner, to actor: Owner?) -> Bool {
        guard let actor else { return true }
        return actor == owner && text != .internalNote
    }

    @Test func searchFindsOnlyWhatTheActorMaySee() throws {
        // Given the two requesters' tickets
        let world = try Self.world.get()
        var cases = 0, leaks = 0
        // When each person searches for each marker, as a list (text and JSON) and as an export
        for actor in Self.actors {
            for owner in Owner.allCases {
                for text in Text.allCases {
                    let term = Self.marker(text, owner)
                    let shouldFind = Self.visible(text, of: owner, to: actor.owner)
                    let json = try world.sandbox.succeed(["ticket", "list", "--search", term, "--json"], as: actor.email).json()
                    let numbers = (json["tickets"] as? [[String: Any]] ?? []).compactMap { $0["ticketNumber"] as? String }
                    let total = (json["pagination"] as? [String: Int])?["total"]
                    let plain = try world.sandbox.succeed(["ticket", "list", "--search", term], as: actor.email).out
                    let export = try world.sandbox.succeed(["ticket", "export", "--search", term], as: actor.email).out
                    cases += 3
                    // Then the ticket is found exactly when the actor may see that text, and the
                    // count says no more than the list
                    let expected = shouldFind ? [world.numbers[owner]!] : []
                    #expect(numbers == expected, "\(actor.name) searching \(term): \(numbers)")
                    #expect(total == expected.count, "\(actor.name) searching \(term): total \(total ?? -1)")
                    #expect(plain.contains(world.numbers[owner]!) == shouldFind, "\(actor.name) searching \(term): \(plain)")
                    #expect(export.contains(world.numbers[owner]!) == shouldFind, "\(actor.name) exporting \(term)")
                    if numbers != expected || total != expected.count { leaks += 1 }
                    // And a requester's results never carry an internal note or another's text
                    if let me = actor.owner {
                        for forbidden in Self.forbidden(for: me) where (plain + export).contains(forbidden) || "\(json)".contains(forbidden) {
                            leaks += 1
                            Issue.record("\(actor.name) searching \(term) saw \(forbidden)")
                        }
                    }
                }
            }
        }
        ReliabilityFigures.report("leaks-search", ["cases": cases, "leaks": leaks])
    }

    /// Markers a requester must never see anywhere.
    static func forbidden(for me: Owner) -> [String] {
        let other: Owner = me == .alice ? .bob : .alice
        return Text.allCases.map { marker($0, other) } + Owner.allCases.map { marker(.internalNote, $0) }
    }

    @Test func historyShowsARequesterNoInternalEvent() throws {
        let world = try Self.world.get()
        var cases = 0, leaks = 0
        for owner in Owner.allCases {
            let number = world.numbers[owner]!
            // Given the staff view of the ticket's history
            let staff = try #require(try world.sandbox.succeed(["ticket", "history", number, "--json"], as: "staff@example.test")
                .json()["history"] as? [[String: Any]])
            let internalEvents = staff.filter { $0["isInternal"] as? Bool == true }
            #expect(internalEvents.count == 2, "two internal notes on \(number)")
            // When the requester looks at their own ticket's history, as JSON and as text
            let mine = try #require(try world.sandbox.succeed(["ticket", "history", number, "--json"], as: Self.email(owner))
                .json()["history"] as? [[String: Any]])
            let text = try world.sandbox.succeed(["ticket", "history", number], as: Self.email(owner)).out
            cases += 2
            // Then they see every event but the internal ones, and nothing of the notes
            #expect(mine.count == staff.count - internalEvents.count)
            #expect(mine.allSatisfy { $0["isInternal"] as? Bool == false && $0["action"] as? String != "ticket.noted" })
            #expect(!text.contains("internal note"), "\(text)")
            for forbidden in Self.forbidden(for: owner) where text.contains(forbidden) || "\(mine)".contains(forbidden) {
                leaks += 1
                Issue.record("\(owner) history shows \(forbidden)")
            }
            // And the other requester cannot see it at all
            let other: Owner = owner == .alice ? .bob : .alice
            let refused = try world.sandbox.run(["ticket", "history", number], as: Self.email(other))
            cases += 1
            #expect(refused.status == 66 && refused.out.isEmpty, "\(refused)")
        }
        ReliabilityFigures.report("leaks-history", ["cases": cases, "leaks": leaks])
    }

    /// The messages in a mailbox written by `reliabilityMailboxSendmail`: (recipient, decoded text).
    static func messages(in mailbox: String) -> [(recipient: String, text: String)] {
        let raw = (try? String(contentsOfFile: mailbox, encoding: .utf8)) ?? ""
        var out: [(String, String)] = []
        for chunk in raw.components(separatedBy: "From support ").dropFirst() {
            let recipient = String(chunk.prefix { $0 != "\n" })
            let message = String(chunk.drop { $0 != "\n" }.dropFirst())
            out.append((recipient, quotedPrintableDecoded(message)))
        }
        return out
    }

    /// Soft breaks removed and =XX decoded (enough to find ASCII markers in a body).
    static func quotedPrintableDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "=\n", with: "").utf8)
        var i = 0
        while i < source.count {
            if source[i] == UInt8(ascii: "="), i + 2 < source.count,
               let value = UInt8(String(decoding: source[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i += 3
            } else {
                bytes.append(source[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func mailToARequesterCarriesNothingTheyMayNotSee() throws {
        // Given all the mail the two tickets caused, delivered
        let world = try Self.world.get()
        let mail = Self.messages(in: world.mailbox)
        #expect(try world.sandbox.reliabilityCount("SELECT count(*) FROM outbox WHERE status != 'sent'") == 0)
        #expect(mail.count == (try world.sandbox.reliabilityCount("SELECT count(*) FROM outbox")))
        var leaks = 0, toRequesters = 0
        for owner in Owner.allCases {
            let mine = mail.filter { $0.recipient == Self.email(owner) }
            toRequesters += mine.count
            // Then each requester got their auto-response, the public reply and the resolution...
            #expect(mine.count == 3, "\(owner): \(mine.map { $0.text.prefix(200) })")
            #expect(mine.contains { $0.text.contains(Self.marker(.publicReply, owner)) })
            // ...and not one internal note nor a word of the other requester's ticket
            for message in mine {
                for forbidden in Self.forbidden(for: owner) where message.text.contains(forbidden) {
                    leaks += 1
                    Issue.record("mail to \(owner) contains \(forbidden)")
                }
            }
        }
        // And no message at all carries an internal note (staff read notes in the tool, not by mail)
        for message in mail {
            for owner in Owner.allCases where message.text.contains(Self.marker(.internalNote, owner)) {
                leaks += 1
                Issue.record("mail to \(message.recipient) contains an internal note")
            }
        }
        ReliabilityFigures.report("leaks-mail", ["mails": mail.count, "to-requesters": toRequesters, "leaks": leaks])
    }
}
