import Foundation
import Testing

@testable import SupportCore

@Suite("MailIn: MIME structure")
struct MIMEStructureTests {
    /// Thunderbird's shape: mixed [alternative [plain, html], pdf with an RFC 2231 name].
    @Test func textPlainIsPreferredAndAttachmentsAreKept() throws {
        let pdf = Data("%PDF-1.4 fake".utf8).base64EncodedString()
        let bytes = mail("""
            From: Jane <jane@x.example>
            Subject: Invoice
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="------------outer"

            This is a multi-part message in MIME format.
            --------------outer
            Content-Type: multipart/alternative;
             boundary="------------inner"

            --------------inner
            Content-Type: text/plain; charset=UTF-8; format=flowed
            Content-Transfer-Encoding: quoted-printable

            Here is the invoice, it is f=C3=BCr =
            you.

            --------------inner
            Content-Type: text/html; charset=UTF-8
            Content-Transfer-Encoding: 7bit

            <p>Here is the <b>invoice</b></p>
            --------------inner--

            --------------outer
            Content-Type: application/pdf
            Content-Disposition: attachment;
             filename*0*=UTF-8''Rechnung%20f%C3%BCr%20;
             filename*1=Jane.pdf
            Content-Transfer-Encoding: base64

            \(pdf)

            --------------outer--
            """)
        let message = try InboundMail.parse(bytes)
        #expect(message.text == "Here is the invoice, it is für you.\n")
        #expect(message.attachments.count == 1)
        let attachment = try #require(message.attachments.first)
        #expect(attachment.fileName == "Rechnung für Jane.pdf")
        #expect(attachment.contentType == "application/pdf")
        #expect(attachment.data == Array("%PDF-1.4 fake".utf8))
        #expect(message.problems.isEmpty)
    }

