/// A structured MIME header value: `text/plain; charset="utf-8"` or
/// `attachment; filename*=UTF-8''%E2%82%AC.pdf`, with RFC 2231 parameters (charset, percent
/// encoding, continuations `name*0*=`, `name*1=`) put back together and RFC 2047 words in
/// parameter values decoded (Outlook and Gmail write `name="=?UTF-8?B?...?="`).
struct MIMEHeaderValue: Equatable {
    /// Lower-cased, without parameters (`text/plain`, `attachment`); empty when absent.
    var value: String
    /// Parameter names lower-cased.
    var parameters: [String: String]

    init(_ header: String?) {
        guard let header else {
            value = ""
            parameters = [:]
            return
        }
        var pieces = Self.split(header)
        value = pieces.isEmpty ? "" : Self.stripComments(pieces.removeFirst()).trimmingBlanks().lowercased()
        parameters = Self.parameters(pieces)
    }

    /// Splits at `;` outside quoted strings.
    private static func split(_ header: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for char in header {
            if escaped {
                current.append(char)
                escaped = false
            } else if inQuotes && char == "\\" {
                current.append(char)
                escaped = true
            } else if char == "\"" {
                inQuotes.toggle()
                current.append(char)
            } else if char == ";" && !inQuotes {
                pieces.append(current)
                current = ""
            } else {
                current.append(char)
            }
        }
        pieces.append(current)
        return pieces
    }

    private static func stripComments(_ text: String) -> String {
        guard text.contains("(") else { return text }
        var out = ""
        var depth = 0
        for char in text {
            if char == "(" { depth += 1 } else if char == ")" && depth > 0 { depth -= 1 } else if depth == 0 { out.append(char) }
        }
        return out
    }

    private struct Segment {
        var index: Int
        var encoded: Bool
        var text: String
    }

    private static func parameters(_ pieces: [String]) -> [String: String] {
        var plain: [String: String] = [:]
        var extended: [String: [Segment]] = [:]
        for piece in pieces {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let rawName = piece[..<equals].trimmingBlanks().lowercased()
            guard !rawName.isEmpty else { continue }
            let value = unquote(piece[piece.index(after: equals)...].trimmingBlanks())
            guard rawName.contains("*") else {
                if plain[rawName] == nil { plain[rawName] = value }
                continue
            }
            // name*  |  name*N  |  name*N*
            let parts = rawName.split(separator: "*", omittingEmptySubsequences: false)
            let base = String(parts[0])
            let encoded = rawName.hasSuffix("*")
            let index = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
            guard index < 1_000 else { continue }  // no continuation is that long; ignore junk
            extended[base, default: []].append(Segment(index: index, encoded: encoded, text: value))
        }
        var result = plain.mapValues { EncodedWords.decode($0) }
        for (base, segments) in extended {
            let ordered = segments.sorted { $0.index < $1.index }
            var charset: String?
            var bytes: [UInt8] = []
            for (position, segment) in ordered.enumerated() {
                var text = Substring(segment.text)
                if segment.encoded && position == 0 {
                    // charset'language'value
                    let fields = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if fields.count == 3 {
                        charset = fields[0].isEmpty ? nil : String(fields[0])
                        text = fields[2]
                    }
                }
                bytes += segment.encoded ? percentDecoded(text) : Array(text.utf8)
            }
            // RFC 2231 wins over a plain parameter of the same name (RFC 2231 §4.1 and what
            // clients do when they send both for old readers).
            result[base] = MailCharset.decode(bytes, charset: charset ?? "utf-8")
        }
        return result
    }

    private static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.first == "\"" else {
            return text.hasPrefix("\"") ? String(text.dropFirst()) : text
        }
        var out = ""
        var escaped = false
        for char in text.dropFirst() {
            if escaped {
                out.append(char)
                escaped = false
            } else if char == "\\" {
                escaped = true
            } else if char == "\"" {
                break
            } else {
                out.append(char)
            }
        }
        return out
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = TransferDecoding.hexValue(bytes[index + 1]),
               let low = TransferDecoding.hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}
