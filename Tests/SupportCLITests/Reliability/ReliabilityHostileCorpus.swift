import Foundation

/// The hostile-input corpus of part 3: values that attack a field (empty, blank, over-long,
/// control and escape characters, CR/LF, SQL, FTS syntax, paths, format strings, template
/// syntax, huge and negative numbers, invalid UTF-8), the places they go (every option and
/// argument of every command, and stdin), and for each pair the exit status SPEC's classes give.
enum HostileCorpus {
    struct Value: Sendable {
        enum Trait: Sendable { case empty, blank, overLong, control, lineBreak, invisible, numeric, dash, invalidUTF8, quote }
        var name: String
        /// The text; for invalid UTF-8, `bytes` holds the argument instead.
        var text: String
        var bytes: [UInt8]? = nil
        var traits: Set<Trait> = []

        func has(_ trait: Trait) -> Bool { traits.contains(trait) }
    }

    static let overLongText = String(repeating: "overlong ", count: 8_000)  // 72,000 bytes: past every limit, within one argv string

    /// Every value; `core` are the ones tried on every slot, the others on the text slots.
    static let values: [Value] = [
        Value(name: "empty", text: "", traits: [.empty, .blank]),
        Value(name: "blank", text: "  \t  ", traits: [.blank, .control]),
        Value(name: "only newlines", text: "\n\n", traits: [.blank, .lineBreak]),
        Value(name: "over-long", text: overLongText, traits: [.overLong]),
        Value(name: "BEL", text: "ring\u{7}ring", traits: [.control]),
        Value(name: "ESC CSI colour", text: "\u{1B}[31mred\u{1B}[0m", traits: [.control]),
        Value(name: "OSC retitle", text: "\u{1B}]0;pwned\u{7}title", traits: [.control]),
        Value(name: "C1 CSI", text: "c1\u{9B}2Jclear", traits: [.control]),
        Value(name: "DEL", text: "del\u{7F}ete", traits: [.control]),
        Value(name: "CRLF header injection", text: "x\r\nBcc: evil@example.test", traits: [.lineBreak]),
        Value(name: "bare CR", text: "over\rwrite", traits: [.lineBreak]),
        Value(name: "bidi override", text: "abc\u{202E}fdp.exe", traits: [.control]),
        Value(name: "zero width space", text: "zero\u{200B}width", traits: [.invisible]),
        Value(name: "SQL quote", text: "' OR 1=1 --", traits: [.quote]),
        Value(name: "SQL drop", text: "x'); DROP TABLE ticket; --", traits: [.quote]),
        Value(name: "FTS syntax", text: "\"foo AND (bar OR NEAR(x y)) * -baz x:y", traits: [.quote]),
        Value(name: "path traversal", text: "../../../../etc/passwd"),
        Value(name: "format string", text: "%s%n%x%d%@"),
        Value(name: "template syntax", text: "{{#x}}{{/y}}"),
        Value(name: "unicode", text: "日本語 🔥 Ünïcödé"),
        Value(name: "huge number", text: "99999999999999999999", traits: [.numeric]),
        Value(name: "negative number", text: "-1", traits: [.numeric, .dash]),
        Value(name: "invalid UTF-8", text: "", bytes: [0x62, 0x61, 0x64, 0xFF, 0xC3, 0x28], traits: [.invalidUTF8]),
    ]

    static let coreNames: Set<String> = [
        "empty", "over-long", "ESC CSI colour", "CRLF header injection", "SQL drop", "huge number", "negative number",
        "invalid UTF-8",
    ]

    /// What a place expects of its value.
    enum Kind: Sendable {
        case oneLine(max: Int)
        case text
        case enumeration
        case email
        /// An address or nothing (empty turns mail off).
        case optionalEmail
        case actor
        case date
        case integer
        case ticketNumber
        case search
        case settingKey
        case template
        case sendmail
        case sendmailSetting
        case outboxID