    /// Apple Mail's shape for a pasted picture: alternative [plain, related [html, png]].
    @Test func relatedPicturesOfTheHtmlAlternativeAreKept() throws {
        let bytes = mail("""
            From: a@x.example
            Subject: Screenshot
            Content-Type: multipart/alternative; boundary=A

            --A
            Content-Type: text/plain; charset=us-ascii

            See the picture.
            --A
            Content-Type: multipart/related; boundary=B; type="text/html"

            --B
            Content-Type: text/html

            <p>See the picture.<img src="cid:pic1@x"></p>
            --B
            Content-Type: image/png; name="Screen Shot.png"
            Content-Disposition: inline; filename="Screen Shot.png"
            Content-ID: <pic1@x>
            Content-Transfer-Encoding: base64

            iVBORw0KGgo=
            --B--
            --A--
            """)
        let message = try InboundMail.parse(bytes)
        #expect(message.text == "See the picture.")
        #expect(message.attachments.map(\.fileName) == ["Screen Shot.png"])
        #expect(message.attachments.first?.contentID == "pic1@x")
        #expect(message.attachments.first?.isInline == true)
        #expect(message.attachments.first?.data == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    @Test func htmlOnlyMailBecomesText() throws {
        let bytes = mail("""
            From: a@x.example
            Content-Type: text/html; charset="windows-1252"
            Content-Transfer-Encoding: quoted-printable

            <html><head><style>p{color:red}</style><title>x</title></head><body>
            <p>Hello =93team=94,</p><p>two things:</p><ul><li>one</li><li>two &amp; three</li></ul>
            <p>See <a href=3D"https://x.example/doc">the doc</a>.</p><script>alert(1)</script>
            </body></html>
            """)
        let message = try InboundMail.parse(bytes)
        #expect(message.text == """
            Hello “team”,

            two things:

            - one
            - two & three

            See the doc (https://x.example/doc).
            """)
    }

    @Test func quotedPrintableAndBase64AreLenient() throws {
        let buffer: [UInt8] = Array("=41=4=\r\nB=zz caf=C3=A9 =\n".utf8)
        let qp = buffer.withUnsafeBufferPointer { TransferDecoding.quotedPrintable($0, 0..<$0.count) }
        #expect(String(decoding: qp, as: UTF8.self) == "A=4B=zz café ")
        let b64: [UInt8] = Array("SGVs\r\nbG8g!!d29y bGQ=\n=junk".utf8)
        let decoded = b64.withUnsafeBufferPointer { TransferDecoding.base64($0, 0..<$0.count) }
        #expect(String(decoding: decoded, as: UTF8.self).hasPrefix("Hello world"))
    }

    @Test func malformedBoundariesAreSurvived() throws {
        // No boundary parameter: read as text
        let noBoundary = try InboundMail.parse(mail("From: a@x.example\nContent-Type: multipart/mixed\n\nplain words\n"))
        #expect(noBoundary.text == "plain words\n")
        #expect(!noBoundary.problems.isEmpty)
        // Boundary never used: read as text
        let unused = try InboundMail.parse(mail("From: a@x.example\nContent-Type: multipart/mixed; boundary=zzz\n\nplain words\n"))
        #expect(unused.text == "plain words\n")
        // No close delimiter, trailing blanks after a delimiter, a preamble
        let unclosed = try InboundMail.parse(mail("""
            From: a@x.example
            Content-Type: multipart/mixed; boundary="b"

            preamble to ignore
            --b \t
            Content-Type: text/plain

            first
            --b
            Content-Type: text/plain

            second
            """))
        #expect(unclosed.text == "first\n\nsecond")
    }

    @Test func nestingOfAHundredLevelsIsCutAtTheDepthLimit() throws {
        // Given multiparts nested 100 deep with the text at the bottom
        var body = "Content-Type: text/plain\n\ndeep text\n"
        for level in (0..<100).reversed() {
            body = "Content-Type: multipart/mixed; boundary=\"b\(level)\"\n\n--b\(level)\n\(body)\n--b\(level)--\n"
        }
        let bytes = mail("From: a@x.example\n" + body)
        // When parsed with the standard limits
        let message = try InboundMail.parse(bytes)
        // Then it does not crash, says so, and keeps no text from beyond the limit
        #expect(message.problems.contains { $0.contains("nested deeper") })
        #expect(message.text == "")
        #expect(message.attachments.isEmpty)
        // And with a generous limit the text is reached
        var limits = InboundMailLimits.standard
        limits.maxDepth = 150
        #expect(try InboundMail.parse(bytes, limits: limits).text == "deep text\n")
    }

    @Test func deepNestingWithoutCloseCostsNoStack() throws {
        // 100 000 levels: a recursive parser without a limit would overflow the stack
        var text = "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n"
        text += String(repeating: "--b\nContent-Type: multipart/mixed; boundary=b\n\n", count: 100_000)
        let message = try InboundMail.parse(Array(text.utf8))
        #expect(message.problems.contains { $0.contains("more than 1000 MIME parts") })
    }

    @Test func tooManyPartsAreNotAllRead() throws {
        var text = "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n"
        for index in 0..<50 { text += "--b\nContent-Type: application/octet-stream; name=f\(index)\n\nx\n" }
        var limits = InboundMailLimits.standard
        limits.maxParts = 10
        let message = try InboundMail.parse(Array(text.utf8), limits: limits)
        #expect(message.attachments.count == 9)  // the message itself is part 1
        #expect(message.problems.contains { $0.contains("more than 10 MIME parts") })
    }

    @Test func hugeHeaderLinesAreBounded() throws {
        // A 100 kB subject parses, and the subject kept is cut
        let long = String(repeating: "x", count: 100_000)
        let message = try InboundMail.parse(mail("From: a@x.example\nSubject: \(long)\n\nbody\n"))
        #expect(message.subject.count == InboundMail.maxSubjectLength)
        #expect(message.header("Subject")?.count == 100_000)
        // A header section over the limit is refused
        var limits = InboundMailLimits.standard
        limits.maxHeaderBytes = 50_000
        #expect(throws: InboundMailError.tooLarge("header section over 50000 bytes")) {
            try InboundMail.parse(mail("From: a@x.example\nSubject: \(long)\n\nbody\n"), limits: limits)
        }
    }

    @Test func nulBytesAndControlsDoNotSurviveIntoText() throws {
        var bytes = mail("From: a@x.example\nSubject: a\u{0}b\n\nline\u{0} one\u{1B}[31m\nline two\n")
        bytes.append(0)
        let message = try InboundMail.parse(bytes)
        #expect(message.subject == "a b")
        #expect(message.text == "line one[31m\nline two\n")
    }

    @Test func decodedSizeIsLimited() throws {
        let payload = String(repeating: "QUFBQUFB", count: 2_000)  // 12 000 bytes decoded
        var limits = InboundMailLimits.standard
        limits.maxDecodedBytes = 10_000
        #expect(throws: InboundMailError.tooLarge("parts decode to more than 10000 bytes")) {
            try InboundMail.parse(mail("From: a@x.example\nContent-Transfer-Encoding: base64\n\n\(payload)\n"), limits: limits)
        }
    }

    @Test func aFiftyMegabyteAttachmentIsParsed() throws {
        // Given a 50 MB attachment, base64 in 76-character lines as clients write it
        let size = 50 * 1024 * 1024
        var raw = [UInt8](repeating: 0, count: size)
        for index in stride(from: 0, to: size, by: 4096) { raw[index] = UInt8(truncatingIfNeeded: index / 4096) }
        let encoded = Data(raw).base64EncodedData(options: .lineLength76Characters)
        var bytes = mail("""
            From: a@x.example
            Subject: big
            Content-Type: multipart/mixed; boundary=zz

            --zz
            Content-Type: text/plain

            see attached
            --zz
            Content-Type: application/octet-stream; name=big.bin
            Content-Transfer-Encoding: base64


            """)
        bytes.append(contentsOf: encoded)
        bytes.append(contentsOf: Array("\r\n--zz--\r\n".utf8))
        // When parsed
        let message = try InboundMail.parse(bytes)
        // Then the data is whole
        #expect(message.text == "see attached")
        #expect(message.attachments.count == 1)
        #expect(message.attachments.first?.data.count == size)
        #expect(message.attachments.first?.data == raw)
    }
}
