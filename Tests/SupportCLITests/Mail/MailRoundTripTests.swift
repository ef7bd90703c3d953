import Foundation
import Testing

/// Mail written by the real binary, relayed by msmtp to an SMTP receiver on loopback, read back
/// with Python's `email` package: what was typed is what a mail client shows.
@Suite("Mail round trip through msmtp and an SMTP receiver")
struct MailRoundTripTests {
    static let subject: String = {
        // 190 characters: accents, CJK, emoji (a ZWJ family is one character), a header
        // lookalike, an encoded-word lookalike, and a run of spaces that must survive.
        let head = "Ünïcödé ✓ 日本語のテキスト — emoji 🎉👩‍👩‍👧 Bcc: evil@x.test =?UTF-8?B?SGk=?= two  spaces "
        var text = head
        let filler = Array("Grüße aus Köln, ça va? Ωμέγα ")
        var i = 0
        while text.count < 190 {
            text.append(filler[i % filler.count])
            i += 1
        }
        if text.last == " " { text.removeLast(); text.append("!") }
        return text
    }()

    /// A display name long enough to need several encoded-words, with quotes, a comma and an
    /// address lookalike (99 characters; the limit is 100).
    static let requesterName = "Jåne “Quotes” \"Dœ-Smith\", Jr. <not-an-address@x.test> Ünïcödé Ωmega Name Long Enough To Fold 名前"

    static let supportName = "Сервис Ünïcödé — Help Désk"

    static let longLine: String = {
        let pattern = Array("0123456789abcdefghijklmnopqrstuvwxyzÄÖÜäöüß日本語 =?x?= ")
        return String((0..<5000).map { pattern[$0 % pattern.count] })
    }()

    static let message = """
        Grüße aus Köln — ✓ a UTF-8 body
        .
        ..
        From the start of a line
        =?UTF-8?B?SGk=?= stays as typed in a body
        trailing spaces stay   
        \ttab-indented line
        \(longLine)
        Bcc: evil@x.test
        end.
        """

    static let reply = """
        Bitte versuchen Sie es erneut — 再試行してください.
        .
        A second line after a lone dot.
        """

