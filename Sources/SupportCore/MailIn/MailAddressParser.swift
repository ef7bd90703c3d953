/// Reads address lists (`From`, `Reply-To`, `To`) the way mail clients display them:
/// `"Doe, Jane" <jane@x>`, `jane@x (Jane Doe)`, `=?utf-8?q?J=C3=BCrgen?= <j@x>`, groups
/// (`Team: a@x, b@x;`), several addresses. Entries without a usable addr-spec are skipped.
enum MailAddressParser {
    static func parse(_ header: String?) -> [MailAddress] {
        guard let header else { return [] }
        var addresses: [MailAddress] = []
        for entry in entries(header) {
            if let address = mailbox(entry) { addresses.append(address) }
        }
        return addresses
    }

    private enum Token: Equatable {
        case word(String)      // atoms and dots, as written
        case quoted(String)    // a quoted string, unescaped
        case comment(String)
        case angle(String)     // what stood between < and >
        case special(Character)
    }

    /// Mailboxes, each as its tokens: split at top-level commas; a group's display name
    /// (`Team:`) and its closing `;` are dropped.
    private static func entries(_ header: String) -> [[Token]] {
        var entries: [[Token]] = []
        var current: [Token] = []
        for token in tokens(header) {
            switch token {
            case .special(","), .special(";"):
                if !current.isEmpty { entries.append(current) }
                current = []
            case .special(":"):
                // A group name ends here (unless the colon sits in an addr-spec, which is invalid
                // anyway): forget the name.
                current = []
            default:
                current.append(token)
            }
        }
        if !current.isEmpty { entries.append(current) }
        return entries
    }

    private static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var chars = Substring(text)
        var word = ""
        func endWord() {
            if !word.isEmpty { tokens.append(.word(word)) }
            word = ""
        }
        while let char = chars.popFirst() {
            switch char {
            case "\"":
                endWord()
                var value = ""
                while let next = chars.popFirst(), next != "\"" {
                    if next == "\\", let escaped = chars.popFirst() { value.append(escaped) } else { value.append(next) }
                }
                tokens.append(.quoted(value))
            case "(":
                endWord()
                var depth = 1
                var value = ""
                while depth > 0, let next = chars.popFirst() {
                    if next == "\\", let escaped = chars.popFirst() { value.append(escaped); continue }
                    if next == "(" { depth += 1 }
                    if next == ")" { depth -= 1; if depth == 0 { break } }
                    value.append(next)
                }
                tokens.append(.comment(value))
            case "<":
                endWord()
                var value = ""
                while let next = chars.popFirst(), next != ">" { value.append(next) }
                tokens.append(.angle(value))
            case ",", ";", ":":
                endWord()
                tokens.append(.special(char))
            case " ", "\t", "\r", "\n", "\r\n":
                endWord()
            default:
                word.append(char)
            }
        }
        endWord()
        return tokens
    }

    private static func mailbox(_ tokens: [Token]) -> MailAddress? {
        if let angleIndex = tokens.firstIndex(where: { if case .angle = $0 { true } else { false } }),
           case .angle(let inside) = tokens[angleIndex] {
            guard let email = addrSpec(inside) else { return nil }
            var phrase: [String] = []
            for token in tokens[..<angleIndex] {
                switch token {
                case .word(let text), .quoted(let text): phrase.append(text)
                default: break
                }
            }
            var name = displayName(phrase)
            if name == nil, let comment = firstComment(tokens) { name = displayName([comment]) }
            return MailAddress(name: name, email: email)
        }
        // A bare addr-spec, perhaps with a comment naming the person: `jane@x (Jane Doe)`.
        var spec = ""
        let words = tokens.filter { if case .comment = $0 { false } else { true } }
        guard words.count == 1 else { return nil }  // `x@y z` is no address
        for token in tokens {
            switch token {
            case .word(let text): spec += text
            case .quoted(let text): spec += "\"\(text)\""
            default: break
            }
        }
        guard let email = addrSpec(spec) else { return nil }
        return MailAddress(name: firstComment(tokens).flatMap { displayName([$0]) }, email: email)
    }

    private static func firstComment(_ tokens: [Token]) -> String? {
        for case .comment(let text) in tokens where !text.isEmpty { return text }
        return nil
    }

    /// The words of a display name joined, encoded-words decoded, reduced to one safe line.
    private static func displayName(_ words: [String]) -> String? {
        guard !words.isEmpty else { return nil }
        let name = TextDecoding.oneLine(EncodedWords.decode(words.joined(separator: " ")))
        return name.isEmpty ? nil : name
    }

    /// `local@domain` when it looks like one: one `@` outside quotes, both sides non-empty,
    /// no blanks or controls, a domain of letters, digits, dots, hyphens (or a `[literal]`).
    /// An obsolete source route (`@relay:jane@x`) is dropped.
    static func addrSpec(_ raw: String) -> String? {
        var text = raw.trimmingBlanks()
        if text.hasPrefix("@"), let colon = text.firstIndex(of: ":") {
            text = String(text[text.index(after: colon)...])
        }
        if text.lowercased().hasPrefix("mailto:") { text = String(text.dropFirst(7)) }
        guard let at = text.lastIndex(of: "@") else { return nil }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, local.utf8.count <= 64 * 4, domain.utf8.count <= 255 else { return nil }
        guard !text.unicodeScalars.contains(where: { TextDecoding.isBlankOrControl($0) }) else { return nil }
        guard !local.contains("<"), !local.contains(">"), !local.contains(",") else { return nil }
        let domainOK = domain.hasPrefix("[") && domain.hasSuffix("]")
            || domain.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
        guard domainOK, !domain.hasPrefix("."), !domain.hasSuffix(".") || domain.count > 1 else { return nil }
        return String(local) + "@" + (domain.hasSuffix(".") ? String(domain.dropLast()) : String(domain))
    }
}
