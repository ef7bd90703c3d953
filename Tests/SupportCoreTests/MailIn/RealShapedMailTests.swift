import Foundation
import Testing

@testable import SupportCore

/// Whole messages shaped like the ones the big clients send, and hostile ones.
@Suite("MailIn: real-shaped and hostile messages")
struct RealShapedMailTests {
    @Test func outlookReplyWithHtmlAlternativeAndEncodedFileName() throws {
        let bytes = mail("""
            Received: from mx.example by desk.example
            From: "Smith, Bob" <bob@corp.example>
            To: Support Desk <support@desk.example>
            Subject: RE: [ST-2026-001] Printer
            Thread-Topic: [ST-2026-001] Printer
            Date: Sat, 5 Dec 2026 10:00:00 +0000
            Message-ID: <AM0PR01MB1234@corp.example>
            References: <ST-2026-001.1.sig@desk.example>
            In-Reply-To: <ST-2026-001.1.sig@desk.example>
            Content-Language: en-US
            X-MS-Has-Attach: yes
            MIME-Version: 1.0
            Content-Type: multipart/mixed;
            \tboundary="_004_AM0PR01MB1234corp_"

            --_004_AM0PR01MB1234corp_
            Content-Type: multipart/alternative;
            \tboundary="_000_AM0PR01MB1234corp_"

            --_000_AM0PR01MB1234corp_
            Content-Type: text/plain; charset="us-ascii"
            Content-Transfer-Encoding: quoted-printable

            Hi,

            The printer is fine again.

            Bob

            From: Support Desk <support@desk.example>
            Sent: Saturday, December 5, 2026 9:00 AM
            To: Smith, Bob <bob@corp.example>
            Subject: [ST-2026-001] Printer

            Please restart the spooler.

            --_000_AM0PR01MB1234corp_
            Content-Type: text/html; charset="us-ascii"
            Content-Transfer-Encoding: quoted-printable

            <html><body><p class=3D"MsoNormal">Hi,</p></body></html>

            --_000_AM0PR01MB1234corp_--

            --_004_AM0PR01MB1234corp_
            Content-Type: image/jpeg; name="=?utf-8?B?Rm90byBkZXMgRHJ1Y2tlcnMuanBn?="
            Content-Description: =?utf-8?B?Rm90byBkZXMgRHJ1Y2tlcnMuanBn?=
            Content-Disposition: attachment;
            \tfilename="=?utf-8?B?Rm90byBkZXMgRHJ1Y2tlcnMuanBn?="; size=4;
            \tcreation-date="Sat, 05 Dec 2026 10:00:00 GMT"
            Content-Transfer-Encoding: base64

            /9j/4A==

            --_004_AM0PR01MB1234corp_--
            """)
        let message = try InboundMail.parse(bytes)
        #expect(message.from == [MailAddress(name: "Smith, Bob", email: "bob@corp.example")])
        #expect(message.inReplyTo == ["ST-2026-001.1.sig@desk.example"])
        #expect(message.reply == "Hi,\n\nThe printer is fine again.\n\nBob")
        #expect(message.attachments.map(\.fileName) == ["Foto des Druckers.jpg"])
        #expect(message.attachments.first?.data == [0xFF, 0xD8, 0xFF, 0xE0])
        #expect(!message.isAutomatic)
    }

    @Test func appleMailFlowedReply() throws {
        let bytes = mail("""
            From: Jane Doe <jane@me.example>
            Content-Type: text/plain;
            \tcharset=utf-8;
            \tformat=flowed
            Content-Transfer-Encoding: quoted-printable
            Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3731.700.6\\))
            Subject: Re: [ST-2026-001] Printer
            Date: Sat, 5 Dec 2026 10:00:00 +0100

            This is a long line that Apple Mail wrapped because it was longer than =
            seventy-eight characters.

            Jane

            > On 5 Dec 2026, at 09:00, Support Desk <support@desk.example> wrote:
            >=20
            > Please restart the=20
            > spooler.

            """)
        let message = try InboundMail.parse(bytes)
        #expect(message.reply == "This is a long line that Apple Mail wrapped because it was longer than seventy-eight characters.\n\nJane")
        #expect(message.text.contains("> Please restart the spooler."))
    }

    @Test func exchangeOutOfOffice() throws {
        let message = try InboundMail.parse(mail("""
            From: Bob Smith <bob@corp.example>
            Subject: Automatic reply: [ST-2026-001] Printer
            Auto-Submitted: auto-generated
            X-Auto-Response-Suppress: All
            X-MS-Exchange-Inbox-Rules-Loop: bob@corp.example
            Content-Type: text/plain; charset="iso-8859-1"
            Content-Transfer-Encoding: quoted-printable

            I am out of the office until 7 December. F=FCr dringende F=E4lle: Alice.
            """))
        #expect(message.isAutomatic)
        #expect(message.isOutOfOffice)
        #expect(message.automaticReason == "Auto-Submitted: auto-generated")
        #expect(message.text.contains("Für dringende Fälle"))
    }

