import Foundation
import SupportCore
import Testing

/// No user input can add a header or a recipient: hostile subjects, names and messages are
/// refused at the command line when they hold control characters (exit 65), and whatever does
/// get in (printable lookalikes through the binary; raw CR, LF and NUL through the composer or
/// straight into the database) arrives as inert text, to exactly the intended recipient.
@Suite("Mail header and recipient injection")
struct MailInjectionTests {
    static let evil = "evil@x.test"

    // MARK: refused at the door

    @Test func controlCharactersInSubjectsNamesAndAddressesAreRefused() throws {
        // Given mail on and a ticket whose mail is already queued
        let sandbox = try Sandbox()
        try sandbox.enableMail(autoResponse: true)
        try sandbox.createTicket(subject: "baseline")
        let before = try sandbox.outbox().count
        let state = try sandbox.storedState()

        // When hostile text with control characters is given to every field that reaches a header
        let subjects = ["hello\r\nBcc: x@evil.test", "a\rb", "a\nBcc: x@evil.test", "nul\u{1}here", "esc\u{1B}[31m",
                        "nel\u{85}Bcc: x@evil.test", "ls\u{2028}Bcc: x@evil.test", "del\u{7F}"]
        for subject in subjects {
            let result = try sandbox.run(["ticket", "create", "--subject", subject, "--category", "bug-report", "--message", "m"])
            // Then each is refused with 65 (EX_DATAERR)
            #expect(result.status == 65, "subject \(subject.debugDescription): \(result)")
        }
        let names = ["Jane\r\nBcc: x@evil.test", "Jane\nCc: x@evil.test", "Jane\rDoe", "tab\there"]
        for name in names {
            let result = try sandbox.run(["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m",
                                          "--requester", "jane@example.test", "--name", name])
            #expect(result.status == 65, "name \(name.debugDescription): \(result)")
            let user = try sandbox.run(["user", "add", "ann@example.test", "--name", name])
            #expect(user.status == 65, "user add --name \(name.debugDescription): \(user)")
        }
        let addresses = ["jane@example.test\r\nBcc: x@evil.test", "jane@example.test, \(Self.evil)", "Jane <jane@example.test>",
                         "jane@example.test>\nRCPT TO:<\(Self.evil)", "-oQ/tmp@example.test", "\"j a\"@example.test"]
        for address in addresses {
            let result = try sandbox.run(["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m",
                                          "--requester=\(address)"])
            #expect(result.status == 65, "requester \(address.debugDescription): \(result)")
            let setting = try sandbox.run(["settings", "set", "support_email", "--", address])
            #expect(setting.status == 65, "support_email \(address.debugDescription): \(setting)")
        }
        for supportName in ["Support\r\nBcc: x@evil.test", "Support\nX"] {
            let result = try sandbox.run(["settings", "set", "support_name", supportName])
            #expect(result.status == 65, "support_name \(supportName.debugDescription): \(result)")
        }
        // And a message holding NUL or another control character (stdin can carry a NUL; argv cannot)
        for bytes in [Data("before\u{0}Bcc: x@evil.test".utf8), Data("esc \u{1B}]0;title\u{7}".utf8), Data([0x68, 0x00])] {
            let result = try sandbox.run(["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "-"], stdin: bytes)
            #expect(result.status == 65, "message \(bytes as NSData): \(result)")
            let reply = try sandbox.run(["respond", Sandbox.number(1), "--message", "-"], stdin: bytes)
            #expect(reply.status == 65, "reply \(bytes as NSData): \(reply)")
        }

        // And nothing was stored or queued
        #expect(try sandbox.outbox().count == before)
        #expect(try sandbox.storedState() == state)
    }

    // MARK: printable lookalikes, through the binary and the real chain

    static let hostileSubjects = [
        "Bcc: \(evil)",
        "=?UTF-8?B?DQpCY2M6IGV2aWxAeC50ZXN0?=",  // decodes to "\r\nBcc: evil@x.test"
        "=?utf-8?q?=0D=0ABcc:_evil@x.test?= tail",
        "x =?UTF-8?Q?=0A?= Bcc: \(evil) =?",
        "<\(evil)>, \"quoted\" (comment) ; semi : colon",
        "\\\"; Bcc: \(evil)",
        "Subject: fake To: \(evil)",
        String(repeating: "=?", count: 90),
    ]

    static let hostileNames = [
        "Evil \"Quote\" <\(evil)>, other@x.test",
        "=?UTF-8?B?RXZpbA0KQmNjOiBldmlsQHgudGVzdA==?=",  // "Evil\r\nBcc: evil@x.test"
        "a@b.test <\(evil)>",
        "\"; Bcc: \(evil); \"",
        "Back\\slash \\\" quote",
        "(comment) name ; group: undisclosed-recipients:;",
        "Ünïcödé, <\(evil)> =?",
        "Plain Name",
    ]

    static let hostileMessages = [
        "line one\nBcc: \(evil)\nTo: \(evil)\n\nmore",
        "a\r\nBcc: \(evil)\r\n.\r\nMAIL FROM:<\(evil)>\r\nRCPT TO:<\(evil)>\r\nDATA\r\nSubject: smuggled",
        "Content-Type: text/html\n\n<script>alert(1)</script>",
        "--boundary\nContent-Transfer-Encoding: base64\n\nQmNjOiBldmlsQHgudGVzdA==",
        ".",
        "=?UTF-8?B?DQpCY2M6IGV2aWxAeC50ZXN0?=",
        "\rBcc: \(evil)\rcarriage returns only\r.",
        "From \(evil) Thu Nov 26 16:04:17 2026\n>From x",
    ]

    @Test func printableLookalikesArriveAsTextToExactlyTheIntendedRecipient() throws {
        // Given mail on with an auto-response that is just the message, and a receiver behind msmtp
        let sandbox = try Sandbox()
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        try sandbox.enableMail(autoResponse: true, extra: [("support_email_template", "{{message}}"),
                                                          ("support_name", "Desk \"<\(Self.evil)>\", =?x?= Bcc:")])
        try sandbox.succeed(["user", "add", "ana@example.test", "--name", Self.hostileNames[0], "--role", "internal"])

        // When eight requesters with hostile names open tickets with hostile subjects and messages,
        // staff (with a hostile name too) reply, and the outbox is flushed through msmtp
        let count = Self.hostileSubjects.count
        for i in 0..<count {
            try sandbox.succeed(["ticket", "create", "--subject", Self.hostileSubjects[i], "--category", "general-inquiry",
                                 "--requester", "victim\(i)@example.test", "--name", Self.hostileNames[i], "--message", "-"],
                                stdin: Data(Self.hostileMessages[i].utf8))
            try sandbox.succeed(["respond", Sandbox.number(i + 1), "--message", "-"], as: "ana@example.test",
                                stdin: Data(Self.hostileMessages[(i + 1) % count].utf8))
        }
        let queued = try sandbox.outbox()
        try #require(queued.count == 3 * count)
        let flush = try sandbox.flush(sink.sendmail, ["--jobs", "4"])
        #expect(flush.status == 0, "\(flush)")

        // Then exactly one message arrived per outbox row, and nobody else got anything
        let received = try sink.received(in: sandbox)
        #expect(received.count == queued.count)
        let everyRecipient = received.flatMap(\.rcptTos)
        #expect(!everyRecipient.contains { $0.contains("evil") || $0.contains("x.test") }, "\(everyRecipient)")
        for row in queued {
            let id = try #require(row["messageId"] as? String)
            let kind = row["kind"] as? String ?? "?"
            let ticket = Int((row["ticketNumber"] as? String ?? "").suffix(3)) ?? 0
            let i = ticket - 1
            let matches = received.filter { $0.bareMessageID == id }
            try #require(matches.count == 1, "\(kind) of ticket \(ticket) arrived \(matches.count) times")
            let mail = matches[0]
            let label = "\(kind) #\(ticket)"
            #expect(mail.rcptTos == [row["recipient"] as? String ?? "?"], "\(label)")
            // only the composer's headers, each once, and no Bcc/Cc at all
            let names = (mail.headerNames ?? []).map { $0.lowercased() }
            #expect(Set(names).isSubset(of: composerHeaders), "\(label): \(names)")
            #expect(names.count == Set(names).count, "\(label): a header twice: \(names)")
            #expect(mail.defects == [], "\(label)")
            #expect(mail.nul == false && mail.bareCR == false && mail.eightBit == false, "\(label)")
            // one mailbox in each address header, and the right one
            #expect(mail.to?.map(\.email) == [row["recipient"] as? String ?? "?"], "\(label): \(mail.to ?? [])")
            #expect(mail.from?.count == 1 && mail.from?.first?.email == Sandbox.supportAddress, "\(label)")
            #expect(mail.from?.first?.name == "Desk \"<\(Self.evil)>\", =?x?= Bcc:", "\(label)")
            // the text shows exactly as typed: lookalikes are not decoded
            let subject = Self.hostileSubjects[i]
            let message = Self.hostileMessages[i].replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            switch kind {
            case "new-ticket":
                #expect(mail.subject == "[\(Sandbox.number(ticket))] \(subject)", "\(label)")
                #expect(mail.replyTo == [.init(name: Self.hostileNames[i], email: "victim\(i)@example.test")], "\(label)")
            case "auto-response":
                #expect(mail.subject == "[\(Sandbox.number(ticket))] \(subject)", "\(label)")
                #expect(mail.to == [.init(name: Self.hostileNames[i], email: "victim\(i)@example.test")], "\(label)")
                #expect(mail.body == message.trimmingCharacters(in: .whitespacesAndNewlines) + "\n", "\(label)")
            case "staff-reply":
                #expect(mail.subject == "Re: [\(Sandbox.number(ticket))] \(subject)", "\(label)")
                #expect(mail.to == [.init(name: Self.hostileNames[i], email: "victim\(i)@example.test")], "\(label)")
            default:
                Issue.record("unexpected kind \(kind)")
            }
        }
    }

    // MARK: raw control characters, through the composer and the real chain

    struct Case: Sendable, CustomStringConvertible {
        var subject: String
        var fromName = "Support"
        var toName = "Victim"
        var replyToName: String? = nil
        var body = "body"
        var description: String { subject.debugDescription }
    }

    static let composerCorpus: [Case] = [
        Case(subject: "hello\r\nBcc: x@evil.test", toName: "Victim\r\nBcc: x@evil.test", body: "ok\nBcc: evil@x.test\n"),
        Case(subject: "\u{0}NUL\u{0}in subject", toName: "Nul\u{0}Name", body: "nul \u{0} in body\u{0}"),
        Case(subject: "CR only\rTo: x@evil.test", fromName: "Support\rCc: x@evil.test", body: "cr\ronly\r"),
        Case(subject: "LF only\nCc: x@evil.test", replyToName: "Reply\n\nBody starts here", body: "\n\nBcc: evil@x.test"),
        Case(subject: "\r\n\r\nBody injection", body: "\r\n.\r\nQUIT\r\nMAIL FROM:<evil@x.test>\r\n"),
        Case(subject: "seps\u{2028}Bcc: x@evil.test\u{2029}P\u{85}NEL", toName: "NEL\u{85}Bcc: x@evil.test\u{2028}"),
        Case(subject: "quotes", fromName: "a,b;c:d<e>f@g \"q\\\"", toName: "Evil \"Q\" <evil@x.test>, other@x.test",
             replyToName: "\"\\\"<evil@x.test>"),
        Case(subject: "=?UTF-8?B?DQpCY2M6IGV2aWxAeC50ZXN0?=", toName: "=?UTF-8?Q?x=0D=0ABcc:_evil@x.test?=",
             body: "=?UTF-8?B?DQpCY2M6IGV2aWxAeC50ZXN0?="),
        Case(subject: "tab\there\u{7F}del\u{1B}[31m", toName: "\t\tTabbed\t Name \r\n"),
        Case(subject: String(repeating: "word \r\nBcc: x@evil.test ", count: 40),
             toName: String(repeating: "Ünï\r\nBcc: x@evil.test ", count: 12),
             body: String(repeating: "Bcc: evil@x.test\r\n", count: 200)),
    ]

    @Test func rawControlCharactersThroughTheComposerAddNoHeaderAndNoRecipient() throws {
        // Given messages composed from text holding CR, LF, NUL and other controls (what the CLI
        // refuses, as if it had got in some other way), piped into msmtp like the flusher does
        let sandbox = try Sandbox()
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        let outgoing = try sandbox.makeDirectory("outgoing")
        let expect = try sandbox.makeDirectory("expect")
        var ids: [String] = []
        for (i, c) in Self.composerCorpus.enumerated() {
            let id = "composer-\(i)\r\n\tBcc@example.test"
            ids.append(id)
            let message = MailMessage(
                from: MailAddress(name: c.fromName, email: "help@example.test"),
                to: [MailAddress(name: c.toName, email: "victim\(i)@example.test")],
                subject: c.subject, body: c.body, messageID: id,
                inReplyTo: "root\r\nBcc@example.test", references: ["a\nb@example.test", "<c@example.test>"], date: Date(),
                autoSubmitted: i.isMultiple(of: 2) ? "auto-generated\r\nBcc: x@evil.test" : nil,
                replyTo: c.replyToName.map { MailAddress(name: $0, email: "reply\(i)@example.test") })
            try Data(MessageComposer.compose(message)).write(to: outgoing.appendingPathComponent("\(i).eml"))
            for (name, text) in [("subject", c.subject), ("from", c.fromName), ("to", c.toName), ("body", c.body)] {
                try Data(text.utf8).write(to: expect.appendingPathComponent("\(i).\(name)"))
            }
            if let reply = c.replyToName { try Data(reply.utf8).write(to: expect.appendingPathComponent("\(i).reply")) }
        }

        // When each is piped to msmtp with its one recipient as an argument, as the flusher does
        let send = try sandbox.shell("""
            i=0
            while [ -f "\(outgoing.path)/$i.eml" ]; do
                "$MSMTP" -C "$RC" -i -f help@example.test -- "victim$i@example.test" < "\(outgoing.path)/$i.eml" || exit $?
                i=$((i + 1))
            done
            """, environment: ["MSMTP": try MailTools.msmtp.get(), "RC": sink.msmtprc.path])
        try #require(send.status == 0, "\(send)")

        // Then one message per case arrived, to its one recipient, with only the composer's headers
        let received = try sink.received(in: sandbox)
        #expect(received.count == Self.composerCorpus.count)
        for (i, c) in Self.composerCorpus.enumerated() {
            let matches = received.filter { $0.rcptTos.contains("victim\(i)@example.test") }
            try #require(matches.count == 1, "case \(i) \(c)")
            let mail = matches[0]
            #expect(mail.rcptTos == ["victim\(i)@example.test"], "case \(i)")
            let names = (mail.headerNames ?? []).map { $0.lowercased() }
            #expect(Set(names).isSubset(of: composerHeaders) && names.count == Set(names).count, "case \(i): \(names)")
            #expect(mail.to?.map(\.email) == ["victim\(i)@example.test"], "case \(i): \(mail.to ?? [])")
            #expect(mail.from?.map(\.email) == ["help@example.test"], "case \(i)")
            #expect(mail.replyTo?.map(\.email) == c.replyToName.map { _ in ["reply\(i)@example.test"] }, "case \(i)")
            // ids keep printable ASCII only (no space, no angle bracket): each stays one token
            #expect(mail.messageID == "<composer-\(i)Bcc@example.test>", "case \(i)")
            #expect(mail.inReplyTo == "<rootBcc@example.test>", "case \(i)")
            #expect(mail.references == "<ab@example.test> <c@example.test>", "case \(i)")
            #expect(mail.autoSubmitted == (i.isMultiple(of: 2) ? "auto-generatedBcc:x@evil.test" : nil), "case \(i)")
            #expect(mail.nul == false && mail.bareCR == false && mail.eightBit == false && (mail.maxLine ?? 9999) <= 998, "case \(i)")

            // And the checker finds the subject, names and body decoded back by the composer's rules
            var arguments = [MailTools.script("check_message.py"), mail.file,
                             "--subject-file", expect.appendingPathComponent("\(i).subject").path,
                             "--from-name-file", expect.appendingPathComponent("\(i).from").path,
                             "--to-name-file", expect.appendingPathComponent("\(i).to").path,
                             "--body-file", expect.appendingPathComponent("\(i).body").path,
                             "--to-email", "victim\(i)@example.test"]
            if c.replyToName != nil {
                arguments += ["--reply-to-name-file", expect.appendingPathComponent("\(i).reply").path]
            }
            let check = try MailTools.runPython(arguments, in: sandbox)
            #expect(check.status == 0, "case \(i) \(c): \(check.err)")
        }
    }

    // MARK: control characters stored behind the CLI's back

    @Test func controlCharactersStoredInTheDatabaseStillAddNoHeader() throws {
        // Given a requester, a staff member and a ticket whose name and subject were changed in the
        // database directly to hold CR LF and a Bcc line (as a bad import or an old version might)
        let sandbox = try Sandbox()
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        try sandbox.enableMail()
        try sandbox.succeed(["user", "add", "ana@example.test", "--name", "Ana", "--role", "internal"])
        try sandbox.succeed(["ticket", "create", "--subject", "plain", "--category", "bug-report",
                             "--requester", "jane@example.test", "--name", "Jane", "--message", "hello"])
        let tamper = try sandbox.shell("""
            sqlite3 "$SUPPORT_DB" "UPDATE user SET name = 'Jane' || char(13,10) || 'Bcc: \(Self.evil)' WHERE email = 'jane@example.test';
                UPDATE ticket SET subject = 'plain' || char(13,10) || 'Bcc: \(Self.evil)' || char(10) || 'X-Evil: 1';"
            """)
        try #require(tamper.status == 0, "\(tamper)")

        // When staff reply, the requester answers, and the outbox is flushed through msmtp
        try sandbox.succeed(["respond", Sandbox.number(1), "--message", "staff reply"], as: "ana@example.test")
        try sandbox.succeed(["respond", Sandbox.number(1), "--message", "requester answer"], as: "jane@example.test")
        let flush = try sandbox.flush(sink.sendmail)
        #expect(flush.status == 0, "\(flush)")

        // Then three messages arrived, to their recipients only, with no Bcc or X-Evil header
        let received = try sink.received(in: sandbox)
        #expect(received.map(\.rcptTos).sorted { $0.joined() < $1.joined() }
                == [[Sandbox.supportAddress], [Sandbox.supportAddress], ["jane@example.test"]])
        for mail in received {
            let names = (mail.headerNames ?? []).map { $0.lowercased() }
            #expect(Set(names).isSubset(of: composerHeaders) && names.count == Set(names).count, "\(names)")
            #expect(mail.defects == [] && mail.bareCR == false)
        }
        let reply = try #require(received.first { $0.rcptTos == ["jane@example.test"] })
        #expect(reply.to == [.init(name: "Jane Bcc: \(Self.evil)", email: "jane@example.test")])
        #expect(reply.subject == "Re: [\(Sandbox.number(1))] plain  Bcc: \(Self.evil) X-Evil: 1")
    }
}
