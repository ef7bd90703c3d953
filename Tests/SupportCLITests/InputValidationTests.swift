import Foundation
import Testing

/// Invalid input exits 65 (EX_DATAERR) with one clear line, and changes nothing.
@Suite("invalid input")
struct InputValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var stdin: Data?
        /// Words the one-line message must contain.
        var mentions: String
        var testDescription: String { name }
    }

    static func create(subject: String = "Valid subject", category: String = "bug-report", message: String = "Valid message",
                       extra: [String] = []) -> [String] {
        ["ticket", "create", "--subject", subject, "--category", category, "--message", message] + extra
    }

    static let oversized = Data(repeating: UInt8(ascii: "a"), count: 64 * 1024 + 1)
    static let huge = Data(repeating: UInt8(ascii: "b"), count: 1024 * 1024)

    static let cases: [Case] = [
        Case(name: "empty subject", arguments: create(subject: ""), mentions: "subject"),
        Case(name: "blank subject", arguments: create(subject: "   \t "), mentions: "subject"),
        Case(name: "201-character subject", arguments: create(subject: String(repeating: "x", count: 201)), mentions: "201"),
        Case(name: "subject with LF", arguments: create(subject: "two\nlines"), mentions: "U+000A"),
        Case(name: "subject with CR", arguments: create(subject: "two\rlines"), mentions: "U+000D"),
        Case(name: "subject with ESC", arguments: create(subject: "red \u{1B}[31malert"), mentions: "U+001B"),
        Case(name: "subject with TAB", arguments: create(subject: "tab\tinside"), mentions: "U+0009"),
        Case(name: "subject with BEL", arguments: create(subject: "bell\u{7}"), mentions: "U+0007"),
        Case(name: "subject with DEL", arguments: create(subject: "del\u{7F}"), mentions: "U+007F"),
        Case(name: "subject with C1 CSI", arguments: create(subject: "csi\u{9B}2J"), mentions: "U+009B"),
        Case(name: "subject with bidi override", arguments: create(subject: "abc\u{202E}txt.exe"), mentions: "U+202E"),
        Case(name: "message with ESC", arguments: create(message: "title \u{1B}]0;pwned\u{7}"), mentions: "control character"),
        Case(name: "blank message", arguments: create(message: " \n\t\n "), mentions: "message"),
        Case(name: "message over 64 KiB on stdin", arguments: create(message: "-"), stdin: oversized, mentions: "65536"),
        Case(name: "1 MiB message on stdin", arguments: create(message: "-"), stdin: huge, mentions: "65536"),
        Case(name: "empty stdin", arguments: create(message: "-"), stdin: Data(), mentions: "message"),
        Case(name: "invalid UTF-8 on stdin", arguments: create(message: "-"), stdin: Data([0x68, 0x69, 0xC3, 0x28, 0xFF]), mentions: "UTF-8"),
        Case(name: "NUL on stdin", arguments: create(message: "-"), stdin: Data("nul\u{0}byte".utf8), mentions: "U+0000"),
        Case(name: "ESC on stdin", arguments: create(message: "-"), stdin: Data("clear \u{1B}[2J".utf8), mentions: "U+001B"),
        Case(name: "reply over 64 KiB on stdin", arguments: ["respond", "N", "--message", "-"], stdin: oversized, mentions: "65536"),
        Case(name: "reply with ESC", arguments: ["respond", "N", "--message", "x\u{1B}c"], mentions: "U+001B"),
        Case(name: "bad requester email", arguments: create(extra: ["--requester", "not-an-address"]), mentions: "not-an-address"),
        Case(name: "requester email with two @", arguments: create(extra: ["--requester", "a@b@example.test"]), mentions: "email"),
        Case(name: "requester email with header injection",
             arguments: create(extra: ["--requester", "jane@example.test\nBcc: all@example.test"]), mentions: "email"),
        Case(name: "requester name with LF", arguments: create(extra: ["--requester", "new@example.test", "--name", "A\nB"]), mentions: "name"),
        Case(name: "unknown category", arguments: create(category: "hardware"), mentions: "technical-issue"),
        Case(name: "category in a third spelling", arguments: create(category: "TechnicalIssue"), mentions: "category"),
        Case(name: "unknown priority", arguments: create(extra: ["--priority", "urgent"]), mentions: "priority"),
        Case(name: "unknown status in list", arguments: ["ticket", "list", "--status", "pending"], mentions: "in-progress"),
        Case(name: "empty status", arguments: ["ticket", "list", "--status", ""], mentions: "status"),
        Case(name: "a lone comma as a category", arguments: ["ticket", "list", "--category", ","], mentions: "category"),
        Case(name: "a trailing comma in priorities", arguments: ["ticket", "list", "--priority", "high,"], mentions: "priority"),
        Case(name: "--since +5d", arguments: ["ticket", "list", "--since", "+5d"], mentions: "--since"),
        Case(name: "unknown status in update", arguments: ["ticket", "update", "N", "--status", "done"], mentions: "status"),
        Case(name: "unknown category in update", arguments: ["ticket", "update", "N", "--category", "other"], mentions: "category"),
        Case(name: "blank subject in update", arguments: ["ticket", "update", "N", "--subject", " ", "--status", "closed"], mentions: "subject"),
        Case(name: "unknown sort", arguments: ["ticket", "list", "--sort", "random"], mentions: "sort"),
        Case(name: "--since words it does not know", arguments: ["ticket", "list", "--since", "last tuesday"], mentions: "--since"),
        Case(name: "--since impossible day", arguments: ["ticket", "list", "--since", "2026-02-30"], mentions: "not a real date"),
        Case(name: "--since month 13", arguments: ["ticket", "list", "--since", "2026-13-01T00:00Z"], mentions: "--since"),
        Case(name: "--until garbage", arguments: ["ticket", "list", "--until", "soon"], mentions: "--until"),
        Case(name: "--since after --until", arguments: ["ticket", "list", "--since", "2026-05-01", "--until", "2026-04-01"],
             mentions: "--since"),
        Case(name: "path traversal as a ticket number", arguments: ["ticket", "show", "../../etc/passwd"], mentions: "ticket number"),
        Case(name: "absolute path as a ticket number", arguments: ["ticket", "delete", "/etc/passwd", "--yes"], mentions: "ticket number"),
        Case(name: "SQL as a ticket number", arguments: ["ticket", "update", "ST-2026-001' OR 1=1 --", "--priority", "low"],
             mentions: "ticket number"),
        Case(name: "traversal after a number", arguments: ["respond", "ST-2026-001/../../x", "--message", "hi"], mentions: "ticket number"),
        Case(name: "zero sequence", arguments: ["ticket", "show", "ST-2026-000"], mentions: "ticket number"),
    ]

    @Test(arguments: cases, Engine.available)
    func exits65AndChangesNothing(_ c: Case, engine: Engine) throws {
        // Given a database with one ticket
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(extra: ["--requester", "jane@example.test"])
        let before = try sandbox.storedState()
        // When a command is given invalid input (as the operator, who may do anything)
        let arguments = c.arguments.map { $0 == "N" ? Sandbox.number(1) : $0 }
        let text = try sandbox.run(arguments, stdin: c.stdin)
        let json = try sandbox.run(arguments + ["--json"], stdin: c.stdin)
        // Then it exits 65 with one clear line on stderr, nothing on stdout
        #expect(text.status == 65, "\(text)")
        #expect(text.out == "")
        #expect(text.err.hasPrefix("support: ") && text.err.hasSuffix("\n") && text.err.dropLast().contains("\n") == false, "\(text.err)")
        #expect(text.err.contains(c.mentions), "\(text.err)")
        #expect(!text.stderr.contains(0x1B), "no raw ESC in the message")
        #expect(!text.err.lowercased().contains("sqlite") && !text.err.contains("SELECT") && !text.err.contains("INSERT"))
        // And with --json the same is an APIError object
        #expect(json.status == 65)
        #expect(json.out == "")
        let error = try json.apiError()
        #expect(error["code"] as? String == "INVALID_INPUT")
        // And nothing changed
        #expect(try sandbox.storedState() == before)
    }

    /// Numbers out of an option's range are usage errors (64), in one wording for every option
    /// (issue 15): "--limit must be from 1 to 500 (got 0)".
    static let rangeCases: [Case] = [
        Case(name: "--limit 0", arguments: ["ticket", "list", "--limit", "0"], mentions: "--limit must be from 1 to 500 (got 0)"),
        Case(name: "--limit 501", arguments: ["ticket", "list", "--limit", "501"], mentions: "--limit must be from 1 to 500 (got 501)"),
        Case(name: "--limit=-1", arguments: ["ticket", "list", "--limit=-1"], mentions: "--limit must be from 1 to 500 (got -1)"),
        Case(name: "--page 0", arguments: ["ticket", "list", "--page", "0"], mentions: "--page must be from 1"),
    ]

    @Test(arguments: rangeCases, Engine.available)
    func numbersOutOfRangeExit64AndChangeNothing(_ c: Case, engine: Engine) throws {
        // Given a database with one ticket
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket(extra: ["--requester", "jane@example.test"])
        let before = try sandbox.storedState()
        // When an option is given a number out of its range
        let text = try sandbox.run(c.arguments)
        let json = try sandbox.run(c.arguments + ["--json"])
        // Then it is a usage error naming the option, its range and the value given
        #expect(text.status == 64, "\(text)")
        #expect(text.out == "")
        #expect(text.err.contains(c.mentions), "\(text.err)")
        #expect(json.status == 64)
        #expect(json.out == "")
        #expect(try json.apiError()["code"] as? String == "USAGE_ERROR")
        // And nothing changed
        #expect(try sandbox.storedState() == before)
    }

    @Test(arguments: Engine.available) func boundariesAreAccepted(engine: Engine) throws {
        // Given the largest values the limits allow
        let sandbox = try Sandbox(engine: engine)
        let subject = String(repeating: "s", count: 200)
        let message = Data(repeating: UInt8(ascii: "m"), count: 64 * 1024)
        // When a ticket is opened with them
        let result = try sandbox.run(Self.create(subject: subject, message: "-") + ["--json"], stdin: message)
        // Then they are stored whole
        #expect(result.status == 0, "\(result)")
        let ticket = try #require(try result.json()["ticket"] as? [String: Any])
        #expect((ticket["subject"] as? String)?.count == 200)
        #expect((ticket["message"] as? String)?.utf8.count == 64 * 1024)
        #expect(try sandbox.run(["ticket", "list", "--limit", "500"]).status == 0)
        #expect(try sandbox.run(["ticket", "list", "--limit", "1"]).status == 0)
    }

    @Test(arguments: Engine.available) func unicodeTextIsKeptExactly(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let subject = "Ümlaut, 日本語, emoji 🖨️🔥, RTL שלום"
        let message = "Zeile 1\nZeile 2 — “quoted”\n\tTab"
        let ticket = try sandbox.createTicket(subject: subject, message: message)
        #expect(ticket["subject"] as? String == subject)
        #expect(ticket["message"] as? String == message)
    }

    @Test(arguments: Engine.available) func aSubjectOfCombiningCharactersWithinTheLimitIsAccepted(engine: Engine) throws {
        // Given a subject of 150 characters, each e + combining acute (300 code points)
        let sandbox = try Sandbox(engine: engine)
        let subject = String(repeating: "e\u{301}", count: 150)
        // When a ticket is opened with it
        let result = try sandbox.run(Self.create(subject: subject) + ["--json"])
        // Then it is accepted (the documented limit is 200 characters, not code points).
        #expect(result.status == 0, "\(result)")
    }

    @Test(arguments: Engine.available) func invalidUTF8InArgumentsIsRefused(engine: Engine) throws {
        // Given raw bytes that are not UTF-8 (Process cannot pass them, so a shell's printf does)
        let sandbox = try Sandbox(engine: engine)
        try sandbox.createTicket()
        let before = try sandbox.storedState()
        // When they are given as the subject, the message and a ticket number
        let scripts = [
            #""$SUPPORT" ticket create --subject "$(printf 'bad \377 byte')" --category bug-report --message m"#,
            #""$SUPPORT" ticket create --subject ok --category bug-report --message "$(printf '\300\200')" --json"#,
            #""$SUPPORT" respond "$(printf 'ST-2026-001\351')" --message hi"#,
        ]
        for script in scripts {
            let result = try sandbox.shell(script)
            // Then each is refused with 65 before anything is stored
            #expect(result.status == 65, "\(script): \(result)")
            #expect(result.out == "")
            #expect(result.err.contains("UTF-8"), "\(result.err)")
        }
        #expect(try sandbox.storedState() == before)
    }
}