    @Test func forwardedMessageIsAnAttachmentNamedAfterItsSubject() throws {
        let message = try InboundMail.parse(mail("""
            From: a@x.example
            Subject: Fwd: the error
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            See below.
            --b
            Content-Type: message/rfc822

            From: c@y.example
            Subject: =?utf-8?q?Fehler/Meldung?=

            original
            --b--
            """))
        #expect(message.text == "See below.")
        #expect(message.attachments.map(\.fileName) == ["Meldung.eml"])
        #expect(message.attachments.first?.contentType == "message/rfc822")
    }

    @Test func aTextFileAttachedIsNotTheBody() throws {
        let message = try InboundMail.parse(mail("""
            From: a@x.example
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain; charset=utf-8

            Log attached.
            --b
            Content-Type: text/plain; charset=utf-8
            Content-Disposition: attachment; filename="log.txt"

            ERROR 42
            --b
            Content-Type: text/plain; name="notes.txt"

            my notes
            --b--
            """))
        #expect(message.text == "Log attached.")
        #expect(message.attachments.map(\.fileName) == ["log.txt", "notes.txt"])
        #expect(message.attachments.first?.data == Array("ERROR 42".utf8))
    }

    @Test func noFromOrSeveralFrom() throws {
        let none = try InboundMail.parse(mail("Subject: anonymous\n\nhi\n"))
        #expect(none.from.isEmpty)
        #expect(none.messageID == nil)
        let several = try InboundMail.parse(mail("From: a@x.example, \"B\" <b@x.example>\nSender: a@x.example\n\nhi\n"))
        #expect(several.from.map(\.email) == ["a@x.example", "b@x.example"])
        let invalid = try InboundMail.parse(mail("From: undisclosed\n\nhi\n"))
        #expect(invalid.from.isEmpty)
    }

    @Test func messageIDsWithoutBracketsOrWithJunk() throws {
        let message = try InboundMail.parse(mail("""
            From: a@x.example
            Message-ID: abc@x.example
            In-Reply-To: <one@x.example> (Jane's message of Saturday)
            References: <a@x> <b@x>\t<c@x>
              <d@x>

            hi
            """))
        #expect(message.messageID == "abc@x.example")
        #expect(message.inReplyTo == ["one@x.example"])
        #expect(message.references == ["a@x", "b@x", "c@x", "d@x"])
    }

    @Test func headersAreUnfoldedAndFoundWhateverTheirCase() throws {
        let message = try InboundMail.parse(mail("FROM: a@x.example\nx-custom: one\n  two\nX-Custom: second\nSubject : old style\n\nhi\n"))
        #expect(message.header("X-CUSTOM") == "one  two")
        #expect(message.header("subject") == "old style")
        #expect(message.header("Missing") == nil)
        #expect(message.from.map(\.email) == ["a@x.example"])
    }

    @Test func anEmptyPlainAlternativeGivesWayToTheHtml() throws {
        let message = try InboundMail.parse(mail("""
            From: a@x.example
            Content-Type: multipart/alternative; boundary=b

            --b
            Content-Type: text/plain; charset=utf-8

            \u{20}
            --b
            Content-Type: text/html; charset=utf-8

            <p>The real text</p>
            --b--
            """))
        #expect(message.text == "The real text")
    }

    @Test func onlyAttachmentsGivesEmptyText() throws {
        let message = try InboundMail.parse(mail("""
            From: a@x.example
            Content-Type: application/pdf; name=x.pdf
            Content-Transfer-Encoding: base64

            JVBERg==
            """))
        #expect(message.text == "")
        #expect(message.reply == "")
        #expect(message.attachments.map(\.fileName) == ["x.pdf"])
    }

    @Test func hostileHeadersCostLinearTime() throws {
        // A 100 kB subject of unfinished encoded-words and a From of 10 000 junk entries
        let subject = String(repeating: "=?utf-8?q?", count: 10_000)
        let from = String(repeating: "<x@, ", count: 10_000)
        let message = try InboundMail.parse(mail("From: \(from)\nSubject: \(subject)\n\nhi\n"))
        #expect(message.subject.hasPrefix("=?utf-8?q?"))
        #expect(message.from.isEmpty)
    }

    @Test func randomBytesNeverCrash() throws {
        // Given 500 messages of random bytes after a plausible header
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var bytes = mail("From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n")
            let length = Int.random(in: 0..<2_000, using: &generator)
            let alphabet: [UInt8] = Array("--b\r\n=?Q:;\"<>\u{0}é=XX".utf8) + [0xFF, 0x80, 0x1B]
            for _ in 0..<length { bytes.append(alphabet.randomElement(using: &generator)!) }
            // When parsed, it either reads or refuses, and never crashes
            _ = try? InboundMail.parse(bytes)
        }
    }
}