        func expected(_ v: Value) -> Set<Int32> {
            if v.has(.invalidUTF8) { return [65] }
            switch self {
            case .oneLine(let max):
                if v.has(.blank) || v.has(.control) || v.has(.lineBreak) || v.has(.invisible) { return [65] }
                return v.text.count > max ? [65] : [0]
            case .text, .template:
                if v.has(.blank) || v.has(.control) { return [65] }
                if v.text.utf8.count > 65_536 { return [65] }
                if case .template = self, v.text.contains("{{") { return [65] }
                return [0]
            case .enumeration, .email, .date, .ticketNumber, .settingKey: return [65]
            case .optionalEmail: return v.has(.blank) && !v.has(.lineBreak) ? [0] : [65]
            case .actor: return [67]
            case .integer:
                if v.has(.numeric) { return v.has(.dash) ? [64, 65] : [64] }
                return [64]
            case .search: return [0]
            case .sendmail:
                if v.has(.blank) || v.has(.control) || v.has(.lineBreak) || v.has(.invisible) || v.has(.overLong) { return [65] }
                // Parsed like a shell's words: an odd quote is refused, a relative path too;
                // any other word names a program that is not there (nothing is ever run).
                return [65, 78]
            case .sendmailSetting:
                if v.has(.blank) || v.has(.control) || v.has(.lineBreak) || v.has(.invisible) || v.has(.overLong) { return [65] }
                return [0, 65]
            case .outboxID:
                return v.has(.dash) ? [66] : [64]
            }
        }
    }

    /// Where a value goes: a command line with `VALUE` in one place.
    struct Slot: Sendable {
        var group: String
        var name: String
        var arguments: [String]
        var kind: Kind
        /// Whether success may change what is stored.
        var writes: Bool
        /// Try every value here, not only the core ones.
        var full = false
        var actor: String? = nil
    }

    static let n1 = Sandbox.number(1)

