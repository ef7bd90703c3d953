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
        let trimmed = trimmed(text)
        if trimmed.isEmpty {
            throw .invalidInput(field: field, "\(field) must not be empty")
        }
        if let bad = trimmed.unicodeScalars.first(where: { isForbiddenInLine($0) || isInvisible($0) }) {
            throw .invalidInput(field: field, "\(field) must be one line without control characters (found \(describe(bad)))")
        }
        if trimmed.count > maxCharacters {
            throw .invalidInput(field: field, "\(field) is \(trimmed.count) characters long; the limit is \(maxCharacters)")
        }
        return trimmed
    }

    /// A multi-line text (message, reply): line endings made LF, trimmed, not blank, tabs and
    /// newlines allowed but no other control character (no escape sequences, no NUL).
    /// One pass over the scalars: imports run it on every message and reply.
    public static func text(_ text: String, field: String = "message", maxBytes: Int = messageMaxBytes) throws(SupportError) -> String {
        var hasCR = false
        for scalar in text.unicodeScalars where scalar.value < 0x20 || scalar.value >= 0x7F {
            if scalar == "\r" { hasCR = true; continue }
            if scalar != "\n" && scalar != "\t" && isForbiddenInLine(scalar) {
                throw .invalidInput(field: field, "\(field) contains a control character (\(describe(scalar)))")
            }
        }
        var unified = text
        if hasCR {
            var scalars = String.UnicodeScalarView()
            var previousCR = false
            for scalar in text.unicodeScalars {
                if scalar == "\n" && previousCR { previousCR = false; continue }
                previousCR = scalar == "\r"
                scalars.append(previousCR ? "\n" : scalar)
            }
            unified = String(scalars)
        }
        let trimmed = trimmed(unified)
        if trimmed.isEmpty {
            throw .invalidInput(field: field, "\(field) must not be empty")
        }
        let size = trimmed.utf8.count
        if size > maxBytes {
            throw .invalidInput(field: field, "\(field) is \(size) bytes long; the limit is \(maxBytes) bytes")
        }
        return trimmed
    }

    /// `text` without white space (including newlines) at either end.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
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
        let address = trimmed(text).lowercased()
        // Only when refusing: imports check every address of every line.
        var shown: String { printable(text) }
        guard !address.isEmpty else { throw .invalidInput(field: field, "\(field) must not be empty") }
        let bytes = Array(address.utf8)
        guard bytes.count <= emailMaxBytes else {
            throw .invalidInput(field: field, "\(field) is longer than \(emailMaxBytes) bytes")
        }
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, at <= 64, at < bytes.count - 1,
              !bytes[(at + 1)...].contains(UInt8(ascii: "@"))
        else {
            throw .invalidInput(field: field, "'\(shown)' is not an email address (expected name@domain)")
        }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        let dot = UInt8(ascii: "."), dash = UInt8(ascii: "-")
        guard local.allSatisfy({ localBytes.contains($0) }), local.first != dot, local.last != dot, local.first != dash,
              !zip(local, local.dropFirst()).contains(where: { $0 == dot && $1 == dot })
        else {
            throw .invalidInput(field: field, "'\(shown)' is not an email address (unsupported characters before @)")
        }
        let labels = domain.split(separator: dot, omittingEmptySubsequences: false)
        guard labels.allSatisfy({ label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy { labelBytes.contains($0) }
                && label.first != dash && label.last != dash
        }) else {
            throw .invalidInput(field: field, "'\(shown)' is not an email address (bad domain)")
        }
        return address
    }

    private static let localBytes = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~.-".utf8)
    private static let labelBytes = Set("abcdefghijklmnopqrstuvwxyz0123456789-".utf8)

    /// Characters never allowed in a one-line field: C0 and C1 controls, DEL, line and
    /// paragraph separators, and bidirectional overrides that can disguise text on a terminal.
    static func isForbiddenInLine(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    /// Characters that show nothing, refused in one-line fields so that a subject or a name can
    /// neither look blank nor hide a difference (zero width space, direction marks, word joiner,
    /// invisible operators). Zero width joiners stay: emoji sequences need them.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B, 0x200E, 0x200F, 0x061C, 0x2060...0x2064: true
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
