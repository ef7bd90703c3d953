import Foundation

/// The limits and checks for every field `support` accepts. One place, so the command line,
/// stdin, import and settings all refuse the same things the same way.
public enum Validation {
    public static let subjectMaxCharacters = 200
    public static let messageMaxBytes = 64 * 1024
    public static let nameMaxCharacters = 100
    public static let emailMaxBytes = 254

    /// A one-line field (subject, name): trimmed, not blank, no control characters at all.
    public static func oneLine(_ text: String, field: String, maxCharacters: Int) throws(SupportError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            throw .invalidInput(field: field, "\(field) must not be empty")
        }
        if let bad = trimmed.unicodeScalars.first(where: { isForbiddenInLine($0) }) {
            throw .invalidInput(field: field, "\(field) must be one line without control characters (found \(describe(bad)))")
        }
        if trimmed.count > maxCharacters {
            throw .invalidInput(field: field, "\(field) is \(trimmed.count) characters long; the limit is \(maxCharacters)")
        }
        return trimmed
    }

    /// A multi-line text (message, reply): line endings made LF, trimmed, not blank, tabs and
    /// newlines allowed but no other control character (no escape sequences, no NUL).
    public static func text(_ text: String, field: String = "message", maxBytes: Int = messageMaxBytes) throws(SupportError) -> String {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let trimmed = unified.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            throw .invalidInput(field: field, "\(field) must not be empty")
        }
        if let bad = trimmed.unicodeScalars.first(where: { $0 != "\n" && $0 != "\t" && isForbiddenInLine($0) }) {
            throw .invalidInput(field: field, "\(field) contains a control character (\(describe(bad)))")
        }
        let size = trimmed.utf8.count
        if size > maxBytes {
            throw .invalidInput(field: field, "\(field) is \(size) bytes long; the limit is \(maxBytes) bytes")
        }
        return trimmed
    }

    /// Bytes read from stdin or a file: must be UTF-8.
    public static func utf8(_ data: Data, field: String) throws(SupportError) -> String {
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidInput(field: field, "\(field) is not valid UTF-8")
        }
        return text
    }

    /// An address as mail programs accept it on their command line: `local@domain`, lower-cased.
    /// Deliberately narrower than RFC 5322 (no quoted local parts, no comments, no IP literals):
    /// every accepted address is safe as a command-line argument and inside a header.
    public static func email(_ text: String, field: String = "email") throws(SupportError) -> String {
        let address = text.trimmingCharacters(in: .whitespaces).lowercased()
        let shown = printable(text)
        guard !address.isEmpty else { throw .invalidInput(field: field, "\(field) must not be empty") }
        guard address.utf8.count <= emailMaxBytes else {
            throw .invalidInput(field: field, "\(field) is longer than \(emailMaxBytes) bytes")
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].utf8.count <= 64 else {
            throw .invalidInput(field: field, "'\(shown)' is not an email address (expected name@domain)")
        }
        let local = parts[0], domain = parts[1]
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~.-")
        guard local.allSatisfy({ localAllowed.contains($0) }), !local.hasPrefix("."), !local.hasSuffix("."),
              !local.contains(".."), !local.hasPrefix("-")
        else {
            throw .invalidInput(field: field, "'\(shown)' is not an email address (unsupported characters before @)")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let labelAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard labels.allSatisfy({ label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy { labelAllowed.contains($0) }
                && !label.hasPrefix("-") && !label.hasSuffix("-")
        }) else {
            throw .invalidInput(field: field, "'\(shown)' is not an email address (bad domain)")
        }
        return address
    }

    /// Characters never allowed in a one-line field: C0 and C1 controls, DEL, line and
    /// paragraph separators, and bidirectional overrides that can disguise text on a terminal.
    static func isForbiddenInLine(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        "U+" + String(format: "%04X", scalar.value)
    }

    /// User text made safe to quote in a one-line message: controls escaped, length capped.
    public static func printable(_ text: String, limit: Int = 60) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if out.count >= limit { out += "…"; break }
            if isForbiddenInLine(scalar) {
                out += scalar.value <= 0xFF ? String(format: "\\x%02X", scalar.value) : String(format: "\\u{%X}", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