    static let slots: [Slot] = [
        // ticket create
        Slot(group: "create", name: "create --subject", arguments: ["ticket", "create", "--subject=VALUE", "--category", "bug-report", "--message", "m"], kind: .oneLine(max: 200), writes: true, full: true),
        Slot(group: "create", name: "create --message", arguments: ["ticket", "create", "--subject", "s", "--category", "bug-report", "--message=VALUE"], kind: .text, writes: true, full: true),
        Slot(group: "create", name: "create --category", arguments: ["ticket", "create", "--subject", "s", "--category=VALUE", "--message", "m"], kind: .enumeration, writes: true),
        Slot(group: "create", name: "create --priority", arguments: ["ticket", "create", "--subject", "s", "--category", "bug-report", "--priority=VALUE", "--message", "m"], kind: .enumeration, writes: true),
        Slot(group: "create", name: "create --requester", arguments: ["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m", "--requester=VALUE"], kind: .email, writes: true),
        Slot(group: "create", name: "create --name", arguments: ["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m", "--requester", "new@example.test", "--name=VALUE"], kind: .oneLine(max: 100), writes: true),
        // ticket list / export
        Slot(group: "list", name: "list --search", arguments: ["ticket", "list", "--search=VALUE"], kind: .search, writes: false, full: true),
        Slot(group: "list", name: "list --status", arguments: ["ticket", "list", "--status=VALUE"], kind: .enumeration, writes: false),
        Slot(group: "list", name: "list --priority", arguments: ["ticket", "list", "--priority=VALUE"], kind: .enumeration, writes: false),
        Slot(group: "list", name: "list --category", arguments: ["ticket", "list", "--category=VALUE"], kind: .enumeration, writes: false),
        Slot(group: "list", name: "list --assignee", arguments: ["ticket", "list", "--assignee=VALUE"], kind: .email, writes: false),
        Slot(group: "list", name: "list --requester", arguments: ["ticket", "list", "--requester=VALUE"], kind: .email, writes: false),
        Slot(group: "list", name: "list --since", arguments: ["ticket", "list", "--since=VALUE"], kind: .date, writes: false),
        Slot(group: "list", name: "list --until", arguments: ["ticket", "list", "--until=VALUE"], kind: .date, writes: false),
        Slot(group: "list", name: "list --sort", arguments: ["ticket", "list", "--sort=VALUE"], kind: .enumeration, writes: false),
        Slot(group: "list", name: "list --page", arguments: ["ticket", "list", "--page=VALUE"], kind: .integer, writes: false),
        Slot(group: "list", name: "list --limit", arguments: ["ticket", "list", "--limit=VALUE"], kind: .integer, writes: false),
        Slot(group: "list", name: "export --search", arguments: ["ticket", "export", "--search=VALUE"], kind: .search, writes: false),
        Slot(group: "list", name: "export --since", arguments: ["ticket", "export", "--since=VALUE"], kind: .date, writes: false),
        Slot(group: "list", name: "stats --since", arguments: ["stats", "--since=VALUE"], kind: .date, writes: false),
        Slot(group: "list", name: "stats --until", arguments: ["stats", "--until=VALUE"], kind: .date, writes: false),
        Slot(group: "list", name: "audit --action", arguments: ["audit", "--action=VALUE"], kind: .enumeration, writes: false),
        Slot(group: "list", name: "audit --actor", arguments: ["audit", "--actor=VALUE"], kind: .email, writes: false),
        Slot(group: "list", name: "audit --ticket", arguments: ["audit", "--ticket=VALUE"], kind: .ticketNumber, writes: false),
        Slot(group: "list", name: "audit --since", arguments: ["audit", "--since=VALUE"], kind: .date, writes: false),
        Slot(group: "list", name: "audit --until", arguments: ["audit", "--until=VALUE"], kind: .date, writes: false),
        Slot(group: "list", name: "audit --page", arguments: ["audit", "--page=VALUE"], kind: .integer, writes: false),
        Slot(group: "list", name: "audit --limit", arguments: ["audit", "--limit=VALUE"], kind: .integer, writes: false),
        // one ticket
        Slot(group: "ticket", name: "show NUMBER", arguments: ["ticket", "show", "VALUE"], kind: .ticketNumber, writes: false),
        Slot(group: "ticket", name: "history NUMBER", arguments: ["ticket", "history", "VALUE"], kind: .ticketNumber, writes: false),
        Slot(group: "ticket", name: "delete NUMBER", arguments: ["ticket", "delete", "VALUE", "--yes"], kind: .ticketNumber, writes: true),
        Slot(group: "ticket", name: "update NUMBER", arguments: ["ticket", "update", "VALUE", "--priority", "high"], kind: .ticketNumber, writes: true),
        Slot(group: "ticket", name: "update --subject", arguments: ["ticket", "update", n1, "--subject=VALUE"], kind: .oneLine(max: 200), writes: true),
        Slot(group: "ticket", name: "update --message", arguments: ["ticket", "update", n1, "--message=VALUE"], kind: .text, writes: true),
        Slot(group: "ticket", name: "update --status", arguments: ["ticket", "update", n1, "--status=VALUE"], kind: .enumeration, writes: true),
        Slot(group: "ticket", name: "update --category", arguments: ["ticket", "update", n1, "--category=VALUE"], kind: .enumeration, writes: true),
        Slot(group: "ticket", name: "update --assign", arguments: ["ticket", "update", n1, "--assign=VALUE"], kind: .email, writes: true),
        Slot(group: "ticket", name: "respond NUMBER", arguments: ["respond", "VALUE", "--message", "hello"], kind: .ticketNumber, writes: true),
        Slot(group: "ticket", name: "respond --message", arguments: ["respond", n1, "--message=VALUE"], kind: .text, writes: true, full: true),
        Slot(group: "ticket", name: "respond --internal --message", arguments: ["respond", n1, "--internal", "--message=VALUE"], kind: .text, writes: true, actor: "staff@example.test"),
        // settings, users, mail
        Slot(group: "admin", name: "settings get KEY", arguments: ["settings", "get", "VALUE"], kind: .settingKey, writes: false),
        Slot(group: "admin", name: "settings set KEY", arguments: ["settings", "set", "VALUE", "x"], kind: .settingKey, writes: true),
        Slot(group: "admin", name: "settings set support_name", arguments: ["settings", "set", "support_name", "VALUE"], kind: .oneLine(max: 100), writes: true),
        Slot(group: "admin", name: "settings set support_email", arguments: ["settings", "set", "support_email", "VALUE"], kind: .optionalEmail, writes: true),
        Slot(group: "admin", name: "settings set support_auto_response", arguments: ["settings", "set", "support_auto_response", "VALUE"], kind: .enumeration, writes: true),
        Slot(group: "admin", name: "settings set support_email_template", arguments: ["settings", "set", "support_email_template", "VALUE"], kind: .template, writes: true, full: true),
        Slot(group: "admin", name: "settings set mail_max_attempts", arguments: ["settings", "set", "mail_max_attempts", "VALUE"], kind: .enumeration, writes: true),
        Slot(group: "admin", name: "settings set ticket_rate_limit_per_hour", arguments: ["settings", "set", "ticket_rate_limit_per_hour", "VALUE"], kind: .enumeration, writes: true),
        Slot(group: "admin", name: "settings set sendmail_command", arguments: ["settings", "set", "sendmail_command", "VALUE"], kind: .sendmailSetting, writes: true),
        Slot(group: "admin", name: "user add EMAIL", arguments: ["user", "add", "VALUE"], kind: .email, writes: true),
        Slot(group: "admin", name: "user add --name", arguments: ["user", "add", "newcomer@example.test", "--name=VALUE"], kind: .oneLine(max: 100), writes: true),
        Slot(group: "admin", name: "user add --role", arguments: ["user", "add", "newcomer@example.test", "--role=VALUE"], kind: .enumeration, writes: true),
        Slot(group: "admin", name: "user update EMAIL", arguments: ["user", "update", "VALUE", "--name", "n"], kind: .email, writes: true),
        Slot(group: "admin", name: "user update --name", arguments: ["user", "update", "staff@example.test", "--name=VALUE"], kind: .oneLine(max: 100), writes: true),
        Slot(group: "admin", name: "user list --role", arguments: ["user", "list", "--role=VALUE"], kind: .enumeration, writes: false),
        Slot(group: "admin", name: "notify list --status", arguments: ["notify", "list", "--status=VALUE"], kind: .enumeration, writes: false),
        Slot(group: "admin", name: "notify retry ID", arguments: ["notify", "retry", "VALUE"], kind: .outboxID, writes: true),
        Slot(group: "admin", name: "notify flush --sendmail", arguments: ["notify", "flush", "--sendmail=VALUE"], kind: .sendmail, writes: true),
        Slot(group: "admin", name: "notify flush --limit", arguments: ["notify", "flush", "--limit=VALUE"], kind: .integer, writes: true),
        Slot(group: "admin", name: "notify flush --jobs", arguments: ["notify", "flush", "--jobs=VALUE"], kind: .integer, writes: true),
        Slot(group: "admin", name: "notify flush --timeout", arguments: ["notify", "flush", "--timeout=VALUE"], kind: .integer, writes: true),
        Slot(group: "admin", name: "--as", arguments: ["ticket", "list", "--as=VALUE"], kind: .actor, writes: false),
    ]