    @Test(arguments: Engine.available) func subjectBodyNamesAndThreadingDecodeBackExactly(engine: Engine) throws {
        // Given mail on, an auto-response whose template is just the message, a staff member,
        // and a receiver on loopback behind msmtp
        let sandbox = try Sandbox(engine: engine)
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        #expect(Self.subject.count == 190)
        #expect(Self.requesterName.count <= 100)
        #expect(Self.longLine.count == 5000)
        try sandbox.enableMail(autoResponse: true, extra: [
            ("support_name", Self.supportName), ("support_email_template", "{{message}}"),
        ])
        try sandbox.succeed(["user", "add", "ana@example.test", "--name", "Ana Ågren-Łukasiewicz", "--role", "internal"])

        // When a requester's ticket is opened, staff reply, the requester replies and the
        // ticket is resolved
        try sandbox.succeed(["ticket", "create", "--subject", Self.subject, "--category", "technical-issue",
                             "--requester", "jane@example.test", "--name", Self.requesterName, "--message", "-"],
                            stdin: Data(Self.message.utf8))
        let number = Sandbox.number(1)
        try sandbox.succeed(["respond", number, "--message", "-"], as: "ana@example.test", stdin: Data(Self.reply.utf8))
        try sandbox.succeed(["respond", number, "--message", "Danke schön — it works."], as: "jane@example.test")
        try sandbox.succeed(["ticket", "update", number, "--status", "resolved"], as: "ana@example.test")
        let queued = try sandbox.outbox()
        #expect(queued.map { $0["kind"] as? String } == ["new-ticket", "auto-response", "staff-reply", "requester-reply", "status-change"])

        // And the outbox is flushed through msmtp
        let flush = try sandbox.flush(sink.sendmail)
        try #require(flush.status == 0, "\(flush)")
        #expect(try flush.flushSummary() == (5, 0, 0))

        // Then five messages arrived, one per outbox row, each to exactly its recipient
        let received = try sink.received(in: sandbox)
        try #require(received.count == 5, "\(received.map(\.file))")
        var byKind: [String: ReceivedMail] = [:]
        for row in queued {
            let kind = try #require(row["kind"] as? String)
            let id = try #require(row["messageId"] as? String)
            let matches = received.filter { $0.bareMessageID == id }
            try #require(matches.count == 1, "\(kind): \(id) arrived \(matches.count) times")
            let mail = matches[0]
            byKind[kind] = mail
            #expect(mail.mailFrom == Sandbox.supportAddress, "\(kind)")
            #expect(mail.rcptTos == [row["recipient"] as? String ?? "?"], "\(kind)")
            // well-formed: only the composer's headers, each once; 7-bit; no long line; no defect
            let names = Set((mail.headerNames ?? []).map { $0.lowercased() })
            #expect(names.isSubset(of: composerHeaders), "\(kind): \(names.subtracting(composerHeaders))")
            #expect(mail.headerCount?.values.allSatisfy { $0 == 1 } == true, "\(kind): \(mail.headerCount ?? [:])")
            #expect(mail.defects == [], "\(kind)")
            #expect((mail.maxLine ?? 9999) <= 998, "\(kind)")
            #expect(mail.eightBit == false && mail.nul == false && mail.bareCR == false, "\(kind)")
            #expect(mail.contentType == "text/plain" && mail.charset == "utf-8", "\(kind)")
            #expect(mail.from == [.init(name: Self.supportName, email: Sandbox.supportAddress)], "\(kind)")
            #expect(ticketTag(in: mail.subject ?? "") == "[\(number)]", "\(kind): \(mail.subject ?? "nil")")
            #expect(mail.messageID?.hasPrefix("<") == true && mail.messageID?.hasSuffix(">") == true, "\(kind)")
        }
        #expect(Set(received.compactMap(\.messageID)).count == 5, "Message-IDs are unique")

        // And the new-ticket notice goes to the support address, its Reply-To the requester
        let notice = try #require(byKind["new-ticket"])
        #expect(notice.subject == "[\(number)] \(Self.subject)")
        #expect(notice.to == [.init(name: "", email: Sandbox.supportAddress)])
        #expect(notice.replyTo == [.init(name: Self.requesterName, email: "jane@example.test")])
        #expect(notice.body?.contains("\n\n\(Self.message)\n\n-- \n") == true, "the message appears whole in the notice")
        #expect(notice.inReplyTo == nil && notice.references == nil)
        let root = try #require(notice.messageID)

        // And the auto-response body is the message exactly (template `{{message}}`), marked automatic
        let auto = try #require(byKind["auto-response"])
        #expect(auto.subject == "[\(number)] \(Self.subject)")
        #expect(auto.body == Self.message + "\n")
        #expect(auto.to == [.init(name: Self.requesterName, email: "jane@example.test")])
        #expect(auto.autoSubmitted == "auto-replied")

        // And the staff reply threads under the notice: In-Reply-To and References are its Message-ID
        let staff = try #require(byKind["staff-reply"])
        #expect(staff.subject == "Re: [\(number)] \(Self.subject)")
        #expect(staff.inReplyTo == root)
        #expect(staff.references == root)
        #expect(staff.to == [.init(name: Self.requesterName, email: "jane@example.test")])
        #expect(staff.body?.contains("\n\n\(Self.reply)\n\n-- \n") == true, "\(staff.body ?? "nil")")
        #expect(staff.autoSubmitted == nil)

        // And the requester's reply goes to the support address (no assignee), Reply-To the requester
        let answer = try #require(byKind["requester-reply"])
        #expect(answer.rcptTos == [Sandbox.supportAddress])
        #expect(answer.replyTo == [.init(name: Self.requesterName, email: "jane@example.test")])
        #expect(answer.body?.contains("Danke schön — it works.") == true)
        #expect(answer.inReplyTo == root && answer.references == root)

        // And the status change tells the requester, marked automatic, in the same thread
        let status = try #require(byKind["status-change"])
        #expect(status.subject == "[\(number)] Resolved: \(Self.subject)")
        #expect(status.autoSubmitted == "auto-generated")
        #expect(status.inReplyTo == root && status.references == root)

        // And the other engineer's checker agrees about the auto-response, byte for byte
        let expect = try sandbox.makeDirectory("expect")
        func file(_ name: String, _ text: String) throws -> String {
            let url = expect.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        let check = try MailTools.runPython([
            MailTools.script("check_message.py"), auto.file,
            "--subject-file", try file("subject", "[\(number)] \(Self.subject)"),
            "--body-file", try file("body", Self.message),
            "--from-name-file", try file("from", Self.supportName), "--from-email", Sandbox.supportAddress,
            "--to-name-file", try file("to", Self.requesterName), "--to-email", "jane@example.test",
            "--message-id", try #require(auto.bareMessageID),
        ], in: sandbox)
        #expect(check.status == 0, "\(check)")

        // And the outbox says all five were sent on the first attempt
        for row in try sandbox.outbox() {
            #expect(row["status"] as? String == "sent" && row["attempts"] as? Int == 1, "\(row)")
        }
    }

    @Test(arguments: Engine.available) func internalNotesAndNoNotifyRepliesSendNothing(engine: Engine) throws {
        // Given mail on and a ticket whose notice has been sent
        let sandbox = try Sandbox(engine: engine)
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        try sandbox.enableMail()
        try sandbox.succeed(["user", "add", "ana@example.test", "--name", "Ana", "--role", "internal"])
        try sandbox.succeed(["ticket", "create", "--subject", "Quiet please", "--category", "bug-report",
                             "--requester", "jane@example.test", "--message", "hello"])
        // When staff add an internal note and a reply with --no-notify, then flush
        try sandbox.succeed(["respond", Sandbox.number(1), "--internal", "--message", "secret note"], as: "ana@example.test")
        try sandbox.succeed(["respond", Sandbox.number(1), "--no-notify", "--message", "quiet reply"], as: "ana@example.test")
        let flush = try sandbox.flush(sink.sendmail)
        #expect(flush.status == 0, "\(flush)")
        // Then only the new-ticket notice arrived, at the support address
        let received = try sink.received(in: sandbox)
        #expect(received.map(\.rcptTos) == [[Sandbox.supportAddress]])
        #expect(received.allSatisfy { !($0.body ?? "").contains("secret note") })
    }
}
