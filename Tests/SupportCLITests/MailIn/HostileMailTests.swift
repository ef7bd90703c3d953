import Foundation
import Testing

/// Issue 12's hostile and odd mail, through the real binary (the parser's own tests in
/// SupportCoreTests/MailIn check the details; the file names `../../etc/passwd` and `CON` are in
/// AttachmentCommandTests). Each message is stored sensibly or quarantined, the MTA hears 0, the
/// process never crashes, and nothing is half written: a record, and a ticket only when created.
@Suite("mail ingest: hostile mail (CLI)")
struct HostileMailTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var testDescription: String { name }
    }

    static func text(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\r\n") + "\r\n").utf8) }

    static let head = ["From: Jane <jane@cust.example>", "To: help@desk.test", "Subject: Odd mail", "Message-ID: <odd@cust.example>"]

    static var nested: [UInt8] {
        var lines = head + ["MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b0\"", ""]
        for level in 0..<100 {
            lines += ["--b\(level)", "Content-Type: multipart/mixed; boundary=\"b\(level + 1)\"", ""]
        }
        lines += ["--b100", "Content-Type: text/plain", "", "Deep inside.", "--b100--"]
        for level in (0..<100).reversed() { lines += ["--b\(level)--"] }
        return text(lines)
    }

    static let cases: [Case] = [
        Case(name: "no Message-ID", bytes: text(["From: Jane <jane@cust.example>", "To: help@desk.test", "Subject: No id", "", "Hello."])),
        Case(name: "no From", bytes: text(["To: help@desk.test", "Subject: Nobody", "Message-ID: <nofrom@cust.example>", "", "Hello."])),
        Case(name: "From with several addresses",
             bytes: text(["From: Jane <jane@cust.example>, Max <max@cust.example>", "To: help@desk.test", "Subject: Two of us",
                          "Message-ID: <two@cust.example>", "", "Hello."])),
        Case(name: "malformed boundaries",
             bytes: text(head + ["MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=", "", "--", "Content-Type: text/plain",
                                 "", "Text.", "--wrong--", "--"])),
        Case(name: "multiparts nested 100 deep", bytes: nested),
        Case(name: "a 100 kB header line",
             bytes: text(head + ["X-Long: " + String(repeating: "a", count: 100_000), "", "Hello."])),
        Case(name: "NUL bytes", bytes: text(head + ["", "Hel"]) .dropLast(2) + [0, 0] + Array("lo.\r\n\0\r\n".utf8)),
        Case(name: "an invalid charset",
             bytes: text(["From: Jane <jane@cust.example>", "To: help@desk.test", "Subject: =?x-nonsense-42?Q?caf=E9?=",
                          "Message-ID: <cs@cust.example>", "Content-Type: text/plain; charset=x-nonsense-42", "", "Caf\u{E9}."])
                .map { $0 }),
        Case(name: "encoded-words that decode to CR/LF",
             bytes: text(["From: =?utf-8?Q?Jane=0D=0ABcc:_x@evil.example?= <jane@cust.example>", "To: help@desk.test",
                          "Subject: =?utf-8?B?" + Data("Hi\r\nBcc: x@evil.example".utf8).base64EncodedString() + "?=",
                          "Message-ID: <crlf@cust.example>", "", "Hello."])),
    ]

    @Test(arguments: cases, Engine.available)
    func isStoredSensiblyOrQuarantinedNeverACrashNeverHalfWritten(_ mail: Case, engine: Engine) throws {
        // Given a desk
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        // When the message comes in as an MTA hands it over
        let result = try sandbox.run(["mail", "ingest", "--json"], stdin: Data(mail.bytes))
        // Then the MTA hears 0 and nothing crashed
        #expect(!result.signaled && result.status == 0, "\(result)")
        // And there is exactly one record, of a message created as a ticket or quarantined
        let records = try #require(try sandbox.succeed(["mail", "list", "--json"]).json()["messages"] as? [[String: Any]])
        try #require(records.count == 1, "\(records)")
        let outcome = try #require(records[0]["outcome"] as? String)
        #expect(["created", "quarantined"].contains(outcome), "\(records)")
        // And the message is kept whole as received
        let id = try #require(records[0]["id"] as? Int)
        #expect(try sandbox.succeed(["mail", "show", String(id)]).stdout == Data(mail.bytes))
        // And a ticket exists exactly when one was created, with one line of subject and a sender
        let tickets = try sandbox.list([]).tickets
        #expect(tickets.count == (outcome == "created" ? 1 : 0), "\(tickets)")
        if let ticket = tickets.first {
            let subject = try #require(ticket["subject"] as? String)
            #expect(!subject.contains("\r") && !subject.contains("\n") && !subject.contains("\0"), "\(subject)")
            let requester = try #require((ticket["submittedBy"] as? [String: Any])?["email"] as? String)
            #expect(requester == "jane@cust.example", "\(ticket)")
            let shown = try sandbox.succeed(["ticket", "show", Sandbox.number(1), "--json"]).out
            #expect(!shown.contains("evil.example") || !shown.contains("\nBcc"), "\(shown)")
        }
    }
}