    /// One run of the corpus.
    struct Case: Sendable {
        var group: String
        var name: String
        var arguments: [String]
        /// For bytes that argv from Swift cannot carry (invalid UTF-8): run through /bin/sh.
        var script: String?
        var stdin: Data?
        var actor: String?
        var expected: Set<Int32>
        var writes: Bool
        var json: Bool
        /// A refusal that still changes the file (an import whose other lines went in).
        var partial = false
    }

    static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The argument vector with `value` put in place of VALUE; a positional value that starts
    /// with `-` goes after `--`, as a careful script would pass it.
    static func arguments(_ slot: Slot, _ value: Value) -> (args: [String], script: String?) {
        let positional = slot.arguments.contains("VALUE")
        if let bytes = value.bytes {
            let octal = bytes.map { String(format: "\\%03o", $0) }.joined()
            let words = slot.arguments.map { word in
                word.contains("VALUE")
                    ? "\"" + word.replacingOccurrences(of: "VALUE", with: "$(printf '\(octal)')") + "\""
                    : shellQuoted(word)
            }
            return ([], "exec \"$SUPPORT\" " + words.joined(separator: " "))
        }
        // `--opt=` is "a missing value" to ArgumentParser (64): an empty value goes as its own word.
        var args = slot.arguments.flatMap { word -> [String] in
            if value.text.isEmpty, word.hasSuffix("=VALUE") { return [String(word.dropLast("=VALUE".count)), ""] }
            return [word.replacingOccurrences(of: "VALUE", with: value.text)]
        }
        if positional, value.text.hasPrefix("-"), let index = slot.arguments.firstIndex(of: "VALUE") {
            // The command words, then the options (with their values), then `--`, then the
            // positionals in their order (in these slots VALUE is the first positional).
            let prefix = Array(slot.arguments[..<index])
            var options: [String] = [], positionals: [String] = [value.text]
            var rest = Array(slot.arguments[(index + 1)...])[...]
            while let word = rest.popFirst() {
                if word.hasPrefix("--") {
                    options.append(word)
                    if !word.contains("="), let optionValue = rest.popFirst() { options.append(optionValue) }
                } else {
                    positionals.append(word)
                }
            }
            args = prefix + options + ["--"] + positionals
        }
        return (args, nil)
    }

