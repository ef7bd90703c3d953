import Foundation

/// The encodings a plain-text mail needs: header text as RFC 2047 encoded-words, quoted-strings
/// and folded lines (RFC 5322), the body as quoted-printable (RFC 2045).
///
/// Everything here produces 7-bit ASCII in which the only line breaks are the ones it puts in
/// itself, so no user text can start a header line.
enum MIMEEncoding {
    /// RFC 5322's "SHOULD" for a line, without its line ending.
    static let foldedLineLength = 78
    /// The longest encoded-word written (RFC 2047 allows 75): short enough that the longest
    /// header name it follows, `Reply-To: `, plus one word stays within 78.
    static let encodedWordLength = 68
    /// The cap on a token that cannot be folded (an address, a message id), so that no line
    /// ever reaches RFC 5322's hard limit of 998 octets whatever the caller passes.
    static let unfoldableTokenLength = 900
    /// RFC 2045: an encoded body line is at most 76 characters, a soft break's `=` included.
    static let quotedPrintableLineLength = 76

    // MARK: - Header text

    /// Header text with every control character and Unicode line or paragraph separator turned
    /// into a space. Done before any encoding: even inside an encoded-word a decoded line break
    /// could become a header line in a reader that re-serialises the message.
    static func headerText(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                scalars.append(" ")
            default:
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// A display name as a phrase means it: `headerText`, then runs of spaces made one and the
    /// ends trimmed. Whitespace between the words of a phrase is not significant (RFC 5322
    /// 3.2.2) and readers collapse it, so this is the only form that can decode back exactly.
    static func phraseText(_ text: String) -> String {
        let words = headerText(text).unicodeScalars.split(separator: " ", omittingEmptySubsequences: true)
        return words.map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }

    /// The tokens of a display name: bare atoms when every word is one, else a quoted-string
    /// (split at its spaces so it can fold), else encoded-words for non-ASCII text, text that
    /// looks like an encoded-word, or a word too long to fit on a line.
    static func displayNameTokens(_ name: String) -> [String] {
        let phrase = phraseText(name)
        guard !phrase.isEmpty else { return [] }
        if isPlainASCII(phrase) {
            let words = phrase.split(separator: " ").map(String.init)
            if words.allSatisfy({ $0.utf8.count <= encodedWordLength && $0.utf8.allSatisfy(isAtext) }) {
                return words
            }
            let escaped = words.map { word in
                word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            }
            if escaped.allSatisfy({ $0.utf8.count <= encodedWordLength - 2 }) {
                var tokens = escaped
                tokens[0] = "\"" + tokens[0]
                tokens[tokens.count - 1] += "\""
                return tokens
            }
        }
        return encodedWords(phrase)
    }

    /// The tokens of an unstructured field (Subject): the words themselves when the text is
    /// printable ASCII, single-spaced, and has no word too long to fold; else encoded-words,
    /// which keep every space (leading, trailing, repeated) exactly.
    static func unstructuredTokens(_ text: String) -> [String] {
        let clean = headerText(text)
        guard !clean.isEmpty else { return [] }
        if isPlainASCII(clean) {
            let words = clean.split(separator: " ", omittingEmptySubsequences: false)
            if words.allSatisfy({ !$0.isEmpty && $0.utf8.count <= encodedWordLength }) {
                return words.map(String.init)
            }
        }
        return encodedWords(clean)
    }

    /// Printable ASCII with nothing a decoder could take for an encoded-word (`=?`).
    private static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { (0x20...0x7E).contains($0) } && !text.contains("=?")
    }

