import Foundation
import Testing

@testable import SupportCore

/// Bytes of a message written with LF line ends, sent with CRLF as on the wire.
func mail(_ text: String, crlf: Bool = true) -> [UInt8] {
    Array((crlf ? text.replacingOccurrences(of: "\n", with: "\r\n") : text).utf8)
}

@Suite("InboundMail: headers and plain text")
struct InboundMailTests {
    @Test func aSimplePlainTextMailIsRead() throws {
        // Given a plain message as Postfix hands it to a pipe, with its mbox envelope line
        let bytes = mail("""
            From jane@cust.example  Sat Dec  5 08:54:08 2026
            Return-Path: <jane@cust.example>
            From: Jane Doe <jane@cust.example>
            To: help@desk.test
            Subject: Printer
             on fire
            Date: Sat, 5 Dec 2026 09:54:08 +0100
            Message-ID: <abc.123@cust.example>
            In-Reply-To: <ST-1.x@desk.test>
            References: <first@desk.test>
             <ST-1.x@desk.test>

            Hello,
            it burns.

            """)
        // When it is parsed
        let message = try InboundMail.parse(bytes)
        // Then every field is read
        #expect(message.messageID == "abc.123@cust.example")
        #expect(message.inReplyTo == ["ST-1.x@desk.test"])
        #expect(message.references == ["first@desk.test", "ST-1.x@desk.test"])
        #expect(message.from == [MailAddress(name: "Jane Doe", email: "jane@cust.example")])
        #expect(message.subject == "Printer on fire")
        #expect(message.date == Date(timeIntervalSince1970: 1_796_460_848))
        #expect(message.text == "Hello,\nit burns.\n")
        #expect(message.reply == "Hello,\nit burns.")
        #expect(message.header("subject") == "Printer on fire")
        #expect(message.header("return-path") == "<jane@cust.example>")
        #expect(message.isAutomatic == false)
        #expect(message.attachments.isEmpty)
    }

    @Test func lfAndCrlfGiveTheSameResult() throws {
        let text = "From: a@x.example\nSubject: Hi\n\nLine one\nLine two\n"
        let lf = try InboundMail.parse(mail(text, crlf: false))
        let crlf = try InboundMail.parse(mail(text))
        #expect(lf.text == crlf.text)
        #expect(lf.subject == crlf.subject)
        #expect(lf.text == "Line one\nLine two\n")
    }

    @Test func bytesWithoutHeadersAreUnparseable() {
        #expect(throws: InboundMailError.unparseable("no header fields")) { try InboundMail.parse([]) }
        #expect(throws: InboundMailError.unparseable("no header fields")) {
            try InboundMail.parse(Array("just some text\nwithout headers\n".utf8))
        }
    }
}
