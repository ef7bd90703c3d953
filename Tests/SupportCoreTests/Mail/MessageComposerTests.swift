import Foundation
import Testing

@testable import SupportCore

@Suite("MessageComposer")
struct MessageComposerTests {
    /// 2026-11-26 16:04:17 UTC, a Thursday.
    static let fixedDate = Date(timeIntervalSince1970: 1_795_709_057)

    static let expectedHeaderNames: Set<String> = [
        "Date", "From", "To", "Reply-To", "Subject", "Message-ID", "In-Reply-To", "References",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted", "X-Loop",
    ]

    static func message(
        subject: String = "[ST-2026-001] Printer on fire",
        body: String = "Hello,\nwe are on it.\n",
        fromName: String? = "Support Desk",
        toName: String? = "Alice Example"
    ) -> MailMessage {
        MailMessage(
            from: MailAddress(name: fromName, email: "support@example.test"),
            to: [MailAddress(name: toName, email: "alice@example.test")],
            subject: subject,
            body: body,
            messageID: "ST-2026-001.17.1764172800@support.example.test",
            date: fixedDate
        )
    }

    // MARK: - Headers

    @Test func writesEveryHeaderInOrder() {
        // Given a reply with every optional header set
        var message = Self.message()
        message.inReplyTo = "ST-2026-001.1.1764172800@support.example.test"
        message.references = ["ST-2026-001.1.1764172800@support.example.test"]
        message.autoSubmitted = "auto-replied"
        message.replyTo = MailAddress(name: "Support", email: "support@example.test")

        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(message))