    /// The argument-vector cases: every core value on every slot, every value on the full slots.
    static func argumentCases() -> [Case] {
        var cases: [Case] = []
        for slot in slots {
            for value in values where slot.full || coreNames.contains(value.name) {
                let (args, script) = arguments(slot, value)
                cases.append(Case(group: slot.group, name: "\(slot.name) = \(value.name)", arguments: args, script: script,
                                  stdin: nil, actor: slot.actor, expected: slot.kind.expected(value), writes: slot.writes,
                                  json: cases.count % 2 == 1))
            }
        }
        return cases
    }

    // MARK: stdin

    static func bytes(_ text: String) -> Data { Data(text.utf8) }

    /// Text read from stdin (`--message -`, `settings set KEY -`): what argv cannot carry.
    static let stdinValues: [(name: String, data: Data, expected: Int32)] = [
        ("empty", Data(), 65),
        ("blank", bytes(" \n\t\n "), 65),
        ("NUL", bytes("nul\u{0}byte"), 65),
        ("ESC", bytes("clear \u{1B}[2J screen"), 65),
        ("C1 in UTF-8", bytes("c1 \u{9B}2J"), 65),
        ("invalid UTF-8", Data([0x68, 0x69, 0xFF, 0xFE]), 65),
        ("overlong UTF-8 encoding of /", Data([0x2E, 0x2E, 0xC0, 0xAF, 0x65, 0x74, 0x63]), 65),
        ("UTF-16 surrogate bytes", Data([0x61, 0xED, 0xA0, 0x80, 0x62]), 65),
        // A UTF-8 byte-order mark at the very start (as Windows editors write) is dropped.
        ("byte-order mark", bytes("\u{FEFF}hello"), 0),
        ("200 KiB", Data(repeating: UInt8(ascii: "a"), count: 200 * 1024), 65),
        ("3 MiB, past the argument limit", Data(repeating: UInt8(ascii: "b"), count: 3 * 1024 * 1024), 65),
        ("CR line endings", bytes("one\rtwo\rthree"), 0),
        ("exactly 64 KiB", Data(repeating: UInt8(ascii: "c"), count: 64 * 1024), 0),
        ("SQL and FTS text", bytes("'); DROP TABLE ticket; -- \"a AND (b\" NEAR(x y) *"), 0),
    ]

