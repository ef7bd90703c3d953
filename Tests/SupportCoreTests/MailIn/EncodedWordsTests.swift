import Testing

@testable import SupportCore

@Suite("MailIn: RFC 2047 encoded-words")
struct EncodedWordsTests {
    @Test func bAndQWordsDecode() {
        #expect(EncodedWords.decode("=?UTF-8?B?R3LDvMOfZQ==?=") == "Grüße")
        #expect(EncodedWords.decode("=?iso-8859-1?q?caf=E9_cr=E8me?=") == "café crème")
        #expect(EncodedWords.decode("Re: =?utf-8?Q?Drucker_kaputt?= (dringend)") == "Re: Drucker kaputt (dringend)")
        // An RFC 2231 language in the charset field
        #expect(EncodedWords.decode("=?US-ASCII*EN?Q?Keith_Moore?=") == "Keith Moore")
    }

    @Test func adjacentWordsAreJoinedWithoutTheirBlanks() {
        #expect(EncodedWords.decode("=?utf-8?q?a?= =?utf-8?q?b?=") == "ab")
        #expect(EncodedWords.decode("=?utf-8?q?a?=\r\n =?utf-8?q?b?= c") == "ab c")
        #expect(EncodedWords.decode("x =?utf-8?q?a?= y") == "x a y")
    }

    @Test func aCharacterSplitAcrossTwoWordsIsRejoined() {
        // "€" is E2 82 AC; one mailer puts E2 82 in one word and AC in the next
        #expect(EncodedWords.decode("=?UTF-8?Q?=E2=82?= =?UTF-8?Q?=AC?=") == "€")
        #expect(EncodedWords.decode("=?utf-8?B?4oI=?= =?UTF-8?B?rA==?=") == "€")
    }

    @Test func malformedWordsStayAsWritten() {
        #expect(EncodedWords.decode("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=")
        #expect(EncodedWords.decode("=?utf-8?q?never closed") == "=?utf-8?q?never closed")
        #expect(EncodedWords.decode("a =? b ?= c") == "a =? b ?= c")
    }

    @Test func decodedLineBreaksNeverReachTheSubject() throws {
        // Given a subject whose encoded-word decodes to CR LF and a header injection, NUL and a bidi override
        let bytes = mail("""
            From: =?utf-8?q?Eve=0D=0ABcc=3A_x=40evil=2Eexample?= <eve@x.example>
            Subject: =?utf-8?b?SGkNCkJjYzogeEBldmlsLmV4YW1wbGUA4oCu?= done

            body
            """)
        let message = try InboundMail.parse(bytes)
        // Then both are one line without control characters
        #expect(message.subject == "Hi Bcc: x@evil.example done")
        #expect(message.from.first?.name == "Eve Bcc: x@evil.example")
        for text in [message.subject, message.from.first?.name ?? ""] {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202E}" })
        }
    }
}