        // Then the headers come in the documented order with the documented values
        #expect(mail.headerNames == [
            "Date", "From", "To", "Reply-To", "Subject", "Message-ID", "In-Reply-To", "References",
            "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted",
        ])
        #expect(mail.field("From") == "Support Desk <support@example.test>")
        #expect(mail.field("To") == "Alice Example <alice@example.test>")
        #expect(mail.field("Reply-To") == "Support <support@example.test>")
        #expect(mail.field("Subject") == "[ST-2026-001] Printer on fire")
        #expect(mail.field("Message-ID") == "<ST-2026-001.17.1764172800@support.example.test>")
        #expect(mail.field("In-Reply-To") == "<ST-2026-001.1.1764172800@support.example.test>")
        #expect(mail.field("References") == "<ST-2026-001.1.1764172800@support.example.test>")
        #expect(mail.field("MIME-Version") == "1.0")
        #expect(mail.field("Content-Type") == "text/plain; charset=utf-8")
        #expect(mail.field("Content-Transfer-Encoding") == "quoted-printable")
        #expect(mail.field("Auto-Submitted") == "auto-replied")
    }

    @Test func omitsOptionalHeadersThatAreNotSet() {
        // Given a first message: no thread, not automatic, no Reply-To
        let message = Self.message()

        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(message))

        // Then only the required headers are there
        #expect(mail.headerNames == [
            "Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type",
            "Content-Transfer-Encoding",
        ])
    }

    @Test func isSevenBitWithLineFeedsAndEndsWithANewline() {
        // Given a message full of non-ASCII text and CRLF line endings
        let message = Self.message(subject: "Grüße 😀", body: "Zoë\r\nnaïve\r\n", fromName: "Jörg", toName: "李雷")

        // When it is composed
        let bytes = MessageComposer.compose(message)

        // Then every byte is ASCII, there is no CR, and the last byte is a newline
        #expect(bytes.allSatisfy { $0 < 0x80 })
        #expect(!bytes.contains(0x0D))
        #expect(bytes.last == 0x0A)
    }

    @Test(arguments: [
        (1_795_709_057.0, "Thu, 26 Nov 2026 16:04:17 +0000"),
        (0.0, "Thu, 01 Jan 1970 00:00:00 +0000"),
        (1_709_208_000.999, "Thu, 29 Feb 2024 12:00:00 +0000"),
        (-1.0, "Wed, 31 Dec 1969 23:59:59 +0000"),
        (951_782_400.0, "Tue, 29 Feb 2000 00:00:00 +0000"),
        (4_133_980_799.0, "Fri, 31 Dec 2100 23:59:59 +0000"),
        (4_107_542_400.0, "Mon, 01 Mar 2100 00:00:00 +0000"),
    ])
    func formatsTheDateInUTCWithEnglishNames(seconds: Double, expected: String) {
        // Given a message sent at a fixed instant
        var message = Self.message()
        message.date = Date(timeIntervalSince1970: seconds)

        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(message))

        // Then the Date header is RFC 5322's form, in UTC, whole seconds
        #expect(mail.field("Date") == expected)
    }

    @Test func clampsDatesNoHeaderCanHold() {
        // Given instants far outside years 1-9999
        for seconds in [Double.infinity, -Double.infinity, .nan, 1e300, -1e300] {
            var message = Self.message()
            message.date = Date(timeIntervalSince1970: seconds)

            // When it is composed
            let mail = ComposedMail(MessageComposer.compose(message))

            // Then the Date is still a well-formed four-digit-year date
            let date = mail.field("Date") ?? ""
            #expect(date.count == "Thu, 26 Nov 2026 16:04:17 +0000".count, "\(seconds): \(date)")
        }
    }

    // MARK: - Subject

    @Test func encodesANonASCIISubjectAsEncodedWords() {
        // Given a subject with umlauts and an emoji
        let subject = "[ST-2026-001] Grüße aus Köln 😀"

        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(Self.message(subject: subject)))

        // Then the Subject is RFC 2047 encoded-words that decode back exactly
        let field = mail.field("Subject") ?? ""
        #expect(field.hasPrefix("=?UTF-8?"))
        #expect(EncodedWords.decode(field) == subject)
    }

    @Test(arguments: [
        "=?utf-8?q?Bcc:=20x?=",
        "=?UTF-8?B?QmNjOiB4QGV2aWwudGVzdA==?=",
        "  leading and trailing  ",
        "double  space",
        "",
        "שלום עולם مرحبا",
        "e\u{301}\u{301}\u{301} combining",
        "👩‍👩‍👧‍👦 family",
        "_under_score_ =equals= ?question?",
    ])
    func subjectDecodesBackExactly(subject: String) {
        // Given an odd but control-free subject
        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(Self.message(subject: subject)))

        // Then it decodes back to exactly the same text, scalar for scalar
        let decoded = EncodedWords.decode(mail.field("Subject") ?? "")
        #expect(Array(decoded.unicodeScalars) == Array(subject.unicodeScalars))
    }

    @Test func foldsALongSubjectAtSpaces() {
        // Given a long plain ASCII subject
        let subject = "[ST-2026-001] " + Array(repeating: "the printer on the third floor is on fire", count: 5)
            .joined(separator: " ")

        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(Self.message(subject: subject)))

        // Then it spans several lines of at most 78 characters that unfold to the subject
        let lines = mail.headerLines(of: "Subject")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(mail.field("Subject") == subject)
    }

    @Test func foldsAVeryLongNonASCIISubjectIntoShortEncodedWords() {
        // Given a 10,000-character subject mixing scripts
        let subject = String(repeating: "Grüße 日本 😀 ", count: 834).prefix(10_000)

        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(Self.message(subject: String(subject))))

        // Then every line is within 78, every encoded-word within 75, and it decodes back
        let lines = mail.headerLines(of: "Subject")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        let words = (mail.field("Subject") ?? "").split(separator: " ")
        #expect(words.allSatisfy { $0.utf8.count <= 75 })
        #expect(EncodedWords.decode(mail.field("Subject") ?? "") == String(subject))
    }

    // MARK: - Header injection

    @Test(arguments: [
        "hello\r\nBcc: x@evil.test",
        "hello\nBcc: x@evil.test",
        "hello\rBcc: x@evil.test",
        "\r\n\r\nbody injection",
        "x\r\n Bcc: folded@evil.test",
        "nul\0Bcc: x@evil.test",
        "line\u{2028}Bcc: x@evil.test",
        "next\u{85}Bcc: x@evil.test",
    ])
    func controlCharactersNeverStartAHeader(hostile: String) {
        // Given a subject and display names that try to smuggle in a header
        var message = Self.message(subject: hostile, fromName: hostile, toName: hostile)
        message.replyTo = MailAddress(name: hostile, email: "support@example.test")

        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(message))

        // Then every header line is an expected header or a continuation
        for line in mail.headerSection {
            let isContinuation = line.hasPrefix(" ") || line.hasPrefix("\t")
            let name = String(line.prefix(while: { $0 != ":" }))
            #expect(isContinuation || Self.expectedHeaderNames.contains(name), "unexpected header line: \(line)")
        }
        #expect(mail.headerNames.filter { $0 == "Subject" }.count == 1)
        // And the subject reads back with each control character as a space
        let expected = String(String.UnicodeScalarView(hostile.unicodeScalars.map {
            switch $0.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: " " as Unicode.Scalar
            default: $0
            }
        }))
        #expect(EncodedWords.decode(mail.field("Subject") ?? "") == expected)
    }

    // MARK: - Display names

    @Test(arguments: [
        ("Alice Example", "Alice Example <alice@example.test>"),
        ("Smith, John", "\"Smith, John\" <alice@example.test>"),
        ("O\"Brien \\ Co", "\"O\\\"Brien \\\\ Co\" <alice@example.test>"),
        ("  Alice   Example  ", "Alice Example <alice@example.test>"),
        ("", "alice@example.test"),
    ])
    func writesASCIIDisplayNamesAsAtomsOrQuotedStrings(name: String, expected: String) {
        // Given a recipient with an ASCII display name
        // When the message is composed
        let mail = ComposedMail(MessageComposer.compose(Self.message(toName: name)))

        // Then the name is bare when it can be, quoted and escaped otherwise
        #expect(mail.field("To") == expected)
    }

    @Test(arguments: [
        "Jörg Müller",
        "=?utf-8?q?Bcc:=20x?=",
        "Александр Сергеевич Пушкин-Гончаров из Санкт-Петербурга и Москвы",
        "👩‍💻 " + String(repeating: "ü", count: 195),
    ])
    func encodesOtherDisplayNamesAsShortEncodedWords(name: String) {
        // Given a non-ASCII (or encoded-word-like) display name, up to 200 characters
        // When the message is composed
        let mail = ComposedMail(MessageComposer.compose(Self.message(fromName: name)))

        // Then it is encoded-words of at most 75 characters, each valid UTF-8 on its own,
        // on lines of at most 78, that decode back to the name
        let field = mail.field("From") ?? ""
        #expect(field.hasSuffix(" <support@example.test>"))
        let phrase = String(field.dropLast(" <support@example.test>".count))
        let words = phrase.split(separator: " ").map(String.init)
        #expect(words.allSatisfy { $0.utf8.count <= 75 && EncodedWords.decodeWord($0) != nil })
        #expect(EncodedWords.decode(phrase) == name)
        #expect(mail.headerLines(of: "From").allSatisfy { $0.utf8.count <= 78 })
    }

    @Test func splitsALongNameIntoEncodedWordsAfterSpaces() {
        // Given a name too long for one encoded-word, whose words each fit in one
        let name = "Александр Сергеевич Пушкин-Гончаров из Санкт-Петербурга и Москвы"

        // When the message is composed
        let mail = ComposedMail(MessageComposer.compose(Self.message(fromName: name)))

        // Then every encoded-word but the last ends with a space, so a reader that wrongly keeps
        // the whitespace between encoded-words (CPython gh-128110) shows a doubled space between
        // two words rather than a space inside one
        let phrase = (mail.field("From") ?? "").dropLast(" <support@example.test>".count)
        let words = phrase.split(separator: " ").map { String(decoding: EncodedWords.decodeWord(String($0)) ?? [], as: UTF8.self) }
        #expect(words.count > 1)
        #expect(words.dropLast().allSatisfy { $0.hasSuffix(" ") })
        #expect(words.joined() == name)
    }

    // MARK: - Line length

    @Test func noLineIsLongerThan998Octets() {
        // Given every field as long as it gets
        var message = Self.message(
            subject: String(repeating: "a", count: 10_000),
            body: String(repeating: "x", count: 5_000) + "\n" + String(repeating: "😀", count: 5_000),
            fromName: String(repeating: "n", count: 200),
            toName: String(repeating: "Nämé ", count: 40)
        )
        message.messageID = String(repeating: "i", count: 2_000) + "@example.test"
        message.references = Array(repeating: "ST-2026-001.1.1764172800@support.example.test", count: 100)
        message.to = Array(repeating: MailAddress(name: "Ünïcödé, Inc.", email: "alice@example.test"), count: 50)

        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(message))

        // Then no line passes 998 octets, and only the unfoldable Message-ID passes 78
        #expect(mail.lines.allSatisfy { $0.utf8.count <= 998 })
        let long = mail.headerSection.filter { $0.utf8.count > 78 }
        #expect(long.count == 1 && long.first?.hasPrefix("Message-ID: <iii") == true)
    }

    // MARK: - Message ids

    @Test func keepsOnlyPrintableASCIIInMessageIDs() {
        // Given ids with brackets, spaces and line breaks in them
        var message = Self.message()
        message.messageID = "<abc def>@example.test\r\nBcc: x@evil.test"
        message.inReplyTo = "\r\n"
        message.references = ["one@example.test", "", "two @example.test"]

        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(message))

        // Then each is one bracketed token, and empty ones are left out
        #expect(mail.field("Message-ID") == "<abcdef@example.testBcc:x@evil.test>")
        #expect(mail.field("In-Reply-To") == nil)
        #expect(mail.field("References") == "<one@example.test> <two@example.test>")
    }

    // MARK: - Body

    @Test(arguments: [
        "",
        "hello",
        "hello\n",
        "line one\r\nline two\r\n",
        "old\rmac\r",
        ".\n..\n.",
        "From here on\nFrom\nFrom: me\n>From",
        String(repeating: "x", count: 5_000),
        String(repeating: "😀", count: 2_000),
        "tab\tinside and at end\t\ntrailing spaces   \n  \n",
        "=3D is not an escape =\n= at the start",
        "e\u{301} combining, 👨‍👩‍👧‍👦, שלום, 日本語",
        "nul \0 and escape \u{1B}[31m kept",
        String(repeating: "x", count: 75) + "=" + String(repeating: "y", count: 74) + "é",
        String(repeating: " ", count: 200),
        "\n\n\n",
    ])
    func bodyRoundTripsThroughQuotedPrintable(body: String) {
        // Given a body with lines that transports like to mangle
        // When it is composed
        let mail = ComposedMail(MessageComposer.compose(Self.message(body: body)))

        // Then the encoded lines are short and transport-safe
        #expect(mail.bodyLines.allSatisfy { $0.utf8.count <= 76 })
        #expect(!mail.bodyLines.contains("."))
        #expect(!mail.bodyLines.contains { $0.hasPrefix("From ") })
        #expect(!mail.bodyLines.contains { $0.hasSuffix(" ") || $0.hasSuffix("\t") })
        // And decoding gives the body with LF line endings and a final newline
        var expected = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if !expected.isEmpty, !expected.hasSuffix("\n") { expected += "\n" }
        let decoded = QuotedPrintable.decode(mail.bodyLines)
        #expect(decoded == Array(expected.utf8))
    }
}

