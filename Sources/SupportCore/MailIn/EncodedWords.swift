import Foundation

/// Decodes RFC 2047 encoded-words (`=?charset?B|Q?text?=`) in header text.
///
/// Lenient like the big clients: words are found anywhere (also inside quoted strings and glued
/// to other text, which broken mailers produce), adjacent words separated only by blanks are
/// joined without the blanks (RFC 2047 §6.2), and consecutive words in the same charset are
/// decoded together, because some mailers split one UTF-8 character across two words.
/// A malformed word is left as written.
enum EncodedWords {
    static func decode(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        var out = ""
        var pendingBytes: [UInt8] = []
        var pendingCharset: String?
        var rest = Substring(text)

        func flushWord() {
            if let charset = pendingCharset {
                out += MailCharset.decode(pendingBytes, charset: charset)
            }
            pendingBytes.removeAll()
            pendingCharset = nil
        }

        while !rest.isEmpty {
            if let (charset, bytes, after) = word(at: rest) {
                let key = MailCharset.normalisedName(charset)
                if pendingCharset != nil && pendingCharset != key { flushWord() }
                pendingCharset = key
                pendingBytes += bytes
                rest = after
                // Blanks up to the next word vanish; before anything else they are kept.
                let blanks = rest.prefix { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
                if !blanks.isEmpty, word(at: rest.dropFirst(blanks.count)) != nil {
                    rest = rest.dropFirst(blanks.count)
                } else {
                    rest = rest.dropFirst(blanks.count)
                    flushWord()
                    out += blanks
                }
                continue
            }
            flushWord()
            out.append(rest.removeFirst())
        }
        flushWord()
        return out
    }

    /// The word at the start of `text`: its charset (without an RFC 2231 `*language`), its
    /// decoded bytes, and what follows it.
    private static func word(at text: Substring) -> (String, [UInt8], Substring)? {
        guard text.hasPrefix("=?") else { return nil }
        let afterStart = text.dropFirst(2)
        // RFC 2047 words are at most 75 characters; lenient up to 2000, and no further, so that
        // a 100 kB header full of `=?` costs linear time, not quadratic.
        guard let q1 = afterStart.prefix(64).firstIndex(of: "?") else { return nil }
        let charsetField = afterStart[..<q1]
        guard !charsetField.isEmpty, charsetField.count < 64,
              !charsetField.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        let afterCharset = afterStart[afterStart.index(after: q1)...]
        guard afterCharset.count >= 2 else { return nil }
        let encoding = afterCharset.first!
        let afterEncoding = afterCharset.dropFirst()
        guard afterEncoding.first == "?" else { return nil }
        let payloadStart = afterEncoding.dropFirst()
        guard let close = payloadStart.prefix(2_000).range(of: "?=") else { return nil }
        let payload = payloadStart[..<close.lowerBound]
        // Encoded-words contain no blanks; one that does is not a word (nor is it when a `?=`
        // far away would swallow half the header).
        guard !payload.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else { return nil }
        let charset = charsetField.split(separator: "*", maxSplits: 1).first.map(String.init) ?? ""
        let bytes: [UInt8]
        switch encoding {
        case "B", "b":
            bytes = Array(payload.utf8).withUnsafeBufferPointer { TransferDecoding.base64($0, 0..<$0.count) }
        case "Q", "q":
            bytes = TransferDecoding.qEncoding(payload.utf8)
        default:
            return nil
        }
        return (charset, bytes, payloadStart[close.upperBound...])
    }
}
