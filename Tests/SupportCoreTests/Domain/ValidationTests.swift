import Foundation
import Testing
@testable import SupportCore

@Suite("Validation")
struct ValidationTests {
    // MARK: One-line fields

    @Test func oneLineTrimsSpaces() throws {
        // Given a subject padded with spaces
        // When it is validated
        let subject = try Validation.oneLine("  Printer on fire  ", field: "subject", maxCharacters: 200)
        // Then the stored value is trimmed
        #expect(subject == "Printer on fire")
    }

    @Test(arguments: ["", " ", "      ", "\t"])
    func oneLineRefusesBlank(_ text: String) {
        // Given an empty or blank subject
        // When it is validated
        let error = failure { _ = try Validation.oneLine(text, field: "subject", maxCharacters: 200) }
        // Then it is refused as invalid input naming the field
        #expect(error == .invalidInput(field: "subject", "subject must not be empty"))
    }

    @Test func oneLineLengthLimitCountsCharacters() throws {
        // Given subjects of exactly the limit and one over, in characters (é is one character)
        let atLimit = String(repeating: "é", count: 200)
        let overLimit = String(repeating: "a", count: 201)
        // When they are validated
        // Then the first passes and the second is refused with its length
        #expect(try Validation.oneLine(atLimit, field: "subject", maxCharacters: 200) == atLimit)
        let error = failure { _ = try Validation.oneLine(overLimit, field: "subject", maxCharacters: 200) }
        #expect(error?.code == "INVALID_INPUT")
        #expect(error?.message.contains("201") == true)
    }

    @Test(arguments: [
        "line\nbreak", "carriage\rreturn", "esc\u{1B}[31mred", "nul\u{0}byte", "tab\tinside", "del\u{7F}",
        "c1\u{85}next", "bidi\u{202E}txt", "isolate\u{2066}x", "ls\u{2028}x", "bom\u{FEFF}x",
    ])
    func oneLineRefusesControlCharacters(_ text: String) {
        // Given a one-line field holding a control or invisible formatting character
        // When it is validated
        let error = failure { _ = try Validation.oneLine(text, field: "subject", maxCharacters: 200) }
        // Then it is refused, and the message names the character as U+XXXX
        #expect(error?.exitCode == 65)
        #expect(error?.message.contains("U+") == true)
    }

    // MARK: Multi-line texts

    @Test func textUnifiesLineEndingsAndTrims() throws {
        // Given a message with CRLF and CR line endings and surrounding blank lines
        // When it is validated
        let text = try Validation.text("\n\n  first\r\nsecond\rthird\t end \n\n")
        // Then line endings are LF and the ends are trimmed, tabs kept
        #expect(text == "first\nsecond\nthird\t end")
    }

    @Test(arguments: ["", "   ", "\n\n\t\n", "\r\n"])
    func textRefusesBlank(_ text: String) {
        let error = failure { _ = try Validation.text(text) }
        #expect(error == .invalidInput(field: "message", "message must not be empty"))
    }

    @Test(arguments: ["esc \u{1B}]0;title\u{7}", "nul \u{0} inside", "bell \u{7}", "bidi \u{202E} x", "c1 \u{9B}2J"])
    func textRefusesControlCharacters(_ text: String) {
        let error = failure { _ = try Validation.text(text) }
        #expect(error?.code == "INVALID_INPUT")
        #expect(error?.message.contains("control character") == true)
    }

    @Test func textLimitIsInBytes() throws {
        // Given messages of exactly 64 KiB, one byte more, and 64 KiB of two-byte characters
        let exact = String(repeating: "a", count: Validation.messageMaxBytes)
        let oneMore = exact + "b"
        let wide = String(repeating: "é", count: Validation.messageMaxBytes / 2 + 1)
        // When validated
        // Then the limit is on UTF-8 bytes, not characters
        #expect(try Validation.text(exact).utf8.count == 65_536)
        #expect(failure { _ = try Validation.text(oneMore) }?.message.contains("65537 bytes") == true)
        #expect(failure { _ = try Validation.text(wide) }?.exitCode == 65)
    }

    @Test func utf8RefusesInvalidBytes() throws {
        // Given a valid and an invalid UTF-8 byte sequence
        let valid = Data("naïve ✓".utf8)
        let invalid = Data([0x61, 0xFF, 0x62])
        // When decoded
        // Then the valid one is returned and the invalid one refused
        #expect(try Validation.utf8(valid, field: "message") == "naïve ✓")
        #expect(failure { _ = try Validation.utf8(invalid, field: "message") } == .invalidInput(field: "message", "message is not valid UTF-8"))
    }

    // MARK: Email

    @Test(arguments: [
        ("jane@example.com", "jane@example.com"),
        ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
        ("o'brien@x-y.test", "o'brien@x-y.test"),
        ("operator@localhost", "operator@localhost"),
    ])
    func emailAcceptsAndLowercases(_ input: String, _ expected: String) throws {
        #expect(try Validation.email(input) == expected)
    }

    @Test(arguments: [
        "", "plain", "@example.com", "jane@", "a@b@c.test", "jane@exa mple.com", "jane doe@x.test", "\"q\"@x.test",
        ".jane@x.test", "jane.@x.test", "ja..ne@x.test", "-jane@x.test", "jane@x..test", "jane@-x.test", "jane@x-.test",
        "jane@x.test\nBcc: evil@x.test", "jane@x.test>", "<jane@x.test>", "jané@x.test", "jane@[127.0.0.1]",
    ])
    func emailRefusesWhatIsNotAnAddress(_ input: String) {
        // Given something that is not a plain name@domain address
        // When validated
        let error = failure { _ = try Validation.email(input, field: "requester") }
        // Then it is invalid input for that field
        #expect(error?.code == "INVALID_INPUT")
        if case .invalidInput(let field, _)? = error { #expect(field == "requester") }
    }

    @Test func emailRefusesOverlongAddresses() {
        let longLocal = String(repeating: "a", count: 65) + "@x.test"
        let longTotal = "a@" + Array(repeating: String(repeating: "b", count: 60), count: 5).joined(separator: ".") + ".test"
        #expect(failure { _ = try Validation.email(longLocal) } != nil)
        #expect(longTotal.utf8.count > 254)
        #expect(failure { _ = try Validation.email(longTotal) }?.message.contains("254") == true)
    }

    // MARK: Quoting user text in messages

    @Test func printableEscapesControlsAndCaps() {
        #expect(Validation.printable("a\u{1B}[31mb\n") == "a\\x1B[31mb\\x0A")
        #expect(Validation.printable("x\u{202E}y") == "x\\u{202E}y")
        let long = Validation.printable(String(repeating: "z", count: 500), limit: 10)
        #expect(long == String(repeating: "z", count: 10) + "…")
    }
}