// MARK: - Reading the composer's output back

/// The composer's output split into header and body lines, for assertions.
private struct ComposedMail {
    let lines: [String]
    let headerSection: [String]
    let bodyLines: [String]

    init(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        self.lines = lines
        let blank = lines.firstIndex(of: "") ?? lines.count
        headerSection = Array(lines[..<blank])
        bodyLines = blank < lines.count ? Array(lines[(blank + 1)...]) : []
    }

    var headerNames: [String] {
        headerSection.filter { !$0.hasPrefix(" ") }.map { String($0.prefix(while: { $0 != ":" })) }
    }

    /// The physical lines of one header.
    func headerLines(of name: String) -> [String] {
        guard let start = headerSection.firstIndex(where: { $0.hasPrefix(name + ":") }) else { return [] }
        let rest = headerSection[(start + 1)...].prefix(while: { $0.hasPrefix(" ") })
        return [headerSection[start]] + rest
    }

    /// One header's value, unfolded (line breaks removed) and without the space after the colon.
    func field(_ name: String) -> String? {
        let lines = headerLines(of: name)
        guard !lines.isEmpty else { return nil }
        let value = lines.joined().dropFirst(name.count + 1)
        return String(value.first == " " ? value.dropFirst() : value)
    }
}

/// Just enough RFC 2047 to read the composer's output: a field is either plain words or
/// UTF-8 encoded-words only (whitespace between adjacent encoded-words is ignored).
private enum EncodedWords {
    static func decode(_ field: String) -> String {
        let words = field.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let decoded = words.map(decodeWord)
        if !words.isEmpty, decoded.allSatisfy({ $0 != nil }) {
            return String(decoding: decoded.compactMap { $0 }.joined(), as: UTF8.self)
        }
        return field
    }