    /// RFC 5322 atext: the characters of an atom.
    private static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }

    // MARK: - RFC 2047 encoded-words

    /// `text` as UTF-8 encoded-words of at most `encodedWordLength` characters each, Q or B,
    /// whichever is shorter for the whole text. Words break just after a space where there is
    /// one, else between characters (between Unicode scalars only when one character alone is
    /// too long), never inside a UTF-8 sequence, because each word must decode to valid UTF-8
    /// on its own.
    ///
    /// Breaking after a space matters for readers that wrongly keep the whitespace between two
    /// encoded-words in a display name (CPython before the fix of gh-128110): they then show
    /// a doubled space between two words instead of a space inside a word.
    static func encodedWords(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        let qLength = bytes.reduce(0) { $0 + qEncodedLength($1) }
        let useQ = qLength <= base64Length(bytes.count)
        let prefix = useQ ? "=?UTF-8?Q?" : "=?UTF-8?B?"
        let budget = encodedWordLength - prefix.utf8.count - 2

        var words: [String] = []
        var chunk: [UInt8] = []
        var chunkQLength = 0
        func fits(_ piece: some Collection<UInt8>) -> Bool {
            if useQ {
                return chunkQLength + piece.reduce(0) { $0 + qEncodedLength($1) } <= budget
            }
            return base64Length(chunk.count + piece.count) <= budget
        }
        func append(_ piece: some Collection<UInt8>) {
            chunk.append(contentsOf: piece)
            chunkQLength += piece.reduce(0) { $0 + qEncodedLength($1) }
        }
        func flush() {
            guard !chunk.isEmpty else { return }
            let payload = useQ ? qEncoded(chunk) : Data(chunk).base64EncodedString()
            words.append(prefix + payload + "?=")
            chunk.removeAll(keepingCapacity: true)
            chunkQLength = 0
        }
        func flushUpToLastSpace() {
            guard let space = chunk.lastIndex(of: 0x20), space + 1 < chunk.count else {
                flush()
                return
            }
            let rest = Array(chunk[(space + 1)...])
            chunk.removeSubrange((space + 1)...)
            flush()
            append(rest)
        }

        for character in text {
            let characterBytes = Array(String(character).utf8)
            if fits(characterBytes) {
                append(characterBytes)
                continue
            }
            flushUpToLastSpace()
            if fits(characterBytes) {
                append(characterBytes)
                continue
            }
            flush()
            if fits(characterBytes) {
                append(characterBytes)
                continue
            }
            // One character (a long run of combining marks) larger than a whole word.
            for scalar in character.unicodeScalars {
                let scalarBytes = Array(String(scalar).utf8)
                if !fits(scalarBytes) { flush() }
                append(scalarBytes)
            }
        }
        flush()
        return words
    }

    private static func base64Length(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// RFC 2047 5(3), the strictest rule, so a word is safe in a phrase as well as in text:
    /// letters, digits and `!*+-/` go as they are, a space as `_`, all else as `=XX`.
    private static func isQLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!*+-/".utf8.contains(byte)
        }
    }

    private static func qEncodedLength(_ byte: UInt8) -> Int {
        isQLiteral(byte) || byte == 0x20 ? 1 : 3
    }

    private static func qEncoded(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        for byte in bytes {
            if isQLiteral(byte) {
                out.append(byte)
            } else if byte == 0x20 {
                out.append(UInt8(ascii: "_"))
            } else {
                appendHexEscape(byte, to: &out)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Folding

    /// One header field, `Name: tokens`, the tokens separated by one space or, where the line
    /// would pass 78 characters, by a line break and a space. The first token always stays on
    /// the first line; a token longer than a line gets a line of its own.
    static func field(_ name: String, _ tokens: [String]) -> String {
        var out = name + ":"
        var lineLength = out.utf8.count
        for (index, token) in tokens.enumerated() {
            let length = token.utf8.count
            if index == 0 || lineLength + 1 + length <= foldedLineLength {
                out += " " + token
                lineLength += 1 + length
            } else {
                out += "\n " + token
                lineLength = 1 + length
            }
        }
        return out
    }

    /// Printable ASCII except whitespace and `excluded`, at most `unfoldableTokenLength` bytes:
    /// what may stand inside `<...>` without changing the header's structure.
    static func unfoldableToken(_ text: String, excluding excluded: String) -> String {
        let kept = text.utf8.filter { (0x21...0x7E).contains($0) && !excluded.utf8.contains($0) }
        return String(decoding: kept.prefix(unfoldableTokenLength), as: UTF8.self)
    }

    // MARK: - Quoted-printable body

    /// The body as quoted-printable lines, each ending in LF. Line endings are made LF first;
    /// a body that does not end with a line break gets one. Besides what RFC 2045 requires
    /// (`=`, non-ASCII and control bytes, trailing whitespace), a `.` or the `F` of `From `
    /// at the start of a line is encoded too, so that no transport dot-stuffs or `>From`-quotes
    /// the text.
    static func quotedPrintable(_ text: String) -> [UInt8] {
        let source = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(source.count + source.count / 8 + 16)
        var line: [UInt8] = []
        var index = 0
        while index < source.count {
            let byte = source[index]
            index += 1
            if byte == 0x0D || byte == 0x0A {
                if byte == 0x0D, index < source.count, source[index] == 0x0A { index += 1 }
                appendQuotedPrintableLine(line, to: &out)
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        if !line.isEmpty { appendQuotedPrintableLine(line, to: &out) }
        return out
    }

    private static let fromSpace = Array("From ".utf8)

    private static func appendQuotedPrintableLine(_ line: [UInt8], to out: inout [UInt8]) {
        var column = 0
        var index = 0
        while index < line.count {
            let byte = line[index]
            let isLast = index == line.count - 1
            var literal = switch byte {
            case 0x09, 0x20: !isLast
            case 0x21...0x7E: byte != UInt8(ascii: "=")
            default: false
            }
            if literal, column == 0 {
                if byte == UInt8(ascii: ".") {
                    literal = false
                } else if byte == UInt8(ascii: "F"), line[index...].starts(with: fromSpace) {
                    literal = false
                }
            }
            let width = literal ? 1 : 3
            // A character that is not the last must leave room for a soft break's `=`.
            let limit = isLast ? quotedPrintableLineLength : quotedPrintableLineLength - 1
            if column + width > limit {
                out.append(UInt8(ascii: "="))
                out.append(0x0A)
                column = 0
                continue  // judge the same byte again at the start of the new line
            }
            if literal {
                out.append(byte)
            } else {
                appendHexEscape(byte, to: &out)
            }
            column += width
            index += 1
        }
        out.append(0x0A)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func appendHexEscape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "="))
        out.append(hexDigits[Int(byte >> 4)])
        out.append(hexDigits[Int(byte & 0x0F)])
    }
}
