import Foundation
import Testing

@testable import SupportCore

/// The text steps of mail in that were rewritten for speed (issue 12: Maildir at 500 messages/s)
/// give what the first versions gave, which are kept here as the reference: on the shapes that
/// matter (CR LF, NUL and other controls, U+FEFF, C1 controls, U+2028, non-ASCII white space at the
/// ends, brackets and blanks in Message-IDs) and on many random strings made of them.
@Suite("MailIn: text fast paths agree with the first versions")
struct MailInTextFastPathTests {
    // MARK: The first versions

    static func referenceNormalisedBody(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0D:
                out.append("\n")
                previousWasCR = true
                continue
            case 0x0A:
                if !previousWasCR { out.append("\n") }
            case 0x09, 0x0C:
                out.append(scalar)
            case 0x00...0x1F, 0x7F, 0xFEFF:
                break
            default:
                out.append(scalar)
            }
            previousWasCR = false
        }
        return String(out)
    }

    static func referenceBareMessageID(_ text: String) -> String? {
        var id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if id.hasPrefix("<") { id.removeFirst() }
        if id.hasSuffix(">") { id.removeLast() }
        let clean = String(id.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }
            .map(Character.init).prefix(900))
        return clean.isEmpty ? nil : clean
    }

    static func referenceStoredText(reply: String, text: String, preface: String) -> String {
        let reply = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = reply.isEmpty ? text.trimmingCharacters(in: .whitespacesAndNewlines) : reply
        var clean = String.UnicodeScalarView()
        for scalar in (preface + (text.isEmpty ? "(no text)" : text)).unicodeScalars {
            if scalar == "\r" { continue }
            if scalar == "\n" || scalar == "\t" || !Validation.isForbiddenInLine(scalar) { clean.append(scalar) }
        }
        return HelpDesk.cut(String(clean), toBytes: Validation.messageMaxBytes,
                            note: "\n\n[cut at 64 KiB; the whole message is kept in `support mail list`]")
    }

    // MARK: Inputs

    /// The pieces random strings are made of: each a shape one of the steps treats specially.
    static let pieces: [String] = [
        "a", "Zoë", "日本", "👍🏽", "\r\n", "\r", "\n", "\t", "\u{0C}", "\u{00}", "\u{1B}", "\u{7F}", "\u{85}", "\u{9F}",
        "\u{A0}", "\u{FEFF}", "\u{2028}", "\u{2029}", "\u{202E}", "\u{2066}", "\u{3000}", "\u{200B}", " ", "  ", "<", ">",
        "@", "e\u{301}", "\u{301}", "Hi. This is the qmail-send program", ".",
    ]

    /// Deterministic strings (SplitMix64), so a failure names an input that comes back.
    static func randomStrings(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (0..<count).map { _ in
            (0..<Int(next() % 24)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined()
        }
    }

    static let shapes: [String] = [
        "", " ", "\r\n", "Hello\r\nworld\r\n", "line\rline\n\rx", "\u{FEFF}Hello", "a\u{0}b\u{7F}c\u{1B}d", "\u{A0} Hi \u{3000}",
        "\u{2028}text\u{2029}", "tab\there\u{0C}feed", "\u{85}x\u{85}", " <id@host> ", "<<a>>", "<id@höst>", "\t<x@y>\r\n",
        String(repeating: "x", count: 1000), "é\r\n\u{FEFF}\u{FEFF}e\u{301}",
    ]

    // MARK: Tests

    @Test func normalisedBodyGivesWhatTheScalarVersionGave() {
        // Given hand-picked shapes and 3,000 random strings of the pieces that matter
        for text in Self.shapes + Self.randomStrings(count: 3000, seed: 1) {
            // Then the byte version and the first version agree on each
            #expect(TextDecoding.normalisedBody(text) == Self.referenceNormalisedBody(text), "\(text.debugDescription)")
        }
    }

    @Test func bareMessageIDGivesWhatTheFoundationVersionGave() {
        let long = "<" + String(repeating: "ab", count: 600) + "@x>"
        for text in Self.shapes + [long, " \u{A0}<\u{3000}a b@c\u{3000}>"] + Self.randomStrings(count: 3000, seed: 2) {
            #expect(HelpDesk.bareMessageID(text) == Self.referenceBareMessageID(text), "\(text.debugDescription)")
        }
    }

    @Test func storedTextGivesWhatTheFoundationVersionGave() throws {
        // Given messages whose reply and text are every pairing of the shapes and random strings
        let texts = Self.shapes + Self.randomStrings(count: 600, seed: 3)
        for (index, reply) in texts.enumerated() {
            let text = texts[(index * 7 + 3) % texts.count]
            let mail = try InboundMail.parse(Array("From: a@b.example\r\nSubject: s\r\n\r\nx\r\n".utf8))
            var shaped = mail
            shaped.reply = reply
            shaped.text = text
            for preface in ["", "Follow-up to ST-2026-001:\n\n"] {
                // Then what is stored is what the first version stored
                #expect(HelpDesk.storedText(shaped, preface: preface) == Self.referenceStoredText(reply: reply, text: text, preface: preface),
                        "\(reply.debugDescription) / \(text.debugDescription)")
            }
        }
    }

    @Test func trimmedWhitespaceTrimsWhatFoundationTrims() {
        // Every scalar Foundation counts as white space or a newline, and some it does not
        let candidates: [UInt32] = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x180E, 0x2000, 0x2005, 0x200A, 0x200B,
                                    0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF, 0x1C, 0x1F]
        for value in candidates {
            let blank = String(Unicode.Scalar(value)!)
            let text = blank + "x" + blank
            #expect(HelpDesk.trimmedWhitespace(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "U+\(String(value, radix: 16))")
        }
    }

    @Test func aQmailBounceIsStillRecognisedAndOtherTextIsNot() throws {
        // Given qmail's bounce, with blanks and CR LF before its first line
        let bounce = "\r\n  Hi. This is the qmail-send program at mx.example.\r\nI'm afraid I wasn't able to deliver your message.\r\n\r\n"
            + "<jane@cust.example>:\r\nSorry, no mailbox here by that name.\r\n\r\n--- Below this line is a copy of the message.\r\n\r\n"
            + "Message-ID: <ST-2026-001.x.0123456789abcdef@desk.test>\r\nSubject: hello\r\n\r\nbody\r\n"
        // Then it is read as a permanent failure of Jane's address, about the desk's message
        let report = try #require(DeliveryStatusParser.qmailReport(bounce))
        #expect(report.failedRecipients == ["jane@cust.example"])
        #expect(report.originalMessageID == "ST-2026-001.x.0123456789abcdef@desk.test")
        #expect(report.isPermanent)
        // And text that only mentions it, or starts with a combining mark after the words, is not
        #expect(DeliveryStatusParser.qmailReport("Hello,\r\nHi. This is the qmail-send program at x.\r\n") == nil)
        #expect(DeliveryStatusParser.qmailReport("\u{A0}Hi. This is the qmail-send program at x.") == nil)
    }
}