    /// The bytes of one `=?UTF-8?Q|B?...?=` word, or nil when it is not one or not valid UTF-8.
    static func decodeWord(_ word: String) -> [UInt8]? {
        let parts = word.split(separator: "?", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "=", parts[4] == "=", parts[1].uppercased() == "UTF-8" else { return nil }
        let payload = String(parts[3])
        let bytes: [UInt8]?
        switch parts[2].uppercased() {
        case "B": bytes = Data(base64Encoded: payload).map { Array($0) }
        case "Q": bytes = QuotedPrintable.decode([payload.replacingOccurrences(of: "_", with: " ") + "="])
        default: bytes = nil
        }
        // Valid UTF-8 exactly when decoding it replaces nothing.
        guard let bytes, Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes else { return nil }
        return bytes
    }
}

/// A strict quoted-printable decoder (RFC 2045 6.7): `=XX` escapes, `=` at line end is a soft
/// break, every other line ends in LF.
private enum QuotedPrintable {
    static func decode(_ lines: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for line in lines {
            let bytes = Array(line.utf8)
            var index = 0
            var softBreak = false
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "=") {
                    if index == bytes.count - 1 {
                        softBreak = true
                        index += 1
                    } else if index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                              let low = hexValue(bytes[index + 2]) {
                        out.append(high << 4 | low)
                        index += 3
                    } else {
                        out.append(bytes[index])  // malformed: kept, and the comparison fails
                        index += 1
                    }
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            if !softBreak { out.append(0x0A) }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
