import Foundation
import Testing

@testable import SupportCore

@Suite("MailIn: charsets")
struct MailCharsetTests {
    @Test(arguments: CharsetSamples.all.map(\.charset))
    func everyCharsetAClientSendsIsDecoded(charset: String) throws {
        // Given bytes Python encoded in that charset
        let sample = try #require(CharsetSamples.all.first { $0.charset == charset })
        // When decoded by the declared charset
        let text = MailCharset.decode(sample.bytes, charset: charset)
        // Then the text is what was encoded
        #expect(text == sample.text, "\(charset)")
        #expect(MailCharset.isKnown(charset))
    }

    @Test(arguments: CharsetSamples.all.filter { $0.charset != "us-ascii" && $0.charset != "utf-16" }.map(\.charset))
    func aTextPartInEachCharsetDecodesThroughTheWholeParser(charset: String) throws {
        // Given a message whose body is base64 of the charset's bytes
        let sample = try #require(CharsetSamples.all.first { $0.charset == charset })
        let body = Data(sample.bytes).base64EncodedString()
        let bytes = mail("""
            From: a@x.example
            Subject: =?\(charset)?B?\(body)?=
            Content-Type: text/plain; charset="\(charset.uppercased())"
            Content-Transfer-Encoding: base64

            \(body)
            """)
        // When parsed
        let message = try InboundMail.parse(bytes)
        // Then body and encoded-word subject decode to the sample
        #expect(message.text == sample.text)
        #expect(message.subject == sample.text)
    }

    @Test func misspelledNamesAreMended() {
        #expect(MailCharset.normalisedName("ISO8859_1") == "iso-8859-1")
        #expect(MailCharset.normalisedName("iso-8859-15:1998") == "iso-8859-15")
        #expect(MailCharset.normalisedName("\"UTF8\"") == "utf-8")
        #expect(MailCharset.normalisedName("cp1251") == "windows-1251")
        #expect(MailCharset.normalisedName("x-win-1250") == "windows-1250")
        #expect(MailCharset.decode([0xCF, 0xF0], charset: "CP1251") == "Пр")
        #expect(MailCharset.decode([0xE9], charset: "latin1") == "é")
    }

    @Test func unknownOrWrongCharsetsFallBackWithoutFailing() {
        // Unknown name, valid UTF-8: read as UTF-8
        #expect(MailCharset.decode(Array("Grüße".utf8), charset: "x-made-up") == "Grüße")
        // Unknown name, not UTF-8: Windows-1252
        #expect(MailCharset.decode([0x93, 0x68, 0x69, 0x94], charset: "x-made-up") == "“hi”")
        // No charset, Latin-1 bytes
        #expect(MailCharset.decode([0x47, 0x72, 0xFC, 0xDF, 0x65], charset: nil) == "Grüße")
        // Declared UTF-8 but broken: the good parts kept, the bad byte replaced
        #expect(MailCharset.decode([0x61, 0xFF, 0x62], charset: "utf-8") == "a\u{FFFD}b")
        // Declared US-ASCII with 8-bit bytes (a common lie): UTF-8 when it is
        #expect(MailCharset.decode(Array("naïve".utf8), charset: "us-ascii") == "naïve")
        // Bytes undefined in Windows-1252 (0x81) and no charset: Latin-1, never a crash
        #expect(MailCharset.decode([0x81, 0x41], charset: "garbage\u{0}") == "\u{81}A")
        // A charset that the bytes do not fit (0xA5 is unassigned in ISO-8859-3)
        #expect(!MailCharset.decode([0x41, 0xA5], charset: "iso-8859-3").isEmpty)
    }
}