    static func stdinCases() -> [Case] {
        let targets: [(String, [String], String?)] = [
            ("create --message -", ["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "-"], nil),
            ("respond --message -", ["respond", n1, "--message", "-"], nil),
            ("update --message -", ["ticket", "update", n1, "--message", "-"], "staff@example.test"),
            ("settings set support_email_template -", ["settings", "set", "support_email_template", "-"], nil),
        ]
        var cases: [Case] = []
        for (name, args, actor) in targets {
            for value in stdinValues {
                cases.append(Case(group: "stdin", name: "\(name) < \(value.name)", arguments: args, script: nil, stdin: value.data,
                                  actor: actor, expected: [value.expected], writes: true, json: cases.count % 2 == 0))
            }
        }
        // `settings set support_name -`: one line, so CR and the 64 KiB text are refused too.
        for value in stdinValues where value.expected == 65 || value.name == "SQL and FTS text" {
            cases.append(Case(group: "stdin", name: "settings set support_name - < \(value.name)",
                              arguments: ["settings", "set", "support_name", "-"], script: nil, stdin: value.data, actor: nil,
                              expected: [value.name == "SQL and FTS text" ? 0 : 65], writes: true, json: cases.count % 2 == 0))
        }
        return cases
    }

    // MARK: import

    static func line(_ fields: [String: Any]) -> String {
        var ticket: [String: Any] = ["subject": "imported", "message": "m", "category": "bug-report",
                                     "submittedBy": ["email": "importer@example.test"]]
        for (key, value) in fields { ticket[key] = value }
        return String(decoding: try! JSONSerialization.data(withJSONObject: ticket, options: [.sortedKeys]), as: UTF8.self)
    }

    static func reply(_ fields: [String: Any]) -> [String: Any] {
        var reply: [String: Any] = ["message": "r", "respondedBy": ["email": "staff@example.test"]]
        for (key, value) in fields { reply[key] = value }
        return reply
    }

    /// NDJSON on stdin: each refused, with its line number, and nothing imported.
    static let importLines: [(name: String, data: Data, expected: Int32)] = [
        ("not JSON", bytes("this is not json\n"), 65),
        ("a JSON array", bytes("[1, 2, 3]\n"), 65),
        ("null", bytes("null\n"), 65),
        ("an empty object", bytes("{}\n"), 65),
        ("100,000 nested arrays", bytes(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"), 65),
        ("50,000 nested objects", bytes(String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000) + "\n"), 65),
        ("invalid UTF-8", Data("{\"subject\":\"s".utf8) + Data([0xFF, 0xFE]) + bytes("\",\"message\":\"m\",\"category\":\"bug-report\",\"submittedBy\":{\"email\":\"i@example.test\"}}\n"), 65),
        ("a 3 MiB message", bytes(line(["message": String(repeating: "x", count: 3 * 1024 * 1024)]) + "\n"), 65),
        ("ESC in the subject", bytes(line(["subject": "red \u{1B}[31m alert"]) + "\n"), 65),
        ("OSC in the message", bytes(line(["message": "title \u{1B}]0;pwned\u{7}"]) + "\n"), 65),
        ("NUL in the message", bytes(line(["message": "nul \u{0} byte"]) + "\n"), 65),
        ("ESC in a reply", bytes(line(["responses": [reply(["message": "x \u{1B}[2J"])]]) + "\n"), 65),
        ("ESC in a name", bytes(line(["submittedBy": ["email": "e@example.test", "name": "Eve \u{1B}[8m"]]) + "\n"), 65),
        ("CR LF in the subject", bytes(line(["subject": "a\r\nBcc: evil@example.test"]) + "\n"), 65),
        ("bidi override in the subject", bytes(line(["subject": "abc\u{202E}fdp.exe"]) + "\n"), 65),
        ("path traversal as the number", bytes(line(["ticketNumber": "../../etc/passwd"]) + "\n"), 65),
        ("SQL in the number", bytes(line(["ticketNumber": "ST-2026-001'; DROP TABLE ticket; --"]) + "\n"), 65),
        ("a ten-digit sequence", bytes(line(["ticketNumber": "ST-2026-1234567890"]) + "\n"), 65),
        ("the existing ticket's number", bytes(line(["ticketNumber": n1]) + "\n"), 65),
        ("a bad date", bytes(line(["createdAt": "yesterday"]) + "\n"), 65),
        ("year 1", bytes(line(["createdAt": "0001-01-01T00:00:00Z"]) + "\n"), 65),
        ("a bad category", bytes(line(["category": "hardware"]) + "\n"), 65),
        ("a bad role", bytes(line(["submittedBy": ["email": "e@example.test", "role": "root"]]) + "\n"), 65),
        ("a bad email", bytes(line(["submittedBy": ["email": "not an address"]]) + "\n"), 65),
        ("an email with a header", bytes(line(["submittedBy": ["email": "a@example.test\nBcc: b@example.test"]]) + "\n"), 65),
        ("a number too big for a reply id", bytes(#"{"subject":"s","message":"m","category":"bug-report","submittedBy":{"email":"i@example.test"},"responses":[{"id":99999999999999999999999,"message":"r","respondedBy":{"email":"i@example.test"}}]}"# + "\n"), 65),
        ("attachments", bytes(line(["attachments": ["/etc/passwd"]]) + "\n"), 65),
        ("a subject of the wrong type", bytes(line(["subject": 42]) + "\n"), 65),
        ("SQL and FTS text, accepted as text", bytes(line(["subject": "'); DROP TABLE ticket; --", "message": "\"a AND (b NEAR(x y) *"]) + "\n"), 0),
        ("one good line and one bad", bytes(line(["subject": "good"]) + "\n" + line(["category": "nope"]) + "\n"), 65),
    ]

    static func importCases() -> [Case] {
        importLines.enumerated().map { index, item in
            Case(group: "import", name: "import < \(item.name)", arguments: ["ticket", "import"], script: nil, stdin: item.data,
                 actor: nil, expected: [item.expected], writes: item.name == "one good line and one bad" || item.expected == 0,
                 json: index % 2 == 0, partial: item.name == "one good line and one bad")
        }
    }

    static var all: [Case] { argumentCases() + stdinCases() + importCases() }
}
