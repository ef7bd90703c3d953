import Foundation
import PropertyBased
import Testing

@testable import SupportCore

/// Part 7: property-based tests of the mail composer. Whatever text goes into a subject, a body
/// or a display name: no extra header line, no line over 998 octets, 7-bit output, headers that
/// parse, and subject, body and names that decode back to what went in (by the composer's
/// documented rules). Decoded twice: by a small RFC 2047 / quoted-printable decoder here (many
/// cases, fast) and by Python's `email` package through Tests/mail/check_message.py (fewer).
@Suite("reliability: mail composer properties")
struct ReliabilityComposerPropertyTests {
    // MARK: Generators: text that attacks a mail header or body

    static let fragments: [String] = [
        "\r\n", "\n", "\r", "\u{0}", "\t", "\u{1B}[31m", "\u{7F}", "\u{85}", "\u{9B}", "\u{2028}", "\u{2029}",
        "=?UTF-8?Q?hi?=", "=?", "?=", "=?UTF-8?B?aGk=?=", "Bcc: evil@example.test", "\r\nBcc: evil@example.test",
        "\nTo: everyone@example.test\n\n", ".", "\n.\n", "From ", "\nFrom me", "  ", " ", "   ", "\"", "\\", "<", ">",
        ",", ";", ":", "(", ")", "[", "@", "é", "日本語", "🔥", "👩‍👩‍👧", "e\u{301}", String(repeating: "\u{301}", count: 40),
        String(repeating: "x", count: 120), String(repeating: "ü", count: 80), String(repeating: "=", count: 30), "=3D",
        "_", "?", "\u{FEFF}", "\u{200B}", "\u{202E}",
    ]

    static let fragment = Gen<String?>.element(of: fragments).map { $0! }
    static let ascii = Gen<Character>.ascii.string(of: 0...12)
    static let bmp = Gen<UnicodeScalar>.unicodeScalar(in: "\u{A0}"..."\u{D7FF}").array(of: 1...6)
        .map { String(String.UnicodeScalarView($0)) }
    static let astral = Gen<UnicodeScalar>.unicodeScalar(in: "\u{10000}"..."\u{10FFFF}").array(of: 1...3)
        .map { String(String.UnicodeScalarView($0)) }
    static let word = Gen<Character>.letterOrNumber.string(of: 1...14)
    static let piece = Gen<String>.oneOf(fragment, ascii, bmp, astral, word, word)
    static let text = piece.array(of: 0...24).map { $0.joined() }
    static let longText = piece.array(of: 0...200).map { $0.joined() }

    static let date = Date(timeIntervalSince1970: 1_795_709_057)

    static func message(subject: String, body: String, name: String, messageID: String = "ST-2026-001.a.1@example.test") -> MailMessage {
        MailMessage(from: MailAddress(name: name, email: "support@example.test"),
                    to: [MailAddress(name: name, email: "alice@example.test")],
                    subject: subject, body: body, messageID: messageID,
                    inReplyTo: "ST-2026-001.1@example.test", references: ["ST-2026-001.1@example.test"],
                    date: date, autoSubmitted: "auto-replied", replyTo: MailAddress(name: name, email: "bob@example.test"))
    }

    // MARK: What the composer promises (written out again here, not taken from it)

