/// Text from users made safe and measurable for a terminal.
public enum TerminalText {
    /// Replaces every control character (escape sequences included) with a visible stand-in, so
    /// no stored text can move the cursor, change colours or retitle the terminal. Newlines and
    /// tabs survive only when `multiline`.
    public static func sanitize(_ text: String, multiline: Bool = false) -> String {
        // Almost all text is clean: return it as it is rather than rebuild it scalar by scalar.
        guard text.unicodeScalars.contains(where: { (!multiline || ($0 != "\n" && $0 != "\t")) && Validation.isForbiddenInLine($0) })
        else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if multiline && (scalar == "\n" || scalar == "\t") {
                out.append(scalar)
            } else if Validation.isForbiddenInLine(scalar) {
                out.append("\u{FFFD}")
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Columns a string takes on a terminal (wide East Asian characters and emoji take two).
    /// A count as people read it on a terminal: 199,856 (commas every three digits, whatever
    /// the locale: the rest of the output is English).
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }

    public static func width(_ text: String) -> Int {
        // ASCII (most cells: numbers, dates, statuses) is a column a byte, without breaking
        // the text into grapheme clusters.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
        return text.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        switch first.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// Cuts `text` to at most `columns` columns, marking the cut with an ellipsis.
    public static func truncate(_ text: String, to columns: Int) -> String {
        guard width(text) > columns else { return text }
        guard columns > 1 else { return columns == 1 ? "…" : "" }
        var out = ""
        var used = 0
        for ch in text {
            let w = width(of: ch)
            if used + w > columns - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// An address cut to `columns` keeping what tells whose it is: the domain stays whole and the
    /// local part gives way (`someone.with.a.l…@example.test`); a domain too long for that keeps
    /// its end, after the start of the local part (`a.very.…example.test`).
    public static func shortenEmail(_ email: String, to columns: Int) -> String {
        guard width(email) > columns else { return email }
        guard columns >= 8, let at = email.lastIndex(of: "@") else { return truncate(email, to: columns) }
        let domain = String(email[at...])
        if width(domain) <= columns * 2 / 3 {
            return truncate(String(email[..<at]), to: columns - width(domain)) + domain
        }
        let head = truncate(email, to: (columns - 1) / 3 + 1)  // ends in "…"
        return head + suffix(of: email, width: columns - width(head))
    }

    /// The end of `text` that fits in `columns`.
    static func suffix(of text: String, width columns: Int) -> String {
        var out: [Character] = []
        var used = 0
        for ch in text.reversed() {
            let w = width(of: ch)
            if used + w > columns { break }
            out.append(ch)
            used += w
        }
        return String(out.reversed())
    }

    public static func pad(_ text: String, to columns: Int) -> String {
        text + String(repeating: " ", count: max(0, columns - width(text)))
    }
}