    /// Subject: every Unicode control (Cc) and U+2028/U+2029 becomes a space.
    static func expectedSubject(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { isBreaking($0) ? " " : $0 }))
    }

    /// Display name: the same, then runs of spaces made one and the ends trimmed.
    /// (Split on the space scalar, as Python does: a space followed by a combining mark is one
    /// Character to Swift, but still a space in the header.)
    static func expectedName(_ text: String) -> String {
        expectedSubject(text).unicodeScalars.split(separator: " ", omittingEmptySubsequences: true)
            .map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }

    /// Body: CRLF and CR made LF, and a final LF when missing.
    /// (On scalars: "\r" followed by a combining mark is not a Character that String searches find.)
    static func expectedBody(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previousCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousCR { previousCR = false; continue }
            previousCR = scalar == "\r"
            out.append(previousCR ? "\n" : scalar)
        }
        if let last = out.last, last != "\n" { out.append("\n") }
        return String(out)
    }

    static func isBreaking(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s.value == 0x2028 || s.value == 0x2029
    }

    // MARK: A reader

    struct Parsed {
        var headers: [(name: String, value: String)] = []
        var body = ""
        var problems: [String] = []

        func value(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    static let allowed = ["Date", "From", "To", "Reply-To", "Subject", "Message-ID", "In-Reply-To", "References",
                          "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted"]

    /// Splits and unfolds the header, decodes the quoted-printable body, and notes every breach
    /// of the structural rules.
    static func parse(_ bytes: [UInt8]) -> Parsed {
        var parsed = Parsed()
        if bytes.contains(where: { $0 >= 0x80 }) { parsed.problems.append("8-bit byte") }
        if bytes.contains(0) { parsed.problems.append("NUL") }
        if bytes.contains(0x0D) { parsed.problems.append("CR") }
        if bytes.last != 0x0A { parsed.problems.append("no final newline") }
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        for line in lines where line.utf8.count > 998 { parsed.problems.append("a \(line.utf8.count)-octet line") }
        guard let blank = lines.firstIndex(of: "") else {
            parsed.problems.append("no blank line after the header")
            return parsed
        }
        for (index, line) in lines[..<blank].enumerated() {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                if index == 0 { parsed.problems.append("starts with a continuation") }
                if !parsed.headers.isEmpty { parsed.headers[parsed.headers.count - 1].value += line }
                continue
            }
            guard let colon = line.firstIndex(of: ":"), allowed.contains(String(line[..<colon])) else {
                parsed.problems.append("unexpected header line: \(line.prefix(80))")
                continue
            }
            parsed.headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        let names = parsed.headers.map(\.name)
        if Set(names).count != names.count { parsed.problems.append("a header twice: \(names)") }
        // Body: quoted-printable lines of at most 76 characters
        var body: [UInt8] = []
        for line in lines[(blank + 1)...] {
            if line.utf8.count > 76 { parsed.problems.append("a \(line.utf8.count)-character body line") }
            if line == "." || line.hasPrefix("From ") || line.hasPrefix(".") { parsed.problems.append("unsafe body line: \(line)") }
            var chars = Array(line.utf8)
            let soft = chars.last == UInt8(ascii: "=")
            if soft { chars.removeLast() }
            body += decodeEscapes(chars, underscoreIsSpace: false)
            if !soft { body.append(0x0A) }
        }
        if let decoded = String(validating: body, as: UTF8.self) { parsed.body = decoded } else { parsed.problems.append("body is not UTF-8") }
        return parsed
    }

    static func decodeEscapes(_ chars: [UInt8], underscoreIsSpace: Bool) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            if chars[i] == UInt8(ascii: "="), i + 2 < chars.count + 0, let v = UInt8(String(decoding: chars[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(underscoreIsSpace && chars[i] == UInt8(ascii: "_") ? 0x20 : chars[i])
                i += 1
            }
        }
        return out
    }

    /// One RFC 2047 encoded-word's bytes, or nil when `token` is not one.
    static func encodedWord(_ token: Substring) -> [UInt8]? {
        let parts = token.split(separator: "?", omittingEmptySubsequences: false)
        guard token.hasPrefix("=?"), token.hasSuffix("?="), parts.count == 5, parts[1].uppercased() == "UTF-8" else { return nil }
        switch parts[2].uppercased() {
        case "Q": return decodeEscapes(Array(parts[3].utf8), underscoreIsSpace: true)
        case "B": return Data(base64Encoded: String(parts[3])).map { [UInt8]($0) }
        default: return nil
        }
    }

    /// Unstructured text (a Subject): words joined by single spaces, or encoded-words whose
    /// separating spaces are dropped. Each word must be at most 75 characters and UTF-8 alone.
    static func decodeUnstructured(_ value: String, problems: inout [String]) -> String {
        let trimmed = value.hasPrefix(" ") ? value.dropFirst() : Substring(value)
        if trimmed.isEmpty { return "" }
        let tokens = trimmed.split(separator: " ", omittingEmptySubsequences: false)
        let words = tokens.map(encodedWord)
        if words.allSatisfy({ $0 == nil }) { return tokens.joined(separator: " ") }
        guard words.allSatisfy({ $0 != nil }) else {
            problems.append("encoded-words mixed with plain words: \(value.prefix(120))")
            return ""
        }
        var bytes: [UInt8] = []
        for (token, word) in zip(tokens, words) {
            if token.count > 75 { problems.append("a \(token.count)-character encoded-word") }
            if String(validating: word!, as: UTF8.self) == nil { problems.append("an encoded-word that is not UTF-8 alone") }
            bytes += word!
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The display name of a `name <address>` header value.
    static func decodeDisplayName(_ value: String, problems: inout [String]) -> String {
        guard let open = value.lastIndex(of: "<") else { return "" }
        let phrase = value[..<open].trimmingCharacters(in: .whitespaces)
        if phrase.hasPrefix("\"") {
            guard phrase.hasSuffix("\""), phrase.count >= 2 else {
                problems.append("unterminated quoted name: \(phrase.prefix(80))")
                return ""
            }
            var out = "", escaped = false
            for ch in phrase.dropFirst().dropLast() {
                if escaped { out.append(ch); escaped = false } else if ch == "\\" { escaped = true } else { out.append(ch) }
            }
            return out
        }
        return decodeUnstructured(" " + phrase, problems: &problems)
    }

    /// Everything wrong with the message composed from these texts.
    static func problems(subject: String, body: String, name: String) -> [String] {
        let bytes = MessageComposer.compose(message(subject: subject, body: body, name: name))
        var parsed = parse(bytes)
        let names = parsed.headers.map(\.name)
        if names != allowed { parsed.problems.append("headers \(names)") }
        let gotSubject = decodeUnstructured(parsed.value("Subject") ?? "", problems: &parsed.problems)
        if gotSubject != expectedSubject(subject) {
            parsed.problems.append("subject \(gotSubject.debugDescription.prefix(200)) != \(expectedSubject(subject).debugDescription.prefix(200))")
        }
        if parsed.body != expectedBody(body) { parsed.problems.append("body differs") }
        for header in ["From", "To", "Reply-To"] {
            let got = decodeDisplayName(parsed.value(header) ?? "", problems: &parsed.problems)
            if got != expectedName(name) {
                parsed.problems.append("\(header) name \(got.debugDescription.prefix(200)) != \(expectedName(name).debugDescription.prefix(200))")
            }
        }
        return parsed.problems
    }

    // MARK: Properties

    @Test func anyTextMakesAWellFormedMessageThatDecodesBack() async {
        let failures = ReliabilityCoreCounter()
        await propertyCheck(count: 600, input: Self.text, Self.longText, Self.text) { subject, body, name in
            let found = Self.problems(subject: subject, body: body, name: name)
            if !found.isEmpty { failures.add() }
            #expect(found.isEmpty, "subject \(subject.debugDescription.prefix(300)), name \(name.debugDescription.prefix(300)): \(found)")
        }
        print("reliability: composer-properties cases=600 failures=\(failures.count)")
    }

    @Test func noMessageIDOrAddressTextAddsAHeaderLine() async {
        let failures = ReliabilityCoreCounter()
        await propertyCheck(count: 300, input: Self.text, Self.text) { id, local in
            let message = MailMessage(from: MailAddress(name: nil, email: local + "@example.test"),
                                      to: [MailAddress(name: nil, email: "x" + local)], subject: "s", body: "b",
                                      messageID: id, inReplyTo: id, references: [id, id], date: Self.date, autoSubmitted: id)
            var parsed = Self.parse(MessageComposer.compose(message))
            let names = parsed.headers.map(\.name)
            if !Set(names).isSubset(of: Self.allowed) || names.count > Self.allowed.count { parsed.problems.append("headers \(names)") }
            if let value = parsed.value("Message-ID"), !(value.hasPrefix(" <") && value.hasSuffix(">")) {
                parsed.problems.append("Message-ID \(value)")
            }
            if !parsed.problems.isEmpty { failures.add() }
            #expect(parsed.problems.isEmpty, "\(id.debugDescription.prefix(200)): \(parsed.problems)")
        }
        print("reliability: composer-id-properties cases=300 failures=\(failures.count)")
    }

    // MARK: Through Python's email package

    static let checkMessage = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("mail/check_message.py").path

    static let python: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let path = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    @Test(.enabled(if: python != nil && FileManager.default.fileExists(atPath: checkMessage), "needs python3 and Tests/mail/check_message.py"))
    func pythonsEmailPackageReadsBackWhatWentIn() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("composer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let failures = ReliabilityCoreCounter()
        let counter = ReliabilityCoreCounter()
        await propertyCheck(count: 40, input: Self.text, Self.longText, Self.text) { subject, body, name in
            counter.add()
            let n = counter.count
            let files = ["eml", "subject", "body", "name"].map { directory.appendingPathComponent("\(n).\($0)") }
            let eml = MessageComposer.compose(Self.message(subject: subject, body: body, name: name))
            try? Data(eml).write(to: files[0])
            try? Data(subject.utf8).write(to: files[1])
            try? Data(body.utf8).write(to: files[2])
            try? Data(name.utf8).write(to: files[3])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.python!)
            process.arguments = [Self.checkMessage, files[0].path, "--subject-file", files[1].path, "--body-file", files[2].path,
                                 "--from-name-file", files[3].path, "--to-name-file", files[3].path, "--reply-to-name-file", files[3].path,
                                 "--message-id", "ST-2026-001.a.1@example.test", "--from-email", "support@example.test",
                                 "--to-email", "alice@example.test"]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            do { try process.run() } catch {
                Issue.record("cannot run python3: \(error)")
                return
            }
            let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus != 0 { failures.add() }
            #expect(process.terminationStatus == 0, "\(said.prefix(1500))")
        }
        print("reliability: composer-python cases=\(counter.count) failures=\(failures.count)")
    }
}

/// A counter the property bodies (which may run on any thread) can bump.
final class ReliabilityCoreCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func add() { lock.lock(); value += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}
